import { existsSync, promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, isInputError } from '../../core/errors';
import { formatTokens, formatUsd } from '../../core/format';
import { describeFsError } from '../../core/io/openInput';
import type * as Trajectory from '../../core/trajectory/index';
import type { TrajectoryConfig, TrajectoryReport, ValidateJson, Wasted } from '../../core/trajectory/findings';
import type { TrajectoryDiagnostic } from '../../core/trajectory/model';
import { ExitCode, type CliCommand, type CliIo } from '../command';

type TrajectoryCore = typeof Trajectory;

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Validate agent runs in trajectory files and OTLP traces: loops, stalls, budgets, no final answer',
  usage: ['validate <files...> [--config agentops.yaml] [--json]', 'validate <files...>   (exit 1 when a finding has severity error)'],
  options: {
    config: { type: 'string', value: 'FILE', description: 'Rule settings: the `trajectory:` section of this file (default ./agentops.yaml when present)' },
  },
  positionals: { min: 1, max: Infinity, name: 'files' },
  async run({ positionals, options, io }) {
    const core = await import('../../core/trajectory/index');
    const shortName = (file: string) => (file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : file);
    const config = await readConfig(core, typeof options.config === 'string' ? options.config : undefined, io, shortName);
    const tokens = await import('../../core/tokens/index');
    const prices = tokens.bundledPriceTable();

    const reports: TrajectoryReport[] = [];
    const diagnostics: TrajectoryDiagnostic[] = [];
    const unreadable: InputError[] = [];
    for (const given of positionals) {
      const file = resolve(io.cwd, given);
      let read;
      try {
        read = await core.readTrajectoryFile(file, { prices });
      } catch (err) {
        // A missing file, a document that does not parse, a format nobody knows: report it, go on with the others.
        if (!isInputError(err)) throw err;
        const location = { ...err.location, file: shortName(err.location.file) };
        unreadable.push(new InputError(location, err.detail, { cause: err }));
        diagnostics.push({ file: location.file, ...(location.line !== undefined ? { line: location.line } : {}), severity: 'error', code: 'unreadable', message: err.detail });
        continue;
      }
      for (const t of read.trajectories) t.source.file = shortName(t.source.file);
      for (const d of read.diagnostics) diagnostics.push({ ...d, file: shortName(d.file) });
      reports.push(...core.validateTrajectories(read.trajectories, config));
    }
    const first = unreadable[0];
    if (first && unreadable.length === positionals.length) {
      // Nothing to report on: exit 2 with the first error (the others on stderr).
      for (const e of unreadable.slice(1)) io.stderr(`agentops: ${e.message}\n`);
      throw first;
    }
    for (const e of unreadable) io.stderr(`agentops: ${e.message}\n`);

    const doc = core.toValidateJson(reports, diagnostics);
    const exitCode = unreadable.length > 0 ? ExitCode.badInput : doc.summary.errors > 0 ? ExitCode.gateFailed : ExitCode.ok;
    return { exitCode, json: doc, text: renderText(doc) };
  },
};

/** The `trajectory:` section of --config, or of ./agentops.yaml when there is one; defaults otherwise. A bad section is exit 2. */
async function readConfig(core: TrajectoryCore, given: string | undefined, io: CliIo, shortName: (file: string) => string): Promise<TrajectoryConfig> {
  const file = given !== undefined ? resolve(io.cwd, given) : resolve(io.cwd, 'agentops.yaml');
  if (given === undefined && !existsSync(file)) return core.defaultTrajectoryConfig();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file: given ?? shortName(file) }, describeFsError(err), { cause: err });
  }
  const { config, problems } = core.loadTrajectoryConfig(text, shortName(file));
  const [first, ...rest] = problems;
  if (!first) return config;
  for (const p of rest) io.stderr(`agentops: ${new InputError(location(p), p.message).message}\n`);
  throw new InputError(location(first), first.message);
}

function location(p: { file: string; line?: number; column?: number; field?: string }): { file: string; line?: number; column?: number; field?: string } {
  return { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), ...(p.column !== undefined ? { column: p.column } : {}), ...(p.field ? { field: p.field } : {}) };
}

// --- The human summary --------------------------------------------------------

function renderText(doc: ValidateJson): string {
  const out: string[] = [];
  let file: string | undefined;
  for (const t of doc.trajectories) {
    if (t.source.file !== file) {
      file = t.source.file;
      if (out.length > 0) out.push('');
      out.push(file);
    }
    const errors = t.findings.filter((f) => f.severity === 'error').length;
    const warnings = t.findings.filter((f) => f.severity === 'warning').length;
    const infos = t.findings.length - errors - warnings;
    const counts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '', infos ? `${infos} info` : ''].filter(Boolean).join(', ');
    const index = t.source.index !== undefined ? ` [${t.source.index}]` : '';
    out.push(`  ${t.id}${index}  ${t.format}  ${plural(t.steps, 'step')}  ${t.outcome}  ${counts || 'ok'}`);
    const width = Math.max(0, ...t.findings.map((f) => f.rule.length));
    for (const f of t.findings) {
      const wasted = wastedText(f.wasted);
      out.push(`    ${f.severity.padEnd(7)}  ${f.rule.padEnd(width)}  ${stepsText(f.steps)}  ${f.message}${wasted ? `  (wasted ${wasted})` : ''}`);
    }
  }
  if (out.length > 0) out.push('');
  const { trajectories, errors, warnings } = doc.summary;
  out.push(`${plural(trajectories, 'run')}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  const diagLines = doc.diagnostics.map((d) => `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.severity}: ${d.message}`);
  if (diagLines.length > 0) out.push('', ...diagLines);
  return `${out.join('\n')}\n`;
}

/** 0-based step indices, consecutive ones as a range: `steps #3–#7, #9`. */
function stepsText(steps: readonly number[]): string {
  if (steps.length === 0) return 'no steps';
  const parts: string[] = [];
  let start = steps[0] as number;
  let prev = start;
  const flush = () => parts.push(prev === start ? `#${start}` : `#${start}–#${prev}`);
  for (const s of steps.slice(1)) {
    if (s === prev + 1) {
      prev = s;
      continue;
    }
    flush();
    start = prev = s;
  }
  flush();
  return `${steps.length === 1 ? 'step' : 'steps'} ${parts.join(', ')}`;
}

function wastedText(w: Wasted): string {
  return [w.tokens > 0 ? `${formatTokens(w.tokens)} tok` : '', w.costUsd > 0 ? formatUsd(w.costUsd) : '', w.ms > 0 ? formatDuration(w.ms) : ''].filter(Boolean).join(', ');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
