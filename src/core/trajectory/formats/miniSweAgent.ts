/**
 * mini-swe-agent (SWE-agent/mini-swe-agent) trajectories.
 *
 * - `.traj.json`, `trajectory_format: "mini-swe-agent-1.x"`: `{info{model_stats{instance_cost,
 *   api_calls}, config, mini_version, exit_status, submission}, messages[], instance_id}`.
 *   Messages are OpenAI-style; newer versions call a `bash` tool (`tool_calls`, results in
 *   `tool` messages with `extra.returncode` / `extra.exception_info`), older ones write the
 *   command in a fenced block of the assistant message and get the output back as a user
 *   message (`<returncode>N</returncode><output>…`). `extra.response.usage`, `extra.cost`
 *   and `extra.timestamp` give tokens, cost and time per turn. A last `{role:"exit"}`
 *   message repeats the exit status and submission.
 * - The first format: a bare message list whose system prompt asks for such fenced commands.
 *
 * The agent submits by running `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT` (older:
 * `MINI_SWE_AGENT_FINAL_OUTPUT`); that turn is the final step.
 */
import { chainTimes, inferOutcome, lastAgentStep, type DraftStep, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { arr, epochMs, isObject, num, obj, str, text, type JsonObject } from '../json';
import { stepsFromMessages, usageTokens } from '../messages';
import type { JsonValue, OutcomeStatus } from '../model';

const submitMarkers = ['COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT', 'MINI_SWE_AGENT_FINAL_OUTPUT'];
const fencedCommand = /```(?:mswea_bash_command|bash|sh)[^\n]*\n([\s\S]*?)\n?```/g;

function isMiniTraj(v: JsonValue): v is JsonObject {
  if (!isObject(v) || !Array.isArray(v.messages)) return false;
  if (typeof v.trajectory_format === 'string') return v.trajectory_format.startsWith('mini-swe-agent');
  const info = obj(v.info);
  return info !== undefined && (info.mini_version !== undefined || (obj(info.model_stats) !== undefined && info.exit_status !== undefined));
}

/** The first format: a bare list whose system prompt asks for fenced bash commands and the submit marker. */
function isMiniList(v: JsonValue): v is JsonObject[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const first = v[0];
  if (!isObject(first) || first.role !== 'system') return false;
  const prompt = str(first.content) ?? '';
  return prompt.includes('mswea_bash_command') || submitMarkers.some((m) => prompt.includes(m));
}

export const miniSweAgentReader: FormatReader = {
  format: 'mini-swe-agent',
  detect: (v) => isMiniTraj(v) || isMiniList(v),
  read(v, ctx) {
    if (isMiniList(v)) return [readMessages(v, [], ctx, undefined)];
    if (isMiniTraj(v)) return [readMessages(arr(v.messages) ?? [], ['messages'], ctx, v)];
    return [];
  },
};

function textAction(content: string): { toolName: string; arguments: string } | undefined {
  const blocks = [...content.matchAll(fencedCommand)];
  // mini-swe-agent runs a reply only when it has exactly one command block (else a format error).
  if (blocks.length !== 1) return undefined;
  return { toolName: 'bash', arguments: (blocks[0]?.[1] ?? '').trim() };
}

function returnCode(content: string): number | undefined {
  const m = /<returncode>\s*(-?\d+)\s*<\/returncode>/.exec(content);
  return m ? Number(m[1]) : undefined;
}

const exitStatuses: Record<string, OutcomeStatus> = {
  Submitted: 'submitted',
  LimitsExceeded: 'limit',
  TimeoutExpired: 'limit',
  ExecutionTimeoutError: 'limit',
  FormatError: 'error',
};

function readMessages(messages: JsonValue[], path: string[], ctx: ReadContext, doc: JsonObject | undefined): DraftTrajectory {
  const r = stepsFromMessages(messages, {
    ctx,
    path,
    tokens: (m) => usageTokens(obj(obj(m.extra)?.response)?.usage),
    cost: (m) => num(obj(m.extra)?.cost),
    time: (m) => epochMs(obj(m.extra)?.timestamp ?? m.timestamp),
    model: (m) => text(obj(obj(m.extra)?.response)?.model),
    isError: (m, result) => {
      const extra = obj(m.extra);
      const rc = num(extra?.returncode) ?? (result !== undefined ? returnCode(result) : undefined);
      return (rc !== undefined && rc !== 0) || text(extra?.exception_info) !== undefined;
    },
    textAction,
    textResultError: (content) => {
      const rc = returnCode(content);
      return rc !== undefined && rc !== 0;
    },
  });
  chainTimes(r.steps, r.firstMs, r.lastMs);
  const d: DraftTrajectory = { format: 'mini-swe-agent', source: { file: ctx.file }, steps: r.steps };
  const line = ctx.lines.lineAt();
  if (line !== undefined) d.source.line = line;

  const info = obj(doc?.info) ?? {};
  const exitMessage = messages.find((m): m is JsonObject => isObject(m) && m.role === 'exit');
  const exitStatus = text(info.exit_status) ?? text(obj(exitMessage?.extra)?.exit_status);
  const submission = str(info.submission) ?? str(obj(exitMessage?.extra)?.submission);
  const instance = text(doc?.instance_id);
  if (instance !== undefined) {
    d.id = instance;
    d.taskId = instance;
  }
  const model = text(obj(obj(info.config)?.model)?.model_name);
  if (model !== undefined) d.model = model;
  const stats = obj(info.model_stats);
  const cost = num(stats?.instance_cost);
  if (cost !== undefined) d.reported = { costUsd: cost };

  const submitStep = findSubmit(r.steps);
  if (submitStep !== undefined) {
    const step = r.steps[submitStep] as DraftStep;
    step.kind = 'final';
    const call = step.calls[step.calls.length - 1];
    if (call && call.result === undefined && submission !== undefined) call.result = submission;
  }
  if (exitStatus !== undefined) {
    const status = exitStatuses[exitStatus] ?? 'error';
    d.outcome = { status, reason: status === 'submitted' ? 'the agent submitted' : `the run exited with ${exitStatus}`, exitStatus };
    if (status === 'error') d.outcome.error = exitStatus;
    if (submitStep !== undefined && status === 'submitted') d.outcome.step = submitStep;
  } else if (submitStep !== undefined) {
    d.outcome = { status: 'submitted', reason: 'the agent ran the submit command', step: submitStep };
  } else {
    d.outcome = inferOutcome(r.steps);
  }
  return d;
}

/** The last agent turn, when its command carries the submit marker. */
function findSubmit(steps: DraftStep[]): number | undefined {
  const last = lastAgentStep(steps);
  const step = steps[last];
  const submits = step?.calls.some((c) => {
    const command = typeof c.arguments === 'string' ? c.arguments : isObject(c.arguments) ? (str(c.arguments.command) ?? '') : '';
    return submitMarkers.some((m) => command.includes(m));
  });
  return submits ? last : undefined;
}
