import { isAbsolute, join } from 'node:path';
import { ExitCode, UsageError, type CliCommand, type CommandContext, type OptionValue } from '../command';
import type { CollectorEvent, CollectorStats } from '../../core/monitor/types';

/** A numeric option: undefined when absent; a usage error when not a number in range. */
function numberOption(options: Readonly<Record<string, OptionValue>>, name: string, min: number, integer = false): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`, 'collect');
  }
  return n;
}

const MiB = 1024 * 1024;

function eventLine(e: CollectorEvent): string | undefined {
  switch (e.type) {
    case 'rotated':
      return `rotated ${e.signal}: ${e.from} → ${e.to}`;
    case 'refused':
      return `refused ${e.path} (${e.status}): ${e.reason}`;
    case 'removed':
      return `removed ${e.file}: ${e.reason}`;
    case 'error':
      return `error: ${e.message}`;
    case 'stopped':
      return `stopped: ${e.reason}`;
    default:
      return undefined;
  }
}

function totals(s: CollectorStats): string {
  const { accepted: a, rejected: r } = s;
  return (
    `collected ${a.traces} span(s), ${a.logs} log record(s), ${a.metrics} metric data point(s) in ${s.requests} request(s)` +
    `${r.traces + r.logs + r.metrics > 0 ? `; refused ${r.traces} span(s), ${r.logs} log record(s), ${r.metrics} data point(s)` : ''}` +
    `${s.failedRequests > 0 ? `; ${s.failedRequests} request(s) answered with an error` : ''}; ${s.bytesWritten} bytes written`
  );
}

export const collectCommand: CliCommand = {
  name: 'collect',
  summary: 'Receive OTLP/HTTP (traces, logs, metrics) on 127.0.0.1 and store it as JSONL; serve /metrics for Prometheus',
  usage: ['collect [--port 4318] [--out DIR] [--max-body-mb N] [--rotate-mb N] [--rotate-minutes N] [--retention-days N] [--json]'],
  options: {
    port: { type: 'string', value: 'PORT', description: 'Port on 127.0.0.1 (default 4318; 0 picks a free one)' },
    out: { type: 'string', value: 'DIR', description: 'Folder for the JSONL files (default .agentops/traces)' },
    'max-body-mb': { type: 'string', value: 'N', description: 'Largest request body, compressed or not, in MiB (default 16)' },
    'rotate-mb': { type: 'string', value: 'N', description: 'Start a new file before one passes N MiB (default 64)' },
    'rotate-minutes': { type: 'string', value: 'N', description: 'Start a new file after N minutes (default 60; 0: never by time)' },
    'retention-days': { type: 'string', value: 'N', description: 'Remove rotated files older than N days (default 7; 0: keep all)' },
  },
  async run(ctx: CommandContext) {
    const { options, io, json } = ctx;
    const collector = await import('../../core/monitor/collector/index');
    const port = numberOption(options, 'port', 0, true) ?? collector.defaultPort;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`, 'collect');
    const out = typeof options.out === 'string' ? (isAbsolute(options.out) ? options.out : join(io.cwd, options.out)) : collector.defaultCollectorDir(io.cwd);
    const maxBody = numberOption(options, 'max-body-mb', 0.001);
    const rotateMb = numberOption(options, 'rotate-mb', 0.001);
    const rotateMinutes = numberOption(options, 'rotate-minutes', 0);
    const retentionDays = numberOption(options, 'retention-days', 0);
    // Progress goes to stderr, so that with --json stdout holds exactly the final document.
    const say = (text: string): void => (json ? io.stderr(text) : io.stdout(text));
    let handle;
    try {
      handle = await collector.startCollector(
        {
          port,
          outDir: out,
          ...(maxBody !== undefined ? { maxBodyBytes: Math.round(maxBody * MiB) } : {}),
          ...(rotateMb !== undefined ? { rotateBytes: Math.round(rotateMb * MiB) } : {}),
          ...(rotateMinutes !== undefined ? { rotateMs: Math.round(rotateMinutes * 60_000) } : {}),
          ...(retentionDays !== undefined ? { retentionMs: Math.round(retentionDays * 86_400_000) } : {}),
        },
        (e) => {
          const line = eventLine(e);
          if (line) io.stderr(`agentops collect: ${line}\n`);
        },
      );
    } catch (err) {
      if (!collector.isPortInUseError(err)) throw err;
      io.stderr(`agentops: ${err.message}\n`);
      return {
        exitCode: ExitCode.badInput,
        json: { error: { kind: 'port-in-use', message: err.message, port: err.port, ...(err.owner ? { owner: err.owner } : {}), ...(err.suggestedPort !== undefined ? { suggestedPort: err.suggestedPort } : {}) } },
        text: '',
      };
    }
    say(`listening on ${handle.url} (OTLP/HTTP: POST /v1/traces, /v1/logs, /v1/metrics; Prometheus: GET /metrics)\n`);
    say(`writing to ${handle.outDir}\n`);
    say(`set OTEL_EXPORTER_OTLP_ENDPOINT=${handle.url}; Ctrl-C to stop\n`);
    const signal = io.signal;
    await new Promise<void>((resolve) => {
      if (!signal) return; // no way to be stopped but the process ending
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const stats = await handle.close();
    return { exitCode: ExitCode.ok, json: stats, text: `${totals(stats)}\n` };
  },
};
