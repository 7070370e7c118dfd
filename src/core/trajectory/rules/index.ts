/** The rules of the trajectory validator, one module each; `allRules` in a stable order. */
import type { RuleId } from '../findings';
import { budgetCostRule, budgetTimeRule, budgetTokensRule } from './budget';
import { expectedTrajectoryRule } from './expected';
import { loopRule } from './loop';
import { maxStepsRule } from './maxSteps';
import { emptyTrajectoryRule, noFinalAnswerRule, toolErrorRule } from './outcome';
import { repeatedCallRule } from './repeatedCall';
import { errorRetryRule, noProgressRule } from './repeats';
import type { Rule } from './types';

export type RuleTable = { [Id in RuleId]: Rule<Id> };

export const rules: RuleTable = {
  'max-steps': maxStepsRule,
  'repeated-call': repeatedCallRule,
  'loop': loopRule,
  'no-progress': noProgressRule,
  'error-retry': errorRetryRule,
  'tool-error': toolErrorRule,
  'no-final-answer': noFinalAnswerRule,
  'empty-trajectory': emptyTrajectoryRule,
  'budget-tokens': budgetTokensRule,
  'budget-cost': budgetCostRule,
  'budget-time': budgetTimeRule,
  'expected-trajectory': expectedTrajectoryRule,
};

export { defaultSeverities, defaultTrajectoryConfig } from './defaults';
export { applyPrecedence, precedence } from './precedence';
export { findCycles, type Cycle, type CycleOptions } from './loop';
export { canonicalArguments, compileConfig, prepareRun, type CompiledConfig, type RunContext, type CallInfo, type StepInfo } from './context';
export { argsMatch } from './expected';
export type { Rule, SettingsOf } from './types';
