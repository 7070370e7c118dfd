/**
 * `budget-tokens`, `budget-cost`, `budget-time`: the run spent more than a configured maximum.
 * Silent unless the maximum is set. The finding names the steps from the one that crossed the
 * budget to the end (what was spent over budget), or the last step when the file records only
 * run totals.
 */
import type { Finding, RuleId, Wasted } from '../findings';
import type { Step, Trajectory } from '../model';
import { noWaste, wasteOfSteps, type RunContext } from './context';
import { defaultSeverities } from './defaults';
import { stepList } from './text';
import { defineRule, type SettingsOf } from './types';

interface Measure {
  rule: RuleId;
  what: string;
  total(t: Trajectory): number | undefined;
  /** The amount spent by the end of each step (undefined when the file does not say). */
  runningTotal(t: Trajectory): (number | undefined)[];
  show(x: number): string;
}

function overBudget(ctx: RunContext, m: Measure, max: number | undefined, severity: Finding['severity']): Finding[] {
  if (max === undefined) return [];
  const t = ctx.trajectory;
  const total = m.total(t);
  if (total === undefined || total <= max) return [];
  const running = m.runningTotal(t);
  const crossed = running.findIndex((x) => x !== undefined && x > max);
  const steps: number[] = [];
  if (crossed >= 0) for (let k = crossed; k < t.steps.length; k++) steps.push(k);
  else if (t.steps.length > 0) steps.push(t.steps.length - 1);
  const wasted: Wasted = crossed >= 0 ? wasteOfSteps(ctx, steps) : noWaste();
  const where = crossed >= 0 ? `; over budget from step ${crossed} (${stepList(steps)})` : '';
  return [{ rule: m.rule, severity, steps, message: `${m.what} ${m.show(total)}, over the budget of ${m.show(max)}${where}`, wasted }];
}

const tokensOf = (t: { input: number; output: number } | undefined): number | undefined => (t ? t.input + t.output : undefined);

/** Prefix sums of a per-step amount; undefined before the first step that records one. */
function prefixSums(t: Trajectory, of: (s: Step) => number | undefined): (number | undefined)[] {
  let sum: number | undefined;
  return t.steps.map((s) => {
    const x = of(s);
    if (x !== undefined) sum = (sum ?? 0) + x;
    return sum;
  });
}

/** Wall time by the end of each step: from the first step's start when steps are stamped, else summed durations. */
function elapsed(t: Trajectory): (number | undefined)[] {
  const t0 = t.steps.find((s) => s.startMs !== undefined)?.startMs;
  if (t0 === undefined) return prefixSums(t, (s) => s.durationMs);
  return t.steps.map((s) => (s.startMs === undefined ? undefined : s.startMs + (s.durationMs ?? 0) - t0));
}

function wallMs(t: Trajectory): number | undefined {
  if (t.totals.durationMs !== undefined) return t.totals.durationMs;
  let sum: number | undefined;
  for (const s of t.steps) if (s.durationMs !== undefined) sum = (sum ?? 0) + s.durationMs;
  return sum;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number(s.toFixed(1))} s`;
  const m = s / 60;
  if (m < 120) return `${Number(m.toFixed(1))} min`;
  return `${Number((m / 60).toFixed(1))} h`;
}

export const budgetTokensRule = defineRule({
  id: 'budget-tokens',
  defaultSeverity: defaultSeverities['budget-tokens'],
  summary: 'The run used more tokens than the budget (off unless `max` is set).',
  check: (ctx: RunContext, s: SettingsOf<'budget-tokens'>) =>
    overBudget(ctx, { rule: 'budget-tokens', what: 'the run used', total: (t) => tokensOf(t.totals.tokens), runningTotal: (t) => prefixSums(t, (x) => tokensOf(x.tokens)), show: (x) => `${Math.round(x).toLocaleString('en-US')} tokens` }, s.max, s.severity),
});

export const budgetCostRule = defineRule({
  id: 'budget-cost',
  defaultSeverity: defaultSeverities['budget-cost'],
  summary: 'The run cost more than the budget (off unless `maxUsd` is set).',
  check: (ctx: RunContext, s: SettingsOf<'budget-cost'>) =>
    overBudget(ctx, { rule: 'budget-cost', what: 'the run cost', total: (t) => t.totals.costUsd, runningTotal: (t) => prefixSums(t, (x) => x.costUsd), show: (x) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}` }, s.maxUsd, s.severity),
});

export const budgetTimeRule = defineRule({
  id: 'budget-time',
  defaultSeverity: defaultSeverities['budget-time'],
  summary: 'The run took longer than the budget (off unless `maxMs` is set).',
  check: (ctx: RunContext, s: SettingsOf<'budget-time'>) =>
    overBudget(ctx, { rule: 'budget-time', what: 'the run took', total: wallMs, runningTotal: elapsed, show: formatDuration }, s.maxMs, s.severity),
});
