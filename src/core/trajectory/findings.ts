import type { Trajectory, TrajectoryDiagnostic } from './model';

/**
 * The validator's contract: what a rule finds in one run, the settings of every rule (the `trajectory:`
 * section of agentops.yaml, defaults filled in), and the JSON `agentops validate --json` prints. The
 * extension's panel and Problems, and the CLI, are written against these types only.
 */

export const ruleIds = [
  'max-steps',
  'repeated-call',
  'loop',
  'no-progress',
  'error-retry',
  'tool-error',
  'no-final-answer',
  'empty-trajectory',
  'budget-tokens',
  'budget-cost',
  'budget-time',
  'expected-trajectory',
] as const;

export type RuleId = (typeof ruleIds)[number];

export type FindingSeverity = 'error' | 'warning' | 'info';

/** What the steps of a finding cost beyond the first occurrence (a loop's repeats, a stuck retry's retries). */
export interface Wasted {
  tokens: number;
  costUsd: number;
  ms: number;
}

export interface Finding {
  rule: RuleId;
  severity: FindingSeverity;
  /** 0-based indices into Trajectory.steps, in order: the steps the finding is about. */
  steps: number[];
  message: string;
  wasted: Wasted;
}

export interface TrajectoryReport {
  trajectory: Trajectory;
  findings: Finding[];
}

/** Settings shared by every rule. `severity: 'off'` disables a rule. */
export interface RuleSettings {
  severity: FindingSeverity | 'off';
}

export type ExpectedOrder = 'strict' | 'unordered' | 'subset' | 'superset';
export type ArgumentMatch = 'exact' | 'ignore' | 'subset' | 'superset';

/** One expected call of `expected-trajectory`. */
export interface ExpectedCall {
  tool: string;
  /** Compared per `arguments` mode; absent means any arguments. */
  args?: unknown;
}

/** The `trajectory:` section of agentops.yaml, with every default filled in. */
export interface TrajectoryConfig {
  rules: {
    'max-steps': RuleSettings & { max: number };
    'repeated-call': RuleSettings & { warnAt: number; errorAt: number };
    'loop': RuleSettings & { minCycle: number; maxCycle: number; minRepeats: number };
    'no-progress': RuleSettings & { minRepeats: number };
    'error-retry': RuleSettings & { minRepeats: number };
    'tool-error': RuleSettings & { maxErrorRate: number; minCalls: number };
    'no-final-answer': RuleSettings;
    'empty-trajectory': RuleSettings;
    'budget-tokens': RuleSettings & { max?: number };
    'budget-cost': RuleSettings & { maxUsd?: number };
    'budget-time': RuleSettings & { maxMs?: number };
    'expected-trajectory': RuleSettings & { order: ExpectedOrder; arguments: ArgumentMatch; calls?: ExpectedCall[] };
  };
  /** Per tool: argument fields (dotted paths) dropped before comparing calls, e.g. ids and timestamps. */
  volatileFields: Record<string, string[]>;
  /** Tools that may repeat the same call (polling: status checks, waits); exempt from repeated-call, loop and no-progress. */
  pollingTools: string[];
  /** Tools whose steps are thinking, skipped when looking for loops (default: think). */
  thinkTools: string[];
}

/** `agentops validate --json`, exactly. */
export interface ValidateJson {
  trajectories: {
    id: string;
    source: { file: string; index?: number };
    format: string;
    steps: number;
    outcome: string;
    findings: { rule: RuleId; severity: FindingSeverity; steps: number[]; message: string; wasted: Wasted }[];
  }[];
  summary: { trajectories: number; errors: number; warnings: number };
  diagnostics: TrajectoryDiagnostic[];
}
