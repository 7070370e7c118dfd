import type { Finding, FindingSeverity, RuleId, TrajectoryConfig } from '../findings';
import type { RunContext } from './context';

/** The settings of one rule, with `severity` never 'off' (the engine does not run rules that are off). */
export type SettingsOf<Id extends RuleId> = TrajectoryConfig['rules'][Id] & { severity: FindingSeverity };

/** One rule: a stable id, its default severity, and a check over a prepared run. */
export interface Rule<Id extends RuleId = RuleId> {
  id: Id;
  defaultSeverity: FindingSeverity;
  /** One line for people (docs, the panel's tooltip). */
  summary: string;
  check(ctx: RunContext, settings: SettingsOf<Id>): Finding[];
}

export function defineRule<Id extends RuleId>(rule: Rule<Id>): Rule<Id> {
  return rule;
}
