/**
 * The trajectory validator: every rule of `rules/` over a run, with the precedence that keeps
 * one finding per problem (rules/precedence.ts), and the JSON `agentops validate --json` prints.
 *
 * Linear in the number of steps: one pass prepares the run (canonical keys interned to
 * integers), each rule is a pass with hash maps, and the loop rule is O(steps · maxCycle).
 */
import { ruleIds, type Finding, type RuleId, type TrajectoryConfig, type TrajectoryReport, type ValidateJson } from './findings';
import type { Trajectory, TrajectoryDiagnostic } from './model';
import { compileConfig, prepareRun, type RunContext } from './rules/context';
import { defaultTrajectoryConfig } from './rules/defaults';
import { rules } from './rules/index';
import { applyPrecedence } from './rules/precedence';
import type { Rule, SettingsOf } from './rules/types';

export { defaultTrajectoryConfig } from './rules/defaults';

const order = new Map<RuleId, number>(ruleIds.map((id, i) => [id, i]));

function runRule<Id extends RuleId>(id: Id, ctx: RunContext, config: TrajectoryConfig): Finding[] {
  const settings = config.rules[id];
  if (!settings || settings.severity === 'off') return [];
  const rule = rules[id] as Rule<Id>;
  return rule.check(ctx, settings as SettingsOf<Id>);
}

/**
 * The findings of one run, ordered by their first step (run-wide findings without steps first),
 * then by rule. Fills in `canonicalArguments` of every call (volatile fields of `config` dropped).
 */
export function validateTrajectory(t: Trajectory, config: TrajectoryConfig = defaultTrajectoryConfig()): Finding[] {
  const ctx = prepareRun(t, compileConfig(config));
  const all: Finding[] = [];
  for (const id of ruleIds) for (const f of runRule(id, ctx, config)) all.push(f);
  const kept = applyPrecedence(all, (s) => ctx.steps[s]?.think ?? false);
  return kept.sort((a, b) => (a.steps[0] ?? -1) - (b.steps[0] ?? -1) || (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0));
}

/** Validates every run with one configuration. */
export function validateTrajectories(ts: readonly Trajectory[], config: TrajectoryConfig = defaultTrajectoryConfig()): TrajectoryReport[] {
  return ts.map((trajectory) => ({ trajectory, findings: validateTrajectory(trajectory, config) }));
}

/**
 * `agentops validate --json`: every run with its findings, and the reading diagnostics.
 * `steps` is the number of steps of the run (all kinds), `outcome` its outcome status;
 * `summary.errors` / `summary.warnings` count findings of that severity over all runs.
 */
export function toValidateJson(reports: readonly TrajectoryReport[], diagnostics: readonly TrajectoryDiagnostic[] = []): ValidateJson {
  let errors = 0;
  let warnings = 0;
  const trajectories = reports.map(({ trajectory: t, findings }) => {
    for (const f of findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
    }
    const source: ValidateJson['trajectories'][number]['source'] = { file: t.source.file };
    if (t.source.index !== undefined) source.index = t.source.index;
    return {
      id: t.id,
      source,
      format: t.format,
      steps: t.steps.length,
      outcome: t.outcome.status,
      findings: findings.map((f) => ({ rule: f.rule, severity: f.severity, steps: [...f.steps], message: f.message, wasted: { ...f.wasted } })),
    };
  });
  return { trajectories, summary: { trajectories: reports.length, errors, warnings }, diagnostics: [...diagnostics] };
}

/** Whether any finding is an error: the CLI's exit code 1. */
export function hasErrors(reports: readonly TrajectoryReport[]): boolean {
  return reports.some((r) => r.findings.some((f) => f.severity === 'error'));
}
