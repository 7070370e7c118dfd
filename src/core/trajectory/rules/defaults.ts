import type { FindingSeverity, RuleId, TrajectoryConfig } from '../findings';

/**
 * Default severity of every rule. Rules that need a value to mean anything (the budgets,
 * expected-trajectory) have a severity but stay silent until their setting is given.
 */
export const defaultSeverities: Readonly<Record<RuleId, FindingSeverity>> = {
  'max-steps': 'warning',
  'repeated-call': 'warning',
  'loop': 'error',
  'no-progress': 'error',
  'error-retry': 'error',
  'tool-error': 'warning',
  'no-final-answer': 'warning',
  'empty-trajectory': 'error',
  'budget-tokens': 'error',
  'budget-cost': 'error',
  'budget-time': 'error',
  'expected-trajectory': 'error',
};

/**
 * The `trajectory:` section when agentops.yaml says nothing: thresholds from research/trajectory.md §3
 * ("Synthesis for our validator"). A fresh object each call: callers may change it.
 */
export function defaultTrajectoryConfig(): TrajectoryConfig {
  const s = defaultSeverities;
  return {
    rules: {
      'max-steps': { severity: s['max-steps'], max: 50 },
      'repeated-call': { severity: s['repeated-call'], warnAt: 3, errorAt: 5 },
      'loop': { severity: s['loop'], minCycle: 2, maxCycle: 5, minRepeats: 3 },
      'no-progress': { severity: s['no-progress'], minRepeats: 3 },
      'error-retry': { severity: s['error-retry'], minRepeats: 3 },
      'tool-error': { severity: s['tool-error'], maxErrorRate: 0.5, minCalls: 4 },
      'no-final-answer': { severity: s['no-final-answer'] },
      'empty-trajectory': { severity: s['empty-trajectory'] },
      'budget-tokens': { severity: s['budget-tokens'] },
      'budget-cost': { severity: s['budget-cost'] },
      'budget-time': { severity: s['budget-time'] },
      'expected-trajectory': { severity: s['expected-trajectory'], order: 'superset', arguments: 'exact' },
    },
    volatileFields: {},
    // SWE-agent's file viewer: the same scroll call shows the next window each time (Roo Code exempts
    // its browser scroll actions for the same reason).
    pollingTools: ['scroll_down', 'scroll_up'],
    thinkTools: ['think'],
  };
}

/** The largest cycle the loop rule may be asked to look for (its cost is linear in it). */
export const maxCycleLimit = 20;
