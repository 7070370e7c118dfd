/** Small synthetic runs for the rule tests: one line per step. */
import type { FindingSeverity, RuleId, TrajectoryConfig } from '../../../../src/core/trajectory/findings';
import { isAgentStep, type JsonValue, type Outcome, type Step, type ToolCall, type Trajectory } from '../../../../src/core/trajectory/model';
import { defaultTrajectoryConfig } from '../../../../src/core/trajectory/validate';

export interface CallSpec {
  tool: string;
  args?: JsonValue;
  /** Raw argument text (kept as rawArguments; parsed into arguments when it is JSON). */
  raw?: string;
  result?: string;
  error?: boolean;
}

export type StepSpec =
  | CallSpec
  | { calls: CallSpec[]; tokens?: number; costUsd?: number; ms?: number; kind?: Step['kind'] }
  | { user: string }
  | { think: string }
  | { text: string; final?: boolean }
  | { harnessError: string };

export interface RunOptions {
  outcome?: Partial<Outcome>;
  /** Tokens (output), cost and duration given to every agent step. */
  perStep?: { tokens?: number; costUsd?: number; ms?: number };
  id?: string;
}

function toCall(c: CallSpec): ToolCall {
  let args: JsonValue = c.args ?? {};
  if (c.raw !== undefined) {
    try {
      args = JSON.parse(c.raw) as JsonValue;
    } catch {
      args = c.raw;
    }
  }
  const call: ToolCall = { toolName: c.tool, arguments: args, isError: c.error ?? false };
  if (c.raw !== undefined) call.rawArguments = c.raw;
  if (c.result !== undefined) call.result = c.result;
  return call;
}

/** A run from step specs; unless told, it ends with a final answer. */
export function run(specs: StepSpec[], o: RunOptions = {}): Trajectory {
  const steps: Step[] = specs.map((s, index): Step => {
    if ('user' in s) return { index, kind: 'user', calls: [], text: s.user };
    if ('think' in s) return { index, kind: 'think', calls: [toCall({ tool: 'think', args: { thought: s.think }, result: '' })] };
    if ('text' in s) return { index, kind: s.final ? 'final' : 'llm', calls: [], text: s.text };
    if ('harnessError' in s) return { index, kind: 'error', calls: [], text: s.harnessError };
    if ('calls' in s) {
      const step: Step = { index, kind: s.kind ?? 'tool', calls: s.calls.map(toCall) };
      if (s.tokens !== undefined) step.tokens = { input: 0, output: s.tokens };
      if (s.costUsd !== undefined) step.costUsd = s.costUsd;
      if (s.ms !== undefined) step.durationMs = s.ms;
      return step;
    }
    return { index, kind: 'tool', calls: [toCall(s)] };
  });
  if (o.perStep) {
    let t = 0;
    for (const s of steps) {
      s.startMs = 1_700_000_000_000 + t;
      if (!isAgentStep(s)) continue;
      if (o.perStep.tokens !== undefined) s.tokens ??= { input: 0, output: o.perStep.tokens };
      if (o.perStep.costUsd !== undefined) s.costUsd ??= o.perStep.costUsd;
      if (o.perStep.ms !== undefined) s.durationMs ??= o.perStep.ms;
      t += s.durationMs ?? 0;
    }
  }
  const last = steps[steps.length - 1];
  const agentSteps = steps.filter(isAgentStep).length;
  const outcome: Outcome =
    agentSteps === 0
      ? { status: 'empty', reason: 'the run has no agent step' }
      : last?.kind === 'final'
        ? { status: 'final-answer', reason: 'the agent answered', step: last.index }
        : { status: 'final-answer', reason: 'the agent answered' };
  Object.assign(outcome, o.outcome);
  const tokens = steps.reduce((n, s) => n + (s.tokens ? s.tokens.input + s.tokens.output : 0), 0);
  const cost = steps.reduce((n, s) => n + (s.costUsd ?? 0), 0);
  const ms = steps.reduce((n, s) => n + (s.durationMs ?? 0), 0);
  const t: Trajectory = {
    id: o.id ?? 'run',
    source: { file: 'synthetic.json' },
    format: 'generic',
    steps,
    outcome,
    totals: { steps: steps.length, agentSteps, toolCalls: steps.reduce((n, s) => n + s.calls.length, 0) },
  };
  if (tokens > 0) t.totals.tokens = { input: 0, output: tokens };
  if (cost > 0) t.totals.costUsd = cost;
  if (ms > 0) t.totals.durationMs = ms;
  return t;
}

/** The default configuration with some rules' settings changed. */
export function config(change: { [Id in RuleId]?: Partial<TrajectoryConfig['rules'][Id]> } = {}, rest: Partial<Omit<TrajectoryConfig, 'rules'>> = {}): TrajectoryConfig {
  const c = defaultTrajectoryConfig();
  for (const [id, v] of Object.entries(change)) Object.assign(c.rules[id as RuleId], v);
  return { ...c, ...rest };
}

/** Every rule off except the given ones. */
export function only(...ids: RuleId[]): TrajectoryConfig {
  const c = defaultTrajectoryConfig();
  for (const id of Object.keys(c.rules) as RuleId[]) if (!ids.includes(id)) (c.rules[id] as { severity: FindingSeverity | 'off' }).severity = 'off';
  return c;
}

export const call = (tool: string, args: JsonValue = {}, result = 'ok', error = false): CallSpec => ({ tool, args, result, error });
