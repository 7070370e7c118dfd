/**
 * Chat messages → steps, for every format that is a message list underneath
 * (OpenAI-style lists, tau-bench, tau2-bench, mini-swe-agent). One assistant
 * message is one step; its tool calls (parallel or not) are that step's calls,
 * and the tool messages after it are their results, matched by call id, then by
 * name, then in order (ids are not unique in every file).
 */
import { newStep, type DraftStep, type ReadContext } from './build';
import { arr, contentText, isObject, obj, parseArguments, resultText, str, text, type JsonObject } from './json';
import type { JsonValue, TokenCounts, ToolCall } from './model';

/** Tools that only record a thought (tau-bench's and Anthropic's `think`). */
export const thinkTools: ReadonlySet<string> = new Set(['think']);

export interface MessageOptions {
  ctx: ReadContext;
  /** Path of the message array in the document, for line numbers: [] for a top-level list, ['messages'], [i, 'traj']. */
  path: (string | number)[];
  tokens?(m: JsonObject): TokenCounts | undefined;
  cost?(m: JsonObject): number | undefined;
  /** Epoch ms at which the message was written. */
  time?(m: JsonObject): number | undefined;
  model?(m: JsonObject): string | undefined;
  /** Whether a tool message reports a failure (beyond an explicit error flag). */
  isError?(m: JsonObject, result: string | undefined): boolean;
  /** Text-command agents (mini-swe-agent's first format): the call written in an assistant message. */
  textAction?(content: string): { toolName: string; arguments: string } | undefined;
  /** Text-command agents: whether the user message answering a call reports a failure. */
  textResultError?(content: string): boolean;
  /** Tokens of the user simulator are not the agent's: readers set this to skip them (default true). */
  agentTokensOnly?: boolean;
}

export interface MessageSteps {
  steps: DraftStep[];
  /** Per step: the time of its first and last message (for chainTimes). */
  firstMs: (number | undefined)[];
  lastMs: (number | undefined)[];
  /** Per step: the message index it started at. */
  messageIndex: number[];
}

const userRoles = new Set(['user', 'human']);
const assistantRoles = new Set(['assistant', 'ai', 'model', 'agent']);
const toolRoles = new Set(['tool', 'function', 'ipython', 'tool_result']);

/** OpenAI `tool_calls` ([{id, function:{name, arguments}}] or tau2's [{id, name, arguments}]), legacy `function_call`, Anthropic `tool_use` blocks. */
export function toolCallsOf(m: JsonObject): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const c of arr(m.tool_calls) ?? []) {
    if (!isObject(c)) continue;
    const fn = obj(c.function) ?? c;
    calls.push(makeCall(str(c.id), text(fn.name) ?? text(c.name) ?? '', fn.arguments ?? c.arguments ?? c.args ?? c.input));
  }
  const legacy = obj(m.function_call);
  if (legacy) calls.push(makeCall(undefined, text(legacy.name) ?? '', legacy.arguments));
  for (const p of arr(m.content) ?? []) {
    if (isObject(p) && p.type === 'tool_use') calls.push(makeCall(str(p.id), text(p.name) ?? '', p.input));
  }
  return calls;
}

export function makeCall(id: string | undefined, toolName: string, args: JsonValue | undefined): ToolCall {
  const call: ToolCall = { toolName, ...parseArguments(args), isError: false };
  if (id !== undefined && id !== '') call.id = id;
  return call;
}

function assistantText(m: JsonObject): string | undefined {
  const c = m.content;
  if (Array.isArray(c)) {
    const parts = c.filter((p) => !(isObject(p) && (p.type === 'tool_use' || p.type === 'tool_result')));
    return contentText(parts);
  }
  return contentText(c);
}

export function stepsFromMessages(messages: readonly JsonValue[], o: MessageOptions): MessageSteps {
  const out: MessageSteps = { steps: [], firstMs: [], lastMs: [], messageIndex: [] };
  let pending: ToolCall[] = [];
  let pendingStep = -1;
  const resolve = (id: string | undefined, name: string | undefined): ToolCall | undefined => {
    let k = id !== undefined ? pending.findIndex((c) => c.id === id) : -1;
    if (k < 0 && name !== undefined) k = pending.findIndex((c) => c.toolName === name);
    if (k < 0) k = 0;
    const call = pending[k];
    if (call) pending.splice(k, 1);
    return call;
  };
  const touch = (ms: number | undefined): void => {
    if (ms === undefined || pendingStep < 0) return;
    out.lastMs[pendingStep] = ms;
  };
  const push = (step: DraftStep, index: number, ms: number | undefined): void => {
    out.steps.push(step);
    out.firstMs.push(ms);
    out.lastMs.push(ms);
    out.messageIndex.push(index);
  };

  messages.forEach((raw, index) => {
    if (!isObject(raw)) {
      o.ctx.diag.add('warning', 'unknown-record', `message ${index} is not an object: skipped`, o.ctx.lines.lineAt(...o.path, index) ?? o.ctx.lines.lineAt(...o.path));
      return;
    }
    const m = raw;
    const role = (str(m.role) ?? str(m.type) ?? '').toLowerCase();
    const line = o.ctx.lines.lineAt(...o.path, index);
    const ms = o.time?.(m);

    if (toolRoles.has(role)) {
      const result = resultText(m.content ?? m.output ?? m.result);
      const call = resolve(str(m.tool_call_id) ?? str(m.id), text(m.name));
      if (!call) {
        o.ctx.diag.add('warning', 'unmatched-result', `a tool result (message ${index}) follows no tool call: skipped`, line);
        return;
      }
      if (result !== undefined) call.result = result;
      call.isError = m.error === true || m.is_error === true || (o.isError?.(m, result) ?? false);
      touch(ms);
      return;
    }

    if (userRoles.has(role)) {
      const content = contentText(m.content);
      // Anthropic puts tool results in user messages.
      const blocks = (arr(m.content) ?? []).filter((p): p is JsonObject => isObject(p) && p.type === 'tool_result');
      for (const b of blocks) {
        const call = resolve(str(b.tool_use_id), undefined);
        if (!call) continue;
        const r = resultText(b.content);
        if (r !== undefined) call.result = r;
        call.isError = b.is_error === true;
        touch(ms);
      }
      if (blocks.length > 0) {
        const rest = contentText((arr(m.content) ?? []).filter((p) => !(isObject(p) && p.type === 'tool_result')));
        if (rest === undefined || rest.trim() === '') return;
        push(newStep('user', { text: rest, ...(line !== undefined ? { line } : {}) }), index, ms);
        return;
      }
      // Text-command agents: the user message right after a call is its output.
      if (o.textAction && pending.length > 0 && content !== undefined) {
        const call = resolve(undefined, undefined);
        if (call) {
          call.result = content;
          call.isError = o.textResultError?.(content) ?? false;
          touch(ms);
          return;
        }
      }
      const step = newStep('user');
      if (content !== undefined) step.text = content;
      if (line !== undefined) step.line = line;
      if (o.agentTokensOnly === false) {
        const t = o.tokens?.(m);
        if (t) step.tokens = t;
      }
      pending = [];
      pendingStep = -1;
      push(step, index, ms);
      return;
    }

    if (assistantRoles.has(role)) {
      const calls = toolCallsOf(m);
      const content = assistantText(m);
      if (calls.length === 0 && o.textAction && content !== undefined) {
        const a = o.textAction(content);
        if (a) calls.push({ toolName: a.toolName, arguments: a.arguments, rawArguments: a.arguments, isError: false });
      }
      const kind = calls.length === 0 ? 'llm' : calls.every((c) => thinkTools.has(c.toolName)) ? 'think' : 'tool';
      const step = newStep(kind, { calls });
      if (content !== undefined && content !== '') step.text = content;
      if (line !== undefined) step.line = line;
      const t = o.tokens?.(m);
      if (t) step.tokens = t;
      const c = o.cost?.(m);
      if (c !== undefined) step.costUsd = c;
      const model = o.model?.(m);
      if (model !== undefined) step.model = model;
      pending = [...calls];
      pendingStep = out.steps.length;
      push(step, index, ms);
      return;
    }
    // system, developer, and roles a reader handles itself (mini-swe-agent's "exit"): not steps.
  });
  return out;
}

/** OpenAI / LiteLLM usage: {prompt_tokens, completion_tokens} or {input_tokens, output_tokens}. */
export function usageTokens(u: JsonValue | undefined): TokenCounts | undefined {
  const o = obj(u);
  if (!o) return undefined;
  const input = typeof o.prompt_tokens === 'number' ? o.prompt_tokens : typeof o.input_tokens === 'number' ? o.input_tokens : undefined;
  const output = typeof o.completion_tokens === 'number' ? o.completion_tokens : typeof o.output_tokens === 'number' ? o.output_tokens : undefined;
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}
