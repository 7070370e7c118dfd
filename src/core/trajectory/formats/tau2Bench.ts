/**
 * tau2-bench results: `{timestamp, info{max_steps, max_errors, agent_info, user_info…}, tasks[],
 * simulations[{id, task_id, trial, start_time, end_time, duration, termination_reason,
 * agent_cost, user_cost, reward_info{reward…}, messages[{role, content, tool_calls[{id, name,
 * arguments{…}, requestor}], turn_idx, timestamp, cost, usage}]}]}`. Each simulation is a run.
 *
 * Tool results are `{role:"tool", id, content, error: bool}`; arguments are objects already.
 * Costs and usage on user messages are the user simulator's, not the agent's: not counted.
 * `termination_reason` (tau2 data_model/simulation.py TerminationReason) gives the outcome.
 */
import { chainTimes, inferOutcome, markFinalText, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { arr, epochMs, isObject, num, obj, text, type JsonObject } from '../json';
import { stepsFromMessages, usageTokens } from '../messages';
import type { OutcomeStatus } from '../model';

function isSimulation(v: unknown): v is JsonObject {
  return isObject(v) && Array.isArray(v.messages) && ('termination_reason' in v || 'reward_info' in v);
}

export const tau2BenchReader: FormatReader = {
  format: 'tau2-bench',
  detect: (v) => isObject(v) && Array.isArray(v.simulations) && v.simulations.every(isSimulation),
  read(v, ctx) {
    const root = obj(v) ?? {};
    const info = obj(root.info);
    const model = text(obj(info?.agent_info)?.llm);
    const maxSteps = num(info?.max_steps);
    return (arr(root.simulations) ?? []).map((s, i) => readSimulation(s as JsonObject, i, ctx, model, maxSteps));
  },
};

const terminations: Record<string, { status: OutcomeStatus; reason: string }> = {
  user_stop: { status: 'final-answer', reason: 'the user ended the conversation' },
  agent_stop: { status: 'final-answer', reason: 'the agent ended the conversation' },
  max_steps: { status: 'limit', reason: 'the step limit was reached' },
  timeout: { status: 'limit', reason: 'the time limit was reached' },
  too_many_errors: { status: 'limit', reason: 'too many tool errors' },
  context_window_exceeded: { status: 'limit', reason: 'the context window was exceeded' },
  agent_error: { status: 'error', reason: 'the agent failed' },
  user_error: { status: 'error', reason: 'the user simulator failed' },
  infrastructure_error: { status: 'error', reason: 'an infrastructure error stopped the run' },
  unexpected_error: { status: 'error', reason: 'an unexpected error stopped the run' },
};

function readSimulation(s: JsonObject, index: number, ctx: ReadContext, model: string | undefined, maxSteps: number | undefined): DraftTrajectory {
  const path = ['simulations', index];
  const r = stepsFromMessages(arr(s.messages) ?? [], {
    ctx,
    path: [...path, 'messages'],
    tokens: (m) => usageTokens(m.usage),
    // The scripted greeting carries cost 0 without usage: that is "not measured", not free.
    cost: (m) => {
      const c = num(m.cost);
      return c !== undefined && (c > 0 || isObject(m.usage)) ? c : undefined;
    },
    time: (m) => epochMs(m.timestamp),
  });
  chainTimes(r.steps, r.firstMs, r.lastMs);
  const d: DraftTrajectory = { format: 'tau2-bench', source: { file: ctx.file, index }, steps: r.steps };
  const line = ctx.lines.lineAt(...path);
  if (line !== undefined) d.source.line = line;
  const id = text(s.id);
  if (id !== undefined) d.id = id;
  const task = text(s.task_id);
  if (task !== undefined) d.taskId = task;
  if (model !== undefined) d.model = model;

  const reason = text(s.termination_reason);
  const known = reason !== undefined ? terminations[reason] : undefined;
  if (known) {
    d.outcome = { status: known.status, reason: known.reason + (reason === 'max_steps' && maxSteps !== undefined ? ` (${maxSteps})` : ''), exitStatus: reason as string };
    if (known.status === 'error') d.outcome.error = reason as string;
    if (known.status === 'final-answer') {
      const step = markFinalText(r.steps);
      if (step !== undefined) d.outcome.step = step;
    }
  } else if (reason !== undefined) {
    d.outcome = { status: 'no-final-answer', reason: `ended with termination reason "${reason}"`, exitStatus: reason };
  }
  const reward = num(obj(s.reward_info)?.reward);
  if (reward !== undefined) {
    d.outcome ??= inferOutcome(r.steps);
    d.outcome.reward = reward;
  }
  const reported: NonNullable<DraftTrajectory['reported']> = {};
  const cost = num(s.agent_cost);
  if (cost !== undefined) reported.costUsd = cost;
  const duration = num(s.duration);
  if (duration !== undefined) reported.durationMs = duration * 1000;
  d.reported = reported;
  return d;
}
