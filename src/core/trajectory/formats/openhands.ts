/**
 * OpenHands (V0) event streams: a JSON list of events, or `{instance_id, history: [events], …}`
 * as OpenHands' evaluation output writes them. An event is
 * `{id, timestamp, source: user|agent|environment, action | observation, message, args | extras,
 * cause (observation → action id), tool_call_metadata{function_name, tool_call_id,
 * model_response{id, choices[{message{tool_calls}}], usage}, total_calls_in_response}, llm_metrics?}`.
 *
 * Actions that came from one model response (same `model_response.id`) are one step: that is
 * how parallel calls appear. Arguments are the model's own (the tool call in the response),
 * else the action's `args`. An observation is the result of the action named by its `cause`;
 * `error` observations, `success: false` and non-zero exit codes are errors. `finish` ends the run; the last
 * `agent_state_changed` tells an error or a stop. Environment bookkeeping (state changes,
 * `null` observations, `recall`) is not a step.
 */
import { chainTimes, inferOutcome, lastAgentStep, newStep, type DraftStep, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { arr, epochMs, isObject, num, obj, str, text, type JsonObject } from '../json';
import { makeCall, usageTokens } from '../messages';
import type { JsonValue, ToolCall } from '../model';

function isEvent(v: JsonValue): boolean {
  return isObject(v) && (typeof v.action === 'string' || typeof v.observation === 'string') && typeof v.source === 'string';
}

function eventsOf(v: JsonValue): { events: JsonValue[]; path: string[]; doc?: JsonObject } | undefined {
  if (Array.isArray(v) && v.length > 0 && v.every(isEvent)) return { events: v, path: [] };
  if (isObject(v) && Array.isArray(v.history) && v.history.length > 0 && v.history.every(isEvent)) return { events: v.history, path: ['history'], doc: v };
  return undefined;
}

export const openhandsReader: FormatReader = {
  format: 'openhands',
  detect: (v) => eventsOf(v) !== undefined,
  read(v, ctx) {
    const found = eventsOf(v);
    return found ? [readEvents(found.events, found.path, ctx, found.doc)] : [];
  },
};

const skippedActions = new Set(['change_agent_state', 'recall', 'system', 'null']);
const argsNotFromModel = new Set(['thought', 'impl_source', 'translated_ipython_code', 'security_risk', 'confirmation_state', 'is_confirmed', 'hidden', 'blocking', 'keep_prompt', 'is_input', 'wait_for_response', 'image_urls']);

/** The arguments the model wrote for this call, from the response kept in the metadata. */
function modelArguments(tcm: JsonObject, callId: string | undefined): JsonValue | undefined {
  const choices = arr(obj(tcm.model_response)?.choices) ?? [];
  for (const ch of choices) {
    for (const c of arr(obj(obj(ch)?.message)?.tool_calls) ?? []) {
      if (isObject(c) && (callId === undefined || str(c.id) === callId)) return obj(c.function)?.arguments;
    }
  }
  return undefined;
}

function actionArgs(e: JsonObject): JsonValue {
  const args = obj(e.args);
  if (!args) return null;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(args)) if (!argsNotFromModel.has(k)) out[k] = v;
  return out;
}

function readEvents(events: JsonValue[], path: string[], ctx: ReadContext, doc: JsonObject | undefined): DraftTrajectory {
  const steps: DraftStep[] = [];
  const firstMs: (number | undefined)[] = [];
  const lastMs: (number | undefined)[] = [];
  const byAction = new Map<number, { step: number; call?: ToolCall }>();
  let lastResponse: { id: string; step: number } | undefined;
  let agentState: string | undefined;
  let stateReason: string | undefined;
  let accumulatedCost: number | undefined;

  const push = (step: DraftStep, ms: number | undefined): number => {
    steps.push(step);
    firstMs.push(ms);
    lastMs.push(ms);
    return steps.length - 1;
  };

  events.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const e = raw;
    const line = ctx.lines.lineAt(...path, i);
    const ms = epochMs(e.timestamp);
    const id = num(e.id);
    const source = str(e.source);
    const at = line !== undefined ? { line } : {};

    // Cost: llm_metrics carries the run's accumulated cost so far.
    const metrics = obj(e.llm_metrics);
    const accumulated = num(metrics?.accumulated_cost);
    let costDelta: number | undefined;
    if (accumulated !== undefined && source === 'agent' && typeof e.action === 'string') {
      costDelta = Math.max(0, accumulated - (accumulatedCost ?? 0));
      accumulatedCost = accumulated;
    }

    if (typeof e.action === 'string') {
      const action = e.action;
      if (source === 'environment' || skippedActions.has(action)) return;
      const args = obj(e.args) ?? {};
      if (source === 'user') {
        if (action !== 'message') return;
        const content = str(args.content) ?? str(e.message);
        push(newStep('user', { ...(content !== undefined ? { text: content } : {}), ...at }), ms);
        return;
      }
      const tcm = obj(e.tool_call_metadata);
      const responseId = text(obj(tcm?.model_response)?.id);
      const thought = text(args.thought) ?? text(args.final_thought);
      // A step per model response: actions of the same response join it.
      if (tcm && responseId !== undefined && lastResponse?.id === responseId && steps[lastResponse.step]) {
        const step = steps[lastResponse.step] as DraftStep;
        const call = callOf(e, tcm, action);
        step.calls.push(call);
        if (action === 'finish') step.kind = 'final';
        if (id !== undefined) byAction.set(id, { step: lastResponse.step, call });
        if (costDelta !== undefined) step.costUsd = (step.costUsd ?? 0) + costDelta;
        return;
      }
      let step: DraftStep;
      if (action === 'message' && !tcm) {
        step = newStep('llm', at);
        const content = str(args.content) ?? str(e.message);
        if (content !== undefined) step.text = content;
      } else {
        step = newStep(action === 'finish' ? 'final' : action === 'think' ? 'think' : 'tool', at);
        const responseText = text(obj(obj(arr(obj(tcm?.model_response)?.choices)?.[0])?.message)?.content);
        const words = action === 'finish' ? (text(args.final_thought) ?? text(e.message) ?? thought) : (thought ?? responseText);
        if (words !== undefined) step.text = words;
        if (tcm || action !== 'message') step.calls.push(callOf(e, tcm, action));
      }
      const usage = usageTokens(obj(tcm?.model_response)?.usage);
      if (usage) step.tokens = usage;
      const model = text(obj(tcm?.model_response)?.model);
      if (model !== undefined) step.model = model;
      if (costDelta !== undefined) step.costUsd = costDelta;
      const index = push(step, ms);
      lastResponse = responseId !== undefined ? { id: responseId, step: index } : undefined;
      if (id !== undefined) {
        const entry: { step: number; call?: ToolCall } = { step: index };
        const call = step.calls[0];
        if (call) entry.call = call;
        byAction.set(id, entry);
      }
      return;
    }

    if (typeof e.observation === 'string') {
      const observation = e.observation;
      const extras = obj(e.extras) ?? {};
      if (observation === 'agent_state_changed') {
        agentState = text(extras.agent_state);
        stateReason = text(extras.reason);
        return;
      }
      if (observation === 'null' || source === 'environment') return;
      const cause = num(e.cause);
      const target = cause !== undefined ? byAction.get(cause) : undefined;
      if (target?.call) {
        const result = str(e.content) ?? str(e.message);
        if (result !== undefined) target.call.result = result;
        const exitCode = num(obj(extras.metadata)?.exit_code) ?? num(extras.exit_code);
        // OpenHands' own verdict (`success: false` also covers a command still running at its timeout, exit code -1).
        target.call.isError = observation === 'error' || e.success === false || (exitCode !== undefined && exitCode > 0) || extras.error === true;
        if (ms !== undefined) lastMs[target.step] = ms;
        return;
      }
      if (observation === 'error' && cause === undefined) {
        const content = str(e.content) ?? str(e.message);
        push(newStep('error', { ...(content !== undefined ? { text: content } : {}), ...at }), ms);
      }
    }
  });
  chainTimes(steps, firstMs, lastMs);

  const d: DraftTrajectory = { format: 'openhands', source: { file: ctx.file }, steps };
  const line = ctx.lines.lineAt();
  if (line !== undefined) d.source.line = line;
  const instance = text(doc?.instance_id);
  if (instance !== undefined) {
    d.id = instance;
    d.taskId = instance;
  }
  const last = lastAgentStep(steps);
  const lastStep = steps[last];
  if (lastStep?.kind === 'final') {
    d.outcome = { status: 'final-answer', reason: 'the agent called finish', step: last };
  } else if (agentState === 'error') {
    const message = stateReason ?? steps.filter((s) => s.kind === 'error').pop()?.text ?? 'the agent stopped with an error';
    d.outcome = { status: 'error', reason: `the agent stopped with an error: ${message}`, error: message, exitStatus: agentState };
  } else if (agentState === 'stopped') {
    d.outcome = { status: 'no-final-answer', reason: 'the run was stopped before the agent finished', exitStatus: agentState };
  } else {
    d.outcome = inferOutcome(steps);
    if (agentState !== undefined) d.outcome.exitStatus = agentState;
    if (d.outcome.status === 'final-answer' && agentState === 'awaiting_user_input') d.outcome.reason = 'the agent answered and waits for the user (no finish action)';
  }
  // Evaluation output: `error` names why a run failed (a finished run keeps its answer).
  const error = text(doc?.error);
  if (error !== undefined && d.outcome.status !== 'final-answer' && d.outcome.status !== 'error') d.outcome = { status: 'error', reason: `the run failed: ${error}`, error };
  return d;
}

function callOf(e: JsonObject, tcm: JsonObject | undefined, action: string): ToolCall {
  const callId = text(tcm?.tool_call_id);
  const name = text(tcm?.function_name) ?? action;
  const fromModel = tcm ? modelArguments(tcm, callId) : undefined;
  return makeCall(callId, name, fromModel ?? actionArgs(e));
}
