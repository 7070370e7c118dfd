/**
 * tau-bench (v1) results: a JSON array with one record per run,
 * `{task_id, reward, info{task, source, user_cost, reward_info, error?, traceback?}, traj[OpenAI messages], trial}`.
 *
 * How a run ends (sierra-research/tau-bench, agents/tool_calling_agent.py and envs/base.py):
 * the user simulator says `###STOP###` (or `###TRANSFER###`, `###OUT-OF-SCOPE###`);
 * the agent calls a terminating tool (`transfer_to_human_agents`); or the loop runs out of
 * steps (`max_num_steps`, 30 by default) — the file does not record the limit, so a run
 * cut off after that many agent turns is reported as a limit. Tool failures come back
 * as text starting with "Error:". A crashed run has `info.error` and an empty `traj`.
 */
import { lastAgentStep, markFinalText, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { arr, isObject, num, obj, str, text, type JsonObject } from '../json';
import { stepsFromMessages } from '../messages';

const terminateTools = new Set(['transfer_to_human_agents']);
const userStops = ['###STOP###', '###TRANSFER###', '###OUT-OF-SCOPE###'];
const defaultMaxSteps = 30;

export function isTauRecord(v: unknown): v is JsonObject {
  return isObject(v) && 'traj' in v && (Array.isArray(v.traj) || v.traj === null) && ('task_id' in v || 'reward' in v);
}

export const tauBenchReader: FormatReader = {
  format: 'tau-bench',
  detect: (v) => (Array.isArray(v) && v.length > 0 && v.every(isTauRecord)) || isTauRecord(v),
  read(v, ctx) {
    if (isTauRecord(v)) return [readRecord(v, [], ctx)];
    return (arr(v) ?? []).map((r, i) => readRecord(r as JsonObject, [i], ctx, i));
  },
};

function readRecord(r: JsonObject, path: number[], ctx: ReadContext, index?: number): DraftTrajectory {
  const info = obj(r.info) ?? {};
  const traj = arr(r.traj) ?? [];
  const { steps } = stepsFromMessages(traj, {
    ctx,
    path: [...path, 'traj'],
    isError: (_m, result) => result !== undefined && result.startsWith('Error:'),
  });
  const task = str(r.task_id);
  const trial = str(r.trial);
  const d: DraftTrajectory = { format: 'tau-bench', source: { file: ctx.file }, steps };
  if (index !== undefined) d.source.index = index;
  const line = ctx.lines.lineAt(...path);
  if (line !== undefined) d.source.line = line;
  if (task !== undefined) {
    d.taskId = task;
    d.id = trial !== undefined ? `task-${task}-trial-${trial}` : `task-${task}`;
  }
  const reward = num(r.reward);
  const error = text(info.error);

  const lastMessage = traj[traj.length - 1];
  const lastContent = isObject(lastMessage) && lastMessage.role === 'user' ? (str(lastMessage.content) ?? '') : undefined;
  const stop = lastContent !== undefined ? userStops.find((s) => lastContent.includes(s)) : undefined;
  const lastAgent = lastAgentStep(steps);
  const lastStep = steps[lastAgent];
  const terminated = lastStep?.calls.find((c) => terminateTools.has(c.toolName));
  const agentTurns = steps.filter((s) => s.kind !== 'user').length;

  if (error !== undefined) {
    d.outcome = { status: 'error', reason: `the run crashed: ${error}`, error };
  } else if (stop !== undefined) {
    const step = markFinalText(steps);
    d.outcome = { status: 'final-answer', reason: `the user ended the conversation (${stop})`, exitStatus: stop };
    if (step !== undefined) d.outcome.step = step;
  } else if (terminated && lastStep) {
    lastStep.kind = 'final';
    d.outcome = { status: 'final-answer', reason: `the agent ended the conversation with ${terminated.toolName}`, step: lastAgent, exitStatus: terminated.toolName };
  } else if (agentTurns >= defaultMaxSteps) {
    d.outcome = { status: 'limit', reason: `cut off after ${agentTurns} agent turns without the user ending the conversation: tau-bench's step limit (max_num_steps, ${defaultMaxSteps} by default)` };
  } else {
    d.outcome = { status: 'no-final-answer', reason: 'the conversation stopped without the user ending it or the agent handing off' };
  }
  if (reward !== undefined) d.outcome.reward = reward;
  return d;
}
