/**
 * Alert evaluation: the rules of agentops.yaml (`alerts:`, see config.ts) judged over CallRecords.
 *
 * `evaluateAlerts` is pure: the rules, the calls, the clock and the previous state in, the new state,
 * the alerts firing and the transitions out. The extension calls it every N seconds while collecting
 * and carries the state; `agentops report` replays it over its window (`replayAlerts`).
 *
 * Hysteresis, so an alert does not flap around its threshold: an alert fires after the value has
 * been above the threshold for `for` consecutive evaluations, and resolves only after it has been
 * below `threshold × (1 − hysteresis)` for `resolveAfter` evaluations. Between the two it keeps its
 * state. An evaluation with fewer than `minSamples` requests in the window is no data: it counts
 * neither way (a quiet night does not resolve, nor fire, anything).
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { postAlertmanager, type AlertmanagerOptions, type PostableAlert } from '../deploy/alerts';
import { formatTokens, formatUsd } from '../format';
import { isModelCall } from './calls';
import { percentile } from '../otlp/stats';
import { costPerMs, type AlertRule, type AlertSeverity, type BudgetPeriod } from './config';
import type { CallRecord } from './types';

/** A firing alert, as the report and notifications show it. */
export interface Alert {
  rule: string;
  severity: AlertSeverity;
  /** The measured value, in the rule's unit (rate 0–1, ms, USD per `per`, tokens, USD spent). */
  value: number;
  threshold: number;
  /** ISO time at which it started firing. */
  since: string;
  /** cost and budget rules: the project (absent for calls without one when no filter is set). */
  project?: string;
  /** Up to 20 distinct traces behind the value (the failed calls, the slowest, the costliest, …). */
  traceIds: string[];
}

/** A change of an alert's state, as logged and posted. */
export interface AlertTransition extends Alert {
  /** Which instance of the rule: the rule name, or `name{project=…}` for per-project rules. */
  key: string;
  state: 'firing' | 'resolved';
  /** ISO time of the evaluation that made the change. */
  at: string;
}

/** What is carried between evaluations, per rule instance. Plain JSON: it can be stored. */
export interface AlertInstanceState {
  rule: string;
  project?: string;
  firing: boolean;
  /** Consecutive evaluations above the threshold (while not firing). */
  above: number;
  /** Consecutive evaluations below the resolve level (while firing). */
  below: number;
  /** Epoch ms it started firing. */
  sinceMs?: number;
  /** The last value measured (NaN never: no-data evaluations leave it). */
  value?: number;
  traceIds: string[];
}

export type AlertState = Record<string, AlertInstanceState>;

export interface AlertEvaluation {
  state: AlertState;
  /** Every alert firing after this evaluation, sorted by severity (errors first) then rule. */
  firing: Alert[];
  /** The alerts that started firing or resolved at this evaluation. */
  events: AlertTransition[];
}

export interface EvaluateOptions {
  /**
   * The spend of a budget period from elsewhere (the cost ledger), when the calls passed do not
   * cover the whole period. `project` '' is the calls without a project.
   */
  budgetSpend?: (rule: AlertRule, project: string, startMs: number, endMs: number) => number | undefined;
  /** With budgetSpend and no project filter: the projects to judge (besides those of the calls). */
  budgetProjects?: readonly string[];
}

const maxTraceIds = 20;

/** Where a budget period starts (UTC): the day, the Monday of the week, the first of the month. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const d = new Date(now);
  switch (period) {
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'week': {
      const dow = (d.getUTCDay() + 6) % 7; // Monday 0
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - dow);
    }
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
}

/** Where the budget period containing `now` ends (exclusive). */
export function periodEnd(period: BudgetPeriod, now: number): number {
  const start = new Date(periodStart(period, now));
  switch (period) {
    case 'day':
      return start.getTime() + 86_400_000;
    case 'week':
      return start.getTime() + 7 * 86_400_000;
    case 'month':
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
  }
}

/** One measurement of one rule instance. */
interface Measure {
  key: string;
  project?: string;
  /** undefined: no data. */
  value: number | undefined;
  traceIds: string[];
}

function distinctTraces(calls: readonly CallRecord[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of calls) {
    if (seen.has(c.traceId)) continue;
    seen.add(c.traceId);
    out.push(c.traceId);
    if (out.length >= maxTraceIds) break;
  }
  return out;
}

const byDesc = <T>(f: (x: T) => number) => (a: T, b: T) => f(b) - f(a);

/** The requests of the rule's window (and project), ended in (now − window, now]. */
function windowCalls(rule: AlertRule, calls: readonly CallRecord[], from: number, now: number): CallRecord[] {
  return calls.filter((c) => isModelCall(c) && c.endMs > from && c.endMs <= now && (rule.project === undefined || c.project === rule.project));
}

function instanceKey(rule: AlertRule, project: string, perProject: boolean): string {
  return perProject ? `${rule.name}{project=${project}}` : rule.name;
}

function measure(rule: AlertRule, calls: readonly CallRecord[], now: number, options: EvaluateOptions): Measure[] {
  if (rule.type === 'cost' || rule.type === 'budget') return measureSpend(rule, calls, now, options);
  const inWindow = windowCalls(rule, calls, now - rule.windowMs, now);
  const key = rule.name;
  if (inWindow.length === 0 || inWindow.length < rule.minSamples) return [{ key, value: undefined, traceIds: [] }];
  switch (rule.type) {
    case 'error-rate': {
      const failed = inWindow.filter((c) => c.error);
      return [{ key, value: failed.length / inWindow.length, traceIds: distinctTraces(failed) }];
    }
    case 'latency-p95': {
      const sorted = [...inWindow].sort(byDesc((c) => c.durationMs));
      const asc = Float64Array.from(inWindow, (c) => c.durationMs).sort();
      return [{ key, value: percentile(asc, 95), traceIds: distinctTraces(sorted) }];
    }
    case 'tokens-per-request': {
      const total = inWindow.reduce((s, c) => s + c.inputTokens + c.outputTokens, 0);
      return [{ key, value: total / inWindow.length, traceIds: distinctTraces([...inWindow].sort(byDesc((c) => c.inputTokens + c.outputTokens))) }];
    }
  }
}

/** cost (scaled to USD per `per`) and budget (spent so far in the period), per project unless filtered. */
function measureSpend(rule: AlertRule, calls: readonly CallRecord[], now: number, options: EvaluateOptions): Measure[] {
  const budget = rule.type === 'budget';
  const from = budget ? periodStart(rule.period ?? 'month', now) - 1e-9 : now - rule.windowMs;
  const scale = budget ? 1 : costPerMs[rule.per ?? 'hour'] / rule.windowMs;
  const inWindow = windowCalls(rule, calls, from, now);
  // Per project: '' holds the calls without one (the alert then has no project).
  const groups = new Map<string, CallRecord[]>();
  const perProject = rule.project === undefined;
  for (const c of inWindow) {
    const k = rule.project ?? c.project ?? '';
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  const one = (p: string, value: number | undefined, g: readonly CallRecord[]): Measure => ({
    key: instanceKey(rule, p, perProject),
    ...(p !== '' ? { project: p } : {}),
    value,
    traceIds: distinctTraces([...g].sort(byDesc((c) => c.costUsd ?? 0))),
  });
  if (budget && options.budgetSpend) {
    const projects = rule.project !== undefined ? [rule.project] : [...new Set([...(options.budgetProjects ?? []), ...groups.keys()])];
    return projects.map((p) => one(p, options.budgetSpend?.(rule, p, from, now), groups.get(p) ?? []));
  }
  if (groups.size === 0 && !perProject) return [one(rule.project as string, budget ? 0 : undefined, [])];
  return [...groups.entries()].map(([p, g]) => {
    const spent = g.reduce((s, c) => s + (c.costUsd ?? 0), 0);
    return one(p, g.length < rule.minSamples ? undefined : spent * scale, g);
  });
}

/** Above the threshold: a budget is crossed once reached, the other rules when exceeded. */
function isAbove(rule: AlertRule, v: number): boolean {
  return rule.type === 'budget' ? v >= rule.threshold : v > rule.threshold;
}

function isBelowResolve(rule: AlertRule, v: number): boolean {
  return v < rule.threshold * (1 - rule.hysteresis);
}

/**
 * One evaluation of every rule at `now` (epoch ms). `state` is the previous evaluation's (or `{}`);
 * it is not modified. Per-project instances (cost and budget rules without a project) appear as
 * their projects do, and stay in the state once seen.
 */
export function evaluateAlerts(rules: readonly AlertRule[], calls: readonly CallRecord[], now: number, state: AlertState = {}, options: EvaluateOptions = {}): AlertEvaluation {
  const next: AlertState = {};
  const events: AlertTransition[] = [];
  const at = new Date(now).toISOString();
  for (const rule of rules) {
    const measures = measure(rule, calls, now, options);
    // Per-project instances seen before but without calls now: no data for them, state kept.
    const keys = new Set(measures.map((m) => m.key));
    for (const [k, s] of Object.entries(state)) if (s.rule === rule.name && !keys.has(k)) measures.push({ key: k, ...(s.project !== undefined ? { project: s.project } : {}), value: undefined, traceIds: [] });
    for (const m of measures) {
      const prev = state[m.key];
      const s: AlertInstanceState = prev ? { ...prev, traceIds: [...prev.traceIds] } : { rule: rule.name, firing: false, above: 0, below: 0, traceIds: [] };
      if (m.project !== undefined) s.project = m.project;
      if (m.value !== undefined && Number.isFinite(m.value)) {
        s.value = m.value;
        if (m.traceIds.length > 0 || !s.firing) s.traceIds = m.traceIds;
        if (!s.firing) {
          s.above = isAbove(rule, m.value) ? s.above + 1 : 0;
          if (s.above >= rule.for) {
            s.firing = true;
            s.sinceMs = now;
            s.below = 0;
            events.push({ ...alertOf(rule, s), key: m.key, state: 'firing', at });
          }
        } else {
          s.below = isBelowResolve(rule, m.value) ? s.below + 1 : 0;
          if (s.below >= rule.resolveAfter) {
            events.push({ ...alertOf(rule, s), key: m.key, state: 'resolved', at });
            s.firing = false;
            s.above = 0;
            s.below = 0;
            delete s.sinceMs;
          }
        }
      }
      next[m.key] = s;
    }
  }
  const firing: Alert[] = [];
  for (const rule of rules) for (const s of Object.values(next)) if (s.rule === rule.name && s.firing) firing.push(alertOf(rule, s));
  firing.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.rule.localeCompare(b.rule) || (a.project ?? '').localeCompare(b.project ?? ''));
  return { state: next, firing, events };
}

const severityRank = (s: AlertSeverity): number => (s === 'error' ? 0 : 1);

function alertOf(rule: AlertRule, s: AlertInstanceState): Alert {
  const a: Alert = { rule: rule.name, severity: rule.severity, value: s.value ?? NaN, threshold: rule.threshold, since: new Date(s.sinceMs ?? 0).toISOString(), traceIds: s.traceIds };
  if (s.project !== undefined) a.project = s.project;
  return a;
}

export interface ReplayResult extends AlertEvaluation {
  /** Every transition during the replay, in time order. */
  transitions: AlertTransition[];
  evaluations: number;
}

/**
 * The alerts over a past window, as the live evaluation would have seen them: evaluations every
 * `stepMs` from `start + stepMs` to `end` (the last one exactly at `end`), state carried. The
 * default step is the shortest window of the rules (at least a minute), at most 10,000 steps
 * (the step grows for long windows). Budget rules are judged once, at `end`, over their period
 * so far; `since` is when the running spend reached the budget.
 */
export function replayAlerts(rules: readonly AlertRule[], calls: readonly CallRecord[], start: number, end: number, options: EvaluateOptions & { stepMs?: number } = {}): ReplayResult {
  const stepRules = rules.filter((r) => r.type !== 'budget');
  const budgetRules = rules.filter((r) => r.type === 'budget');
  const windows = stepRules.map((r) => r.windowMs);
  let step = options.stepMs ?? Math.max(60_000, Math.min(...windows, 86_400_000));
  if ((end - start) / step > 10_000) step = (end - start) / 10_000;
  // Sorted by end, so each evaluation only looks at the calls that can be in its windows.
  const sorted = [...calls].sort((a, b) => a.endMs - b.endMs);
  const longest = Math.max(0, ...windows);
  let state: AlertState = {};
  let last: AlertEvaluation = { state, firing: [], events: [] };
  const transitions: AlertTransition[] = [];
  let evaluations = 0;
  if (stepRules.length > 0 && end > start) {
    let lo = 0;
    let hi = 0;
    for (let t = Math.min(end, start + step); ; t = Math.min(end, t + step)) {
      while (lo < sorted.length && (sorted[lo] as CallRecord).endMs <= t - longest) lo++;
      while (hi < sorted.length && (sorted[hi] as CallRecord).endMs <= t) hi++;
      last = evaluateAlerts(stepRules, sorted.slice(lo, hi), t, state, options);
      state = last.state;
      transitions.push(...last.events);
      evaluations++;
      if (t >= end) break;
    }
  }
  if (budgetRules.length === 0) return { ...last, transitions, evaluations };
  const budget = evaluateAlerts(budgetRules, sorted, end, {}, options);
  for (const e of budget.events) {
    const rule = budgetRules.find((r) => r.name === e.rule) as AlertRule;
    e.since = new Date(crossedAt(rule, sorted, e.project, end) ?? end).toISOString();
    const s = budget.state[e.key];
    if (s) s.sinceMs = Date.parse(e.since);
  }
  for (const a of budget.firing) a.since = budget.events.find((e) => e.rule === a.rule && e.project === a.project)?.since ?? a.since;
  const firing = [...last.firing, ...budget.firing].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.rule.localeCompare(b.rule) || (a.project ?? '').localeCompare(b.project ?? ''));
  return { state: { ...last.state, ...budget.state }, firing, events: [...last.events, ...budget.events], transitions: [...transitions, ...budget.events], evaluations: evaluations + 1 };
}

/** When the running spend of the budget period reached the budget (the end of the call that crossed it). */
function crossedAt(rule: AlertRule, sortedByEnd: readonly CallRecord[], project: string | undefined, end: number): number | undefined {
  const from = periodStart(rule.period ?? 'month', end);
  let spent = 0;
  for (const c of sortedByEnd) {
    if (c.endMs < from || c.endMs > end || !isModelCall(c) || (c.project ?? '') !== (rule.project ?? project ?? '')) continue;
    spent += c.costUsd ?? 0;
    if (spent >= rule.threshold) return c.endMs;
  }
  return undefined;
}

// ── the alert log ───────────────────────────────────────────────────────────

/** `.agentops/alerts.jsonl` of a workspace. */
export function defaultAlertLogPath(workspace: string): string {
  return join(workspace, '.agentops', 'alerts.jsonl');
}

/** Alert transitions appended as JSON Lines (one transition a line), the history of what fired and when. */
export class AlertLog {
  constructor(readonly file: string) {}

  /** Appends the transitions (creating the folder and file); nothing for an empty list. */
  async append(events: readonly AlertTransition[]): Promise<void> {
    if (events.length === 0) return;
    await fsp.mkdir(dirname(this.file), { recursive: true });
    await fsp.appendFile(this.file, events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
  }

  /** The transitions logged, oldest first; a damaged line (a crash mid-write) is skipped. */
  async read(): Promise<AlertTransition[]> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: AlertTransition[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as AlertTransition);
      } catch {
        // A torn last line: the rest of the log is still good.
      }
    }
    return out;
  }
}

// ── Alertmanager ────────────────────────────────────────────────────────────

/** The Alertmanager alert of a transition: labels alertname (the rule), severity, project; endsAt when resolved. */
export function alertmanagerAlert(t: AlertTransition, rule?: Pick<AlertRule, 'type' | 'per'>): PostableAlert {
  const labels: Record<string, string> = { alertname: t.rule, severity: t.severity, source: 'agentops' };
  if (rule) labels.type = rule.type;
  if (t.project !== undefined) labels.project = t.project;
  const alert: PostableAlert = {
    labels,
    annotations: {
      summary: `${t.rule}${t.project !== undefined ? ` (${t.project})` : ''}: ${formatAlertValue(rule, t.value)} ${t.state === 'firing' ? 'above' : 'back below'} threshold ${formatAlertValue(rule, t.threshold)}`,
      ...(t.traceIds.length > 0 ? { traceIds: t.traceIds.join(',') } : {}),
    },
    startsAt: t.since,
  };
  if (t.state === 'resolved') alert.endsAt = t.at;
  return alert;
}

/** A rule's value (or threshold) in its unit: 6.0%, 2,400 ms, $0.42/hour, 1,200 tokens/request, $4.10. */
export function formatAlertValue(rule: Pick<AlertRule, 'type' | 'per'> | undefined, v: number): string {
  switch (rule?.type) {
    case 'error-rate':
      return `${(v * 100).toFixed(1)}%`;
    case 'latency-p95':
      return `${formatTokens(Math.round(v))} ms`;
    case 'cost':
      return `${formatUsd(v)}/${rule.per ?? 'hour'}`;
    case 'tokens-per-request':
      return `${formatTokens(Math.round(v))} tokens/request`;
    case 'budget':
      return formatUsd(v);
    default:
      return Number.isInteger(v) ? String(v) : String(Math.round(v * 10_000) / 10_000);
  }
}

/** Posts the transitions to Alertmanager (firing ones open, resolved ones with endsAt). Rejects with the reason. */
export async function postAlertTransitions(url: string, events: readonly AlertTransition[], rules: readonly AlertRule[], options: AlertmanagerOptions = {}): Promise<void> {
  if (events.length === 0) return;
  const byName = new Map(rules.map((r) => [r.name, r]));
  await postAlertmanager(
    url,
    events.map((e) => alertmanagerAlert(e, byName.get(e.rule))),
    options,
    'alerts.alertmanager.url',
  );
}

// ── the live loop ───────────────────────────────────────────────────────────

export interface AlertMonitorOptions {
  /** Where transitions are appended (e.g. new AlertLog(defaultAlertLogPath(workspace))). */
  log?: AlertLog;
  /** alerts.alertmanager of agentops.yaml, and how to reach it. */
  alertmanager?: { url: string; options?: AlertmanagerOptions };
  evaluate?: EvaluateOptions;
  /** A failed log write or Alertmanager post: reported here, never thrown (an alert must not stop the collector). */
  onError?: (err: unknown, where: 'log' | 'alertmanager') => void;
}

/**
 * The state-carrying side of evaluateAlerts for a host that evaluates every N seconds (the
 * extension while collecting): each tick evaluates, appends the transitions to the log and posts
 * them to Alertmanager. The evaluation itself stays pure; this only wires its outputs.
 */
export class AlertMonitor {
  private state: AlertState = {};

  constructor(
    private rules: readonly AlertRule[],
    private readonly options: AlertMonitorOptions = {},
  ) {}

  /** New rules (agentops.yaml changed): instances of rules that still exist keep their state. */
  setRules(rules: readonly AlertRule[]): void {
    const names = new Set(rules.map((r) => r.name));
    this.rules = rules;
    this.state = Object.fromEntries(Object.entries(this.state).filter(([, s]) => names.has(s.rule)));
  }

  get currentState(): Readonly<AlertState> {
    return this.state;
  }

  async tick(calls: readonly CallRecord[], now: number): Promise<AlertEvaluation> {
    const r = evaluateAlerts(this.rules, calls, now, this.state, this.options.evaluate);
    this.state = r.state;
    if (r.events.length > 0) {
      const { log, alertmanager, onError } = this.options;
      await Promise.all([
        log?.append(r.events).catch((err: unknown) => onError?.(err, 'log')),
        alertmanager ? postAlertTransitions(alertmanager.url, r.events, this.rules, alertmanager.options).catch((err: unknown) => onError?.(err, 'alertmanager')) : undefined,
      ]);
    }
    return r;
  }
}
