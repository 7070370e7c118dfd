/**
 * OpenAI-style chat message lists: `[{role, content, tool_calls}]`, or an object
 * `{messages: [...]}` (chat datasets, agentevals, LangChain dumps), optionally
 * with `id`, `task_id` / `instance_id` and `model` beside the messages. Anthropic
 * `tool_use` / `tool_result` content blocks are understood too.
 */
import { chainTimes, finishToolOutcome, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { epochMs, isObject, num, obj, text, type JsonObject } from '../json';
import { stepsFromMessages, usageTokens } from '../messages';
import type { JsonValue } from '../model';

const roles = new Set(['system', 'developer', 'user', 'human', 'assistant', 'ai', 'model', 'tool', 'function']);

/** A list of chat messages: objects that all have a known role. */
export function isMessageList(v: JsonValue | undefined): v is JsonObject[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  return v.every((m) => isObject(m) && typeof m.role === 'string' && roles.has(m.role.toLowerCase()));
}

function messagesOf(v: JsonValue): { list: JsonObject[]; path: string[]; wrapper?: JsonObject } | undefined {
  if (isMessageList(v)) return { list: v, path: [] };
  if (isObject(v) && isMessageList(v.messages)) return { list: v.messages, path: ['messages'], wrapper: v };
  return undefined;
}

export const openaiMessagesReader: FormatReader = {
  format: 'openai-messages',
  detect: (v) => messagesOf(v) !== undefined,
  read(v, ctx) {
    const found = messagesOf(v);
    return found ? [readMessages(found.list, found.path, ctx, found.wrapper)] : [];
  },
};

function readMessages(list: JsonObject[], path: string[], ctx: ReadContext, wrapper: JsonObject | undefined): DraftTrajectory {
  const r = stepsFromMessages(list, {
    ctx,
    path,
    tokens: (m) => usageTokens(m.usage ?? obj(m.response_metadata)?.token_usage ?? m.usage_metadata),
    cost: (m) => num(m.cost),
    time: (m) => epochMs(m.timestamp ?? m.created_at ?? m.created),
    model: (m) => text(m.model),
  });
  chainTimes(r.steps, r.firstMs, r.lastMs);
  const d: DraftTrajectory = { format: 'openai-messages', source: { file: ctx.file }, steps: r.steps };
  const line = ctx.lines.lineAt();
  if (line !== undefined) d.source.line = line;
  if (wrapper) {
    const id = text(wrapper.id);
    if (id !== undefined) d.id = id;
    const task = text(wrapper.task_id) ?? text(wrapper.instance_id);
    if (task !== undefined) d.taskId = task;
    const model = text(wrapper.model);
    if (model !== undefined) d.model = model;
  }
  const fin = finishToolOutcome(r.steps);
  if (fin) d.outcome = fin;
  return d;
}
