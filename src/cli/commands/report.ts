import { existsSync, promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../core/errors';
import { formatPercent, formatTokens, formatUsd } from '../../core/format';
import { describeFsError } from '../../core/io/openInput';
import type { Alert } from '../../core/monitor/alerts';
import type { GroupStats } from '../../core/monitor/aggregate';
import type { BudgetStatus, CostLedger } from '../../core/monitor/costLedger';
import type { ConsistencyReport } from '../../core/monitor/consistency';
import type { AlertRule, MonitorConfig } from '../../core/monitor/config';
import type { DriftReport } from '../../core/monitor/drift';
import type { ReadCallsResult } from '../../core/monitor/calls';
import type { CallRecord, Dimension, Summary } from '../../core/monitor/types';
import type { TraceDiagnostic } from '../../core/otlp/model';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const dimensions = ['user', 'project', 'model', 'agent'] as const satisfies readonly Dimension[];
type ReportDimension = (typeof dimensions)[number];

/** One group of `by` in the report: the summary's figures (no refs: the JSON stays small). */
export type ReportGroup = Omit<GroupStats, 'refs'>;

/** An alert in the report: the contract's five keys, plus the project and the traces behind it. */
export type ReportAlert = Pick<Alert, 'rule' | 'severity' | 'value' | 'threshold' | 'since'> & { project?: string; traceIds: string[] };

/** `agentops report --json`: Summary's keys, then by, alerts, drift, and the extras consistency and budgets. */
export interface ReportJson extends Summary {
  by: Record<string, ReportGroup>;
  alerts: ReportAlert[];
  /** `{}` without --compare. */
  drift: DriftReport | Record<string, never>;
  consistency: ConsistencyReport;
  budgets: BudgetStatus[];
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'Report on collected traces: requests, errors, latency, tokens, cost by user/project/model/agent, alerts, budgets, drift',
  usage: [
    'report [files|dirs...] [--since D] [--until D] [--version V] [--by user|project|model|agent] [--compare files|dirs] [--baseline-since D] [--baseline-until D] [--baseline-version V] [--config agentops.yaml] [--json]',
    'report --by project --since 7d        (reads .agentops/traces/; exit 1 when an alert of severity error fires)',
    'report --since 1h --baseline-since 2h --baseline-until 1h     (drift: the last hour against the hour before)',
    'report --version v2 --baseline-version v1                     (drift: version v2 against v1, in the same files)',
  ],
  options: {
    since: { type: 'string', value: 'D', description: 'Start of the window: 7d, 24h, 90m ago, or an ISO date/time (default: the first call)' },
    until: { type: 'string', value: 'D', description: 'End of the window: like --since (default: now with --since, else the last call)' },
    by: { type: 'string', value: 'DIM', description: 'Group requests, tokens and cost by user, project, model or agent' },
    version: { type: 'string', value: 'V', description: 'Only the calls of this version (the version attribute, default service.version)' },
    compare: { type: 'string', multiple: true, value: 'PATH', description: 'A baseline (files or dirs) to measure drift against (PSI, KS); default: the files reported on' },
    'baseline-since': { type: 'string', value: 'D', description: 'The baseline: calls that ended after D (like --since)' },
    'baseline-until': { type: 'string', value: 'D', description: 'The baseline: calls that ended before D (like --until)' },
    'baseline-version': { type: 'string', value: 'V', description: 'The baseline: the calls of this version' },
    config: { type: 'string', value: 'FILE', description: 'Alert rules and drift thresholds: the alerts: and drift: sections (default ./agentops.yaml when present)' },
    ledger: { type: 'string', value: 'FILE', description: 'Record costs in this cost ledger and take budgets from it (default .agentops/costs.sqlite when reading .agentops/traces/)' },
  },
  positionals: { min: 0, max: Infinity, name: 'files' },
  async run({ positionals, options, io }) {
    const now = Date.now();
    const since = timeOption(options.since, 'since', now);
    const until = timeOption(options.until, 'until', now);
    if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until (${new Date(until).toISOString()}) is before --since (${new Date(since).toISOString()})`, 'report');
    const by = options.by;
    if (by !== undefined && !(typeof by === 'string' && (dimensions as readonly string[]).includes(by))) {
      throw new UsageError(`--by must be one of ${dimensions.join(', ')}, got '${String(by)}'`, 'report');
    }
    const version = typeof options.version === 'string' ? options.version : undefined;
    const baseline = {
      since: timeOption(options['baseline-since'], 'baseline-since', now),
      until: timeOption(options['baseline-until'], 'baseline-until', now),
      version: typeof options['baseline-version'] === 'string' ? options['baseline-version'] : undefined,
    };
    const shortName = (file: string) => (file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : file);
    const config = await readConfig(typeof options.config === 'string' ? options.config : undefined, io, shortName);

    const useDefault = positionals.length === 0;
    const paths = useDefault ? [resolve(io.cwd, '.agentops', 'traces')] : positionals.map((p) => resolve(io.cwd, p));
    if (useDefault && !existsSync(paths[0] as string)) {
      throw new UsageError('no trace files given and .agentops/traces/ does not exist here (start the collector, or name files or folders)', 'report');
    }
    const monitor = await import('../../core/monitor/calls');
    const agg = await import('../../core/monitor/aggregate');
    const alerts = await import('../../core/monitor/alerts');

    const budgetRules = config.alerts.rules.filter((r) => r.type === 'budget');
    // Budgets look at their whole period (this month, …), which may start before --since.
    const periodFrom = Math.min(...budgetRules.map((r) => alerts.periodStart(r.period ?? 'month', until ?? now)));
    const keepFrom = since !== undefined ? Math.min(since, periodFrom) : undefined;
    const read = await monitor.readCalls(paths, {
      ...(keepFrom !== undefined || until !== undefined || version !== undefined
        ? { keep: (c: CallRecord) => (keepFrom === undefined || c.endMs >= keepFrom) && (until === undefined || c.endMs <= until) && (version === undefined || c.version === version) }
        : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    checkReadable(read, shortName);
    reportDiagnostics(read.diagnostics, io, shortName);

    const calls = read.calls;
    let firstStart = Infinity;
    let lastEnd = -Infinity;
    for (const c of calls) {
      if (since === undefined) firstStart = Math.min(firstStart, c.startMs);
      lastEnd = Math.max(lastEnd, c.endMs);
    }
    const start = since ?? (Number.isFinite(firstStart) ? firstStart : now);
    const end = until ?? (since !== undefined || !Number.isFinite(lastEnd) ? now : lastEnd);
    const window = { startMs: start, endMs: end };
    const inWindow = agg.callsInWindow(calls, window);
    const summary = agg.summarize(inWindow, window);
    const groups: Record<string, ReportGroup> = {};
    if (typeof by === 'string') {
      for (const [k, g] of Object.entries(agg.groupBy(inWindow, by as ReportDimension))) {
        const { refs: _refs, ...rest } = g;
        groups[k] = rest;
      }
    }

    // Costs: the ledger when there is one (it remembers rotated files), else the calls read.
    const ledgerFile = typeof options.ledger === 'string' ? resolve(io.cwd, options.ledger) : useDefault ? resolve(io.cwd, '.agentops', 'costs.sqlite') : undefined;
    const costs = await import('../../core/monitor/costLedger');
    let budgets: BudgetStatus[];
    let budgetSpend: ((rule: (typeof budgetRules)[number], project: string, s: number, e: number) => number) | undefined;
    let budgetProjects: string[] = [];
    let ledger: CostLedger | undefined;
    if (ledgerFile !== undefined) {
      try {
        ledger = await costs.CostLedger.open(ledgerFile);
      } catch (err) {
        const why = `cannot open the cost ledger: ${err instanceof Error ? err.message : String(err)}`;
        // A ledger asked for is required; the implicit one is a bonus: without it, budgets come from the files read.
        if (typeof options.ledger === 'string') throw new InputError({ file: shortName(ledgerFile) }, why, { cause: err });
        io.stderr(`agentops: ${shortName(ledgerFile)}: ${why}; budgets are computed from the trace files alone\n`);
      }
    }
    try {
      if (ledger) {
        ledger.ingest(calls);
        const l = ledger;
        budgets = l.budgetStatus(budgetRules, end);
        budgetSpend = (_rule, project, s, e) => l.spend(project, s, e);
        budgetProjects = budgets.map((b) => b.project);
      } else budgets = costs.budgetStatusOf(budgetRules, end, costs.spendFromCalls(calls));
    } finally {
      ledger?.close();
    }

    const replay = alerts.replayAlerts(config.alerts.rules, calls, start, end, budgetSpend ? { budgetSpend, budgetProjects } : {});
    const firing: ReportAlert[] = replay.firing.map((a) => ({ rule: a.rule, severity: a.severity, value: a.value, threshold: a.threshold, since: a.since, ...(a.project !== undefined ? { project: a.project } : {}), traceIds: a.traceIds }));

    const { consistency } = await import('../../core/monitor/consistency');
    const cons = consistency(inWindow, { threshold: config.drift.consistencyThreshold, minRuns: config.drift.consistencyMinRuns });
    if (cons.belowThreshold && cons.overall !== null) {
      firing.push({ rule: 'consistency', severity: config.drift.consistencySeverity, value: cons.overall, threshold: cons.threshold, since: new Date(start).toISOString(), traceIds: cons.inconsistent.flatMap((g) => g.traceIds).slice(0, 20) });
    }

    let drift: DriftReport | Record<string, never> = {};
    const compare = Array.isArray(options.compare) ? options.compare.filter((x): x is string => typeof x === 'string') : typeof options.compare === 'string' ? [options.compare] : [];
    const windowed = baseline.since !== undefined || baseline.until !== undefined || baseline.version !== undefined;
    if (compare.length > 0 || windowed) {
      // The baseline: other files, or the same ones in another window or of another version (before / after a deploy, A vs B).
      const base = await monitor.readCalls(compare.length > 0 ? compare.map((p) => resolve(io.cwd, p)) : paths, {
        ...(windowed
          ? { keep: (c: CallRecord) => (baseline.since === undefined || c.endMs >= baseline.since) && (baseline.until === undefined || c.endMs <= baseline.until) && (baseline.version === undefined || c.version === baseline.version) }
          : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      if (compare.length > 0) checkReadable(base, shortName);
      reportDiagnostics(base.diagnostics, io, shortName);
      const { compareCalls } = await import('../../core/monitor/drift');
      const d = compareCalls(base.calls, inWindow, config.drift);
      drift = d;
      if (d.drifted.length > 0) {
        const worst = Math.max(0, ...d.drifted.map((k) => d[k as 'inputTokens'].psi ?? 0));
        firing.push({ rule: 'drift', severity: 'warning', value: worst, threshold: d.thresholds.psiDrift, since: new Date(start).toISOString(), traceIds: [] });
      }
    }
    firing.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

    const doc: ReportJson = { ...summary, by: groups, alerts: firing, drift, consistency: cons, budgets };
    const exitCode = firing.some((a) => a.severity === 'error') ? ExitCode.gateFailed : ExitCode.ok;
    return { exitCode, json: doc, text: renderText(doc, typeof by === 'string' ? by : undefined, read.files.length, config.alerts.rules, alerts.formatAlertValue) };
  },
};

const relative = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/i;
const unitMs: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `24h`, `90m`, `2w` before now, or an ISO date or date-time. */
export function parseTimeOption(text: string, now: number): number | undefined {
  const t = text.trim();
  const rel = relative.exec(t);
  if (rel) return now - Number(rel[1]) * (unitMs[(rel[2] as string).toLowerCase()] as number);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

function timeOption(v: unknown, name: string, now: number): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? parseTimeOption(v, now) : undefined;
  if (ms === undefined) throw new UsageError(`--${name} must be a duration ago (7d, 24h, 90m) or an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z, got '${String(v)}'`, 'report');
  return ms;
}

/** The alerts: and drift: sections of --config, or of ./agentops.yaml when there is one; defaults otherwise. A problem is exit 2. */
async function readConfig(given: string | undefined, io: CliIo, shortName: (file: string) => string): Promise<MonitorConfig> {
  const core = await import('../../core/monitor/config');
  const file = resolve(io.cwd, given ?? 'agentops.yaml');
  if (given === undefined && !existsSync(file)) return core.loadMonitorConfig('', 'agentops.yaml').config;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file: given ?? shortName(file) }, describeFsError(err), { cause: err });
  }
  const { config, problems } = core.loadMonitorConfig(text, shortName(file));
  const [first, ...rest] = problems;
  if (!first) return config;
  const loc = (p: typeof first) => ({ file: p.file, line: p.line, column: p.column, ...(p.field ? { field: p.field } : {}) });
  for (const p of rest) io.stderr(`agentops: ${new InputError(loc(p), p.message).message}\n`);
  throw new InputError(loc(first), first.message);
}

/** A file of which no span could be read and whose content could not be parsed is unreadable input: exit 2 at its first bad line. */
function checkReadable(read: ReadCallsResult, shortName: (f: string) => string): void {
  for (const { file, spans } of read.perFile) {
    if (spans > 0) continue;
    const bad = read.diagnostics.find((d) => d.file === file && d.severity === 'error');
    if (bad) throw new InputError({ file: shortName(file), ...(bad.line !== undefined ? { line: bad.line } : {}) }, `no trace could be read: ${bad.message}`);
  }
}

/** Damaged lines in files that were otherwise read: on stderr (errors only, at most 10), never in the JSON. */
function reportDiagnostics(diagnostics: readonly TraceDiagnostic[], io: CliIo, shortName: (f: string) => string): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors.slice(0, 10)) io.stderr(`agentops: ${shortName(d.file)}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}\n`);
  if (errors.length > 10) io.stderr(`agentops: … and ${errors.length - 10} more problem(s) in the trace files\n`);
}

// ── text ────────────────────────────────────────────────────────────────────

function ms(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function rate(v: number): string {
  return v === 0 ? '0%' : formatPercent(v);
}

/** The value against the threshold in the rule's unit: 6.0% > 5.0%, 9,000 ms > 8,000 ms, $40.00/hour > $5.00/hour, … */
function valueText(a: ReportAlert, rule: AlertRule | undefined, format: (rule: AlertRule | undefined, v: number) => string): string {
  if (rule?.type === 'budget') return `${format(rule, a.value)} spent of ${format(rule, a.threshold)} (${rule.period ?? 'month'})`;
  return `${format(rule, a.value)} > ${format(rule, a.threshold)}`;
}

/** A table: columns padded, numbers right-aligned. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...rows.map(line)];
}

function renderText(doc: ReportJson, by: string | undefined, files: number, rules: readonly AlertRule[], format: (rule: AlertRule | undefined, v: number) => string): string {
  const out: string[] = [];
  out.push(`Window    ${doc.window.start} → ${doc.window.end}  (${files} file${files === 1 ? '' : 's'})`);
  out.push(`Requests  ${formatTokens(doc.requests)}   errors ${formatTokens(doc.errors)} (${rate(doc.errorRate)})`);
  out.push(`Latency   p50 ${ms(doc.latencyMs.p50)}   p95 ${ms(doc.latencyMs.p95)}   p99 ${ms(doc.latencyMs.p99)}`);
  out.push(`Tokens    ${formatTokens(doc.tokens.input)} in   ${formatTokens(doc.tokens.output)} out`);
  out.push(`Cost      ${formatUsd(doc.costUsd)}`);
  const groups = Object.entries(doc.by);
  if (by !== undefined) {
    out.push('', `By ${by}`);
    if (groups.length === 0) out.push('  (no requests)');
    else
      out.push(
        ...table(
          [by, 'requests', 'errors', 'err%', 'tokens in', 'tokens out', 'cost', 'p95'],
          groups.map(([k, g]) => [k, formatTokens(g.requests), formatTokens(g.errors), rate(g.errorRate), formatTokens(g.tokens.input), formatTokens(g.tokens.output), formatUsd(g.costUsd), ms(g.latencyMs.p95)]),
        ).map((l) => `  ${l}`),
      );
  }
  if (doc.budgets.length > 0) {
    out.push('', 'Budgets');
    out.push(
      ...table(
        ['project', 'period', 'spent', 'budget', 'used'],
        doc.budgets.map((b) => [b.project || '(none)', b.period, formatUsd(b.spentUsd), formatUsd(b.limitUsd), `${Number.isFinite(b.percent) ? b.percent.toFixed(0) : '∞'}%${b.crossed ? '  CROSSED' : ''}`]),
      ).map((l) => `  ${l}`),
    );
  }
  out.push('', doc.alerts.length === 0 ? 'Alerts    none firing' : 'Alerts');
  for (const a of doc.alerts) out.push(`  ${a.severity.padEnd(7)}  ${a.rule}${a.project !== undefined ? ` (${a.project})` : ''}  ${valueText(a, rules.find((r) => r.name === a.rule), format)}  since ${a.since}`);
  if (doc.consistency.groups > 0) {
    out.push('', `Consistency  ${doc.consistency.overall?.toFixed(3)} over ${doc.consistency.groups} repeated input(s); ${doc.consistency.inconsistent.length} below ${doc.consistency.threshold}`);
  }
  if ('inputTokens' in doc.drift) {
    const d = doc.drift as DriftReport;
    out.push('', `Drift     baseline ${d.baseline.requests} requests → current ${d.current.requests}${d.drifted.length > 0 ? `  DRIFT: ${d.drifted.join(', ')}` : '  no drift'}`);
    const f = (v: number | null, digits = 3) => (v === null ? '–' : v.toFixed(digits));
    out.push(
      ...table(
        ['measure', 'PSI', 'level', 'KS D', 'KS p'],
        [
          ...(['inputTokens', 'outputTokens', 'latencyMs'] as const).map((k) => [k, f(d[k].psi), d[k].level, f(d[k].ks.statistic), f(d[k].ks.pValue, 4)]),
          ...(['tools', 'finishReasons', 'errorTypes'] as const).map((k) => [k, f(d[k].psi), d[k].level, '', '']),
        ],
      ).map((l) => `  ${l}`),
    );
  }
  return `${out.join('\n')}\n`;
}
