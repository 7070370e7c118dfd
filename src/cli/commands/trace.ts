import { formatTokens, formatUsd } from '../../core/format';
import { ExitCode, UsageError, type CliCommand } from '../command';

export const traceCommand: CliCommand = {
  name: 'trace',
  summary: 'Summarize OTLP JSON / JSONL trace files: traces, spans, errors, tokens and cost',
  usage: ['trace <files...> [--trace ID] [--critical-path] [--json]'],
  options: {
    trace: { type: 'string', value: 'ID', description: 'Only the trace with this id (hex)' },
    'critical-path': { type: 'boolean', description: 'Also list the spans on each trace’s critical path' },
  },
  positionals: { min: 1, max: Infinity, name: 'files' },
  async run({ positionals, options, io }) {
    const otlp = await import('../../core/otlp/index');
    const tokens = await import('../../core/tokens/index');
    const files = positionals.map((p) => (p.startsWith('/') ? p : `${io.cwd}/${p}`));
    // Unreadable files (missing, a directory) throw an InputError: exit 2. Damaged content is diagnostics.
    const set = await otlp.readTraceFiles(files);
    const wanted = typeof options.trace === 'string' ? options.trace.toLowerCase() : undefined;
    const traces = wanted ? set.traces.filter((t) => t.traceId === wanted) : set.traces;
    if (wanted && traces.length === 0) throw new UsageError(`no trace ${wanted} in ${positionals.join(', ')}`, 'trace');
    const prices = tokens.bundledPriceTable();
    const withPath = options['critical-path'] === true;
    const summaries = traces.map((t) => {
      const summary = otlp.summarizeTrace(t, prices);
      if (!withPath) return summary;
      const path = otlp.criticalPath(t);
      return { ...summary, criticalPath: path.ok ? path.spans.map((i) => ({ spanId: t.spans[i]?.spanId, name: t.spans[i]?.name })) : { unavailable: path.reason } };
    });
    const totals = otlp.totalsOf(summaries);
    const shortName = (file: string) => (file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : file);
    const diagnostics = set.diagnostics.map((d) => ({ file: shortName(d.file), ...(d.line !== undefined ? { line: d.line } : {}), severity: d.severity, message: d.message }));

    const lines = summaries.map((s) => {
      const tok = s.tokens.input + s.tokens.output;
      return `${s.traceId}  ${s.rootName}  ${s.durationMs.toFixed(1)} ms  ${s.spanCount} spans${s.errorCount ? `  ${plural(s.errorCount, 'error')}` : ''}${tok ? `  ${formatTokens(tok)} tok` : ''}${s.costUsd !== null ? `  ${formatUsd(s.costUsd)}` : ''}${s.models.length ? `  [${s.models.join(', ')}]` : ''}`;
    });
    const pathLines = withPath
      ? traces.map((t) => {
          const path = otlp.criticalPath(t);
          return `critical path of ${t.traceId}: ${path.ok ? path.spans.map((i) => t.spans[i]?.name).join(' → ') : `not available (${path.reason})`}`;
        })
      : [];
    const diagLines = diagnostics.map((d) => `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.severity}: ${d.message}`);
    const text = [
      ...lines,
      ...pathLines,
      `${plural(totals.traces, 'trace')}, ${plural(totals.spans, 'span')}, ${plural(totals.errors, 'error')}${totals.costUsd !== null ? `, ${formatUsd(totals.costUsd)}` : ''}`,
      ...(diagLines.length ? ['', ...diagLines] : []),
    ].join('\n');
    return { exitCode: ExitCode.ok, json: { traces: summaries, totals, diagnostics }, text: `${text}\n` };
  },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
