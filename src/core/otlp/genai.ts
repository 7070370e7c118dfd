/**
 * One normalised GenAI view of a span, whatever dialect wrote it: OTel GenAI
 * semantic conventions (every version, attributes and events), OpenInference,
 * OpenLLMetry/Traceloop, Vercel AI SDK and Langfuse hints. Classification
 * follows research/trace.md §2.7 (explicit type, OpenInference kind, GenAI
 * operation, framework hints, heuristics, then traceloop.span.kind); each
 * field takes the first dialect of the §2.8 table that has it. Never throws.
 */
import type { WireTokens } from '../../shared/traceViewerProtocol';
import type { AttrValue, Attributes, Span } from './model';

export type SpanType = 'agent' | 'llm' | 'tool' | 'retrieval' | 'embedding' | 'chain' | 'other';

/** Token counts of one span. `input` includes cacheRead and cacheWrite; `output` includes reasoning (GenAI semantics). Plain data, as on the wire. */
export type TokenUsage = WireTokens;

export type GenAiPart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: string }
  | { type: 'tool_call_response'; id?: string; result?: string }
  /** Anything else (images, reasoning blocks, unknown shapes), kept as JSON text. */
  | { type: 'other'; content: string };

export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
}

export interface GenAiSpan {
  type: SpanType;
  /** Which conventions the span's attributes, events or logs use: 'otel-genai', 'openinference', 'traceloop', 'vercel-ai', 'langfuse'. */
  dialects: string[];
  operation?: string;
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  usage?: TokenUsage;
  inputMessages?: GenAiMessage[];
  outputMessages?: GenAiMessage[];
  systemInstructions?: string;
  finishReasons?: string[];
  tool?: { name?: string; callId?: string; arguments?: string; result?: string };
  agent?: { name?: string; id?: string };
  conversationId?: string;
  /** False when the span carries no message or tool content at all (capture is opt-in in every dialect). */
  contentCaptured: boolean;
  /** A cost the instrumentation reported itself (OpenInference llm.cost.*, Langfuse gen_ai.usage.cost), in USD. */
  reportedCostUsd?: number;
}

export interface NormalizeOptions {
  /** Parse message content (default true). Roll-ups pass false: they need types, models and usage only. */
  content?: boolean;
}

// ---------------------------------------------------------------------------
// Defensive value readers

type JsonObject = { [key: string]: AttrValue };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string; numbers and booleans spelled out; structured values are not strings. */
export function attrString(v: AttrValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number from a number or a numeric string: counts arrive as intValue "1840" or stringValue "1840". */
export function attrNumber(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function firstStr(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const s = attrString(attrs[k]);
    if (s !== undefined) return s;
  }
  return undefined;
}

function firstNum(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const n = attrNumber(attrs[k]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** JSON.parse of text that looks like a JSON object or array ("MAY be recorded as a JSON string"); the value itself otherwise. */
function parseJsonish(v: AttrValue | undefined): AttrValue | undefined {
  if (typeof v !== 'string') return v;
  const t = v.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(v) as AttrValue;
    } catch {
      return v;
    }
  }
  return v;
}

/** Display text: strings as they are, anything else as JSON. */
function asText(v: AttrValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function strList(v: AttrValue | undefined): string[] | undefined {
  const p = parseJsonish(v);
  const out = (Array.isArray(p) ? p : [p]).map((x) => attrString(x ?? undefined)).filter((x): x is string => x !== undefined);
  return out.length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------
// Messages from structured values (GenAI parts, OpenAI, Anthropic, Vercel shapes)

function toPart(p: AttrValue): GenAiPart | undefined {
  if (typeof p === 'string') return { type: 'text', content: p };
  if (!isObject(p)) return p === null ? undefined : { type: 'other', content: JSON.stringify(p) };
  const type = attrString(p.type);
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text': {
      const content = attrString(p.content) ?? attrString(p.text);
      return content === undefined ? undefined : { type: 'text', content };
    }
    case 'tool_call': // GenAI
    case 'tool_use': // Anthropic
    case 'tool-call': // Vercel AI SDK
    case 'function_call': // OpenAI Responses
      return toolCall(
        attrString(p.id) ?? attrString(p.toolCallId) ?? attrString(p.call_id),
        attrString(p.name) ?? attrString(p.toolName) ?? '',
        p.arguments ?? p.input ?? p.args,
      );
    case 'tool_call_response':
    case 'tool_result':
    case 'tool-result':
    case 'function_call_output':
      return toolResult(attrString(p.id) ?? attrString(p.tool_use_id) ?? attrString(p.toolCallId) ?? attrString(p.call_id), p.response ?? p.result ?? p.output ?? p.content);
    default: {
      if (type === undefined) {
        const content = attrString(p.content) ?? attrString(p.text);
        if (content !== undefined) return { type: 'text', content };
      }
      return { type: 'other', content: JSON.stringify(p) };
    }
  }
}

function toolCall(id: string | undefined, name: string, args: AttrValue | undefined): GenAiPart {
  const part: GenAiPart = { type: 'tool_call', name };
  if (id !== undefined) part.id = id;
  const a = asText(args);
  if (a !== undefined) part.arguments = a;
  return part;
}

function toolResult(id: string | undefined, result: AttrValue | undefined): GenAiPart {
  const part: GenAiPart = { type: 'tool_call_response' };
  if (id !== undefined) part.id = id;
  const r = asText(result);
  if (r !== undefined) part.result = r;
  return part;
}

/** OpenAI-style `tool_calls`: [{id, function: {name, arguments}}] or [{id, name, arguments}]. */
function toolCallsOf(v: AttrValue | undefined): GenAiPart[] {
  const list = parseJsonish(v);
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((c) => {
    const fn = isObject(c.function) ? c.function : c;
    return toolCall(attrString(c.id) ?? attrString(c.toolCallId), attrString(fn.name) ?? attrString(c.toolName) ?? '', fn.arguments ?? c.args ?? c.input);
  });
}

interface ParsedMessage extends GenAiMessage {
  finishReason?: string;
}

function toMessage(o: JsonObject, defaultRole: string): ParsedMessage {
  const role = attrString(o.role) ?? defaultRole;
  const parts: GenAiPart[] = [];
  const content = parseJsonish(o.parts ?? o.content);
  const callId = attrString(o.tool_call_id) ?? attrString(o.toolCallId);
  if (callId !== undefined && (typeof content === 'string' || (content !== undefined && !Array.isArray(content)))) {
    // A tool message: its content is the result of that call.
    parts.push(toolResult(callId, content));
  } else if (Array.isArray(content)) {
    for (const p of content) {
      const part = toPart(p);
      if (part) parts.push(part);
    }
  } else if (content !== undefined && content !== null) {
    const part = toPart(content);
    if (part) parts.push(part);
  }
  parts.push(...toolCallsOf(o.tool_calls ?? o.toolCalls));
  const msg: ParsedMessage = { role, parts };
  const fr = attrString(o.finish_reason) ?? attrString(o.finishReason);
  if (fr !== undefined) msg.finishReason = fr;
  return msg;
}

/** Messages from a JSON string or structured value: a message list, one message, a part list, or plain text. */
function toMessages(v: AttrValue | undefined, defaultRole: string): ParsedMessage[] | undefined {
  const p = parseJsonish(v);
  if (p === undefined || p === null || p === '') return undefined;
  if (typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean') return [{ role: defaultRole, parts: [{ type: 'text', content: String(p) }] }];
  if (Array.isArray(p)) {
    if (p.length === 0) return undefined;
    if (p.every((m) => isObject(m) && (m.role !== undefined || m.parts !== undefined || (m.content !== undefined && m.type === undefined)))) {
      return p.filter(isObject).map((m) => toMessage(m, defaultRole));
    }
    // A bare part list (e.g. gen_ai.system_instructions, or Anthropic content blocks).
    const parts = p.map(toPart).filter((x): x is GenAiPart => x !== undefined);
    return parts.length > 0 ? [{ role: defaultRole, parts }] : undefined;
  }
  if (Array.isArray(p.messages)) return toMessages(p.messages, defaultRole);
  if (p.role !== undefined || p.parts !== undefined || p.content !== undefined) return [toMessage(p, defaultRole)];
  return [{ role: defaultRole, parts: [{ type: 'other', content: JSON.stringify(p) }] }];
}

function partsText(messages: GenAiMessage[] | undefined): string | undefined {
  if (!messages) return undefined;
  const texts = messages.flatMap((m) => m.parts.map((p) => (p.type === 'text' || p.type === 'other' ? p.content : '')).filter((t) => t !== ''));
  return texts.length > 0 ? texts.join('\n') : undefined;
}

// ---------------------------------------------------------------------------
// Flattened indexed attributes: gen_ai.prompt.0.role, llm.input_messages.0.message.content, …

type Indexed = Map<number, Map<string, AttrValue>>;

function indexed(attrs: Attributes, prefix: string): Indexed | undefined {
  let out: Indexed | undefined;
  for (const key in attrs) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const i = Number(dot < 0 ? NaN : rest.slice(0, dot));
    if (!Number.isInteger(i) || i < 0) continue;
    out ??= new Map();
    let m = out.get(i);
    if (!m) out.set(i, (m = new Map()));
    m.set(rest.slice(dot + 1), attrs[key] ?? null);
  }
  return out;
}

function subIndexed(fields: Map<string, AttrValue>, prefix: string): Map<string, AttrValue>[] {
  const byIndex = new Map<number, Map<string, AttrValue>>();
  for (const [key, v] of fields) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const j = Number(dot < 0 ? NaN : rest.slice(0, dot));
    if (!Number.isInteger(j)) continue;
    let m = byIndex.get(j);
    if (!m) byIndex.set(j, (m = new Map()));
    m.set(rest.slice(dot + 1), v);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

const sortedValues = (ix: Indexed): Map<string, AttrValue>[] => [...ix.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);

/** Traceloop: gen_ai.prompt.{i}.role|content|tool_call_id|tool_calls.{j}.id|name|arguments (+ finish_reason on completions). */
function traceloopMessages(attrs: Attributes, prefix: string, defaultRole: string): ParsedMessage[] | undefined {
  const ix = indexed(attrs, prefix);
  if (!ix) return undefined;
  return sortedValues(ix).map((f) => {
    const o: JsonObject = {};
    for (const k of ['role', 'content', 'tool_call_id', 'finish_reason'] as const) {
      const v = f.get(k);
      if (v !== undefined) o[k] = v;
    }
    const calls = subIndexed(f, 'tool_calls.').map((c) => toolCall(attrString(c.get('id')), attrString(c.get('name')) ?? '', c.get('arguments')));
    const msg = toMessage(o, defaultRole);
    msg.parts.push(...calls);
    return msg;
  });
}

/** OpenInference: llm.{input,output}_messages.{i}.message.role|content|contents.{j}.message_content.*|tool_calls.{j}.tool_call.*. */
function openInferenceMessages(attrs: Attributes, prefix: string, defaultRole: string): ParsedMessage[] | undefined {
  const ix = indexed(attrs, prefix);
  if (!ix) return undefined;
  return sortedValues(ix).map((f) => {
    const role = attrString(f.get('message.role')) ?? defaultRole;
    const parts: GenAiPart[] = [];
    const callId = attrString(f.get('message.tool_call_id'));
    const content = f.get('message.content');
    if (content !== undefined) parts.push(callId !== undefined ? toolResult(callId, content) : { type: 'text', content: asText(content) ?? '' });
    for (const c of subIndexed(f, 'message.contents.')) {
      const t = attrString(c.get('message_content.type'));
      const textValue = attrString(c.get('message_content.text'));
      if ((t === undefined || t === 'text') && textValue !== undefined) parts.push({ type: 'text', content: textValue });
      else parts.push({ type: 'other', content: JSON.stringify(Object.fromEntries(c)) });
    }
    for (const c of subIndexed(f, 'message.tool_calls.')) {
      parts.push(toolCall(attrString(c.get('tool_call.id')), attrString(c.get('tool_call.function.name')) ?? '', c.get('tool_call.function.arguments')));
    }
    return { role, parts };
  });
}

// ---------------------------------------------------------------------------
// Events and logs (≤ v1.36 per-message events, v1.37+ operation.details, older gen_ai.content.* span events)

interface GenAiEvent {
  name: string;
  attributes: Attributes;
  body: AttrValue | undefined;
  timeNs: bigint;
}

function genAiEvents(span: Span): GenAiEvent[] {
  const out: GenAiEvent[] = [];
  for (const e of span.events) if (e.name.startsWith('gen_ai.')) out.push({ name: e.name, attributes: e.attributes, body: undefined, timeNs: e.timeNs });
  for (const l of span.logs) {
    const name = l.eventName ?? attrString(l.attributes['event.name']);
    if (name?.startsWith('gen_ai.')) out.push({ name, attributes: l.attributes, body: l.body, timeNs: l.timeNs });
  }
  // Conversation order is time order, whichever channel an event came through (stable for ties).
  return out.sort((x, y) => (x.timeNs < y.timeNs ? -1 : x.timeNs > y.timeNs ? 1 : 0));
}

/** The event's payload: a log body, or on a span event the JSON in gen_ai.event.content, else its attributes. */
function eventPayload(e: GenAiEvent): JsonObject {
  const body = parseJsonish(e.body ?? e.attributes['gen_ai.event.content']);
  if (isObject(body)) return body;
  if (typeof body === 'string') return { content: body };
  return e.attributes;
}

interface EventContent {
  input: ParsedMessage[];
  output: ParsedMessage[];
  system?: string;
  details?: Attributes;
}

function fromEvents(events: GenAiEvent[]): EventContent {
  const out: EventContent = { input: [], output: [] };
  for (const e of events) {
    const m = /^gen_ai\.(system|user|assistant|tool)\.message$/.exec(e.name);
    if (m) {
      const msg = toMessage(eventPayload(e), m[1] as string);
      if (m[1] === 'system' && out.system === undefined) out.system = partsText([msg]);
      else out.input.push(msg);
    } else if (e.name === 'gen_ai.choice') {
      const p = eventPayload(e);
      const msg = toMessage(isObject(p.message) ? p.message : p, 'assistant');
      const fr = attrString(p.finish_reason);
      if (fr !== undefined) msg.finishReason = fr;
      out.output.push(msg);
    } else if (e.name === 'gen_ai.content.prompt') {
      out.input.push(...(toMessages(e.attributes['gen_ai.prompt'], 'user') ?? []));
    } else if (e.name === 'gen_ai.content.completion') {
      out.output.push(...(toMessages(e.attributes['gen_ai.completion'], 'assistant') ?? []));
    } else if (e.name === 'gen_ai.client.inference.operation.details') {
      const body = parseJsonish(e.body);
      out.details = isObject(body) ? { ...body, ...e.attributes } : e.attributes;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Classification

const openInferenceKinds: Record<string, SpanType> = {
  LLM: 'llm',
  EMBEDDING: 'embedding',
  TOOL: 'tool',
  AGENT: 'agent',
  CHAIN: 'chain',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  GUARDRAIL: 'chain',
  EVALUATOR: 'chain',
  PROMPT: 'chain',
};

const langfuseTypes: Record<string, SpanType> = {
  generation: 'llm',
  embedding: 'embedding',
  agent: 'agent',
  tool: 'tool',
  chain: 'chain',
  retriever: 'retrieval',
  evaluator: 'chain',
  guardrail: 'chain',
};

function operationType(op: string | undefined): SpanType | undefined {
  switch (op) {
    case 'chat':
    case 'completion':
    case 'text_completion':
    case 'generate_content':
    case 'generate':
      return 'llm';
    case 'embeddings':
    case 'embedding':
      return 'embedding';
    case 'invoke_agent':
    case 'create_agent':
      return 'agent';
    case 'execute_tool':
      return 'tool';
    case 'retrieval':
    case 'search_memory':
      return 'retrieval';
    case 'invoke_workflow':
    case 'plan':
      return 'chain';
    default:
      return undefined;
  }
}

/**
 * Vercel AI SDK: the inner doGenerate/doStream spans are the provider calls; the
 * outer generateText/streamText/… spans wrap all steps and repeat their usage, so
 * they are chains (their usage then counts only without llm children).
 */
function vercelType(op: string | undefined): SpanType | undefined {
  if (!op?.startsWith('ai.')) return undefined;
  if (op === 'ai.toolCall') return 'tool';
  if (/\.doEmbed$/.test(op)) return 'embedding';
  if (/\.(doGenerate|doStream)$/.test(op)) return 'llm';
  if (/^ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)$/.test(op)) return 'chain';
  return undefined;
}

function traceloopRequestType(t: string | undefined): SpanType | undefined {
  if (t === 'chat' || t === 'completion') return 'llm';
  if (t === 'embedding') return 'embedding';
  if (t === 'rerank') return 'retrieval';
  return undefined;
}

function traceloopKind(k: string | undefined): SpanType | undefined {
  if (k === 'workflow' || k === 'task') return 'chain';
  if (k === 'agent' || k === 'tool') return k;
  return undefined;
}

const modelKeys = ['gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'llm.request.model_name', 'llm.response.model_name', 'ai.model.id'];

function dialectsOf(span: Span, events: GenAiEvent[]): string[] {
  const found = new Set<string>();
  for (const key in span.attributes) {
    if (key.startsWith('gen_ai.')) found.add(/^gen_ai\.(prompt|completion)\.\d/.test(key) ? 'traceloop' : 'otel-genai');
    else if (key.startsWith('openinference.') || /^llm\.(token_count|input_messages|output_messages|model_name|cost|invocation_parameters)/.test(key)) found.add('openinference');
    else if (key.startsWith('traceloop.') || /^llm\.(request\.type|usage\.|is_streaming)/.test(key)) found.add('traceloop');
    else if (key.startsWith('ai.')) found.add('vercel-ai');
    else if (key.startsWith('langfuse.')) found.add('langfuse');
  }
  if (events.length > 0) found.add('otel-genai');
  return ['otel-genai', 'openinference', 'traceloop', 'vercel-ai', 'langfuse'].filter((d) => found.has(d));
}

function classify(a: Attributes, operation: string | undefined): SpanType {
  const explicit = langfuseTypes[attrString(a['langfuse.observation.type'])?.toLowerCase() ?? ''];
  if (explicit) return explicit;
  const oi = openInferenceKinds[attrString(a['openinference.span.kind'])?.toUpperCase() ?? ''];
  if (oi) return oi;
  const op = operationType(attrString(a['gen_ai.operation.name']));
  if (op) return op;
  const fw = vercelType(operation) ?? traceloopRequestType(attrString(a['llm.request.type']));
  if (fw) return fw;
  if (a['gen_ai.tool.name'] !== undefined || a['gen_ai.tool.call.id'] !== undefined) return 'tool';
  if (modelKeys.some((k) => attrString(a[k]) !== undefined)) return 'llm';
  return traceloopKind(attrString(a['traceloop.span.kind'])) ?? 'other';
}

// ---------------------------------------------------------------------------
// Usage and cost

function usageOf(a: Attributes, type: SpanType): TokenUsage | undefined {
  let input = firstNum(a, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.inputTokens', 'ai.usage.promptTokens']);
  const output = firstNum(a, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'ai.usage.outputTokens', 'ai.usage.completionTokens']);
  const cacheRead = firstNum(a, ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read', 'ai.usage.cachedInputTokens']);
  const cacheWrite = firstNum(a, ['gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write']);
  const reasoning = firstNum(a, ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning', 'ai.usage.reasoningTokens']);
  if (input === undefined && output === undefined) {
    // Embedding calls often report only a total (ai.usage.tokens, llm.usage.total_tokens): it is all input.
    const total = firstNum(a, ['ai.usage.tokens', 'gen_ai.usage.total_tokens', 'llm.usage.total_tokens', 'llm.token_count.total']);
    if (total !== undefined && type === 'embedding') input = total;
  }
  if ([input, output, cacheRead, cacheWrite, reasoning].every((x) => x === undefined)) return undefined;
  const u: TokenUsage = { input: count(input), output: count(output), cacheRead: count(cacheRead), cacheWrite: count(cacheWrite), reasoning: count(reasoning) };
  // GenAI says input includes cached tokens; older Anthropic instrumentations reported Anthropic's
  // raw input_tokens, which exclude them. When the cached parts exceed the input, that is the case.
  if (u.cacheRead + u.cacheWrite > u.input) u.input += u.cacheRead + u.cacheWrite;
  if (u.reasoning > u.output) u.output += u.reasoning;
  return u;
}

function count(n: number | undefined): number {
  return n !== undefined && n > 0 ? Math.round(n) : 0;
}

function reportedCost(a: Attributes): number | undefined {
  const total = firstNum(a, ['llm.cost.total', 'gen_ai.usage.cost']);
  if (total !== undefined) return total;
  const p = attrNumber(a['llm.cost.prompt']);
  const c = attrNumber(a['llm.cost.completion']);
  return p === undefined && c === undefined ? undefined : (p ?? 0) + (c ?? 0);
}

// ---------------------------------------------------------------------------
// Content

interface Content {
  input?: ParsedMessage[];
  output?: ParsedMessage[];
  system?: string;
}

const nonEmpty = (m: ParsedMessage[] | undefined): ParsedMessage[] | undefined => (m && m.length > 0 ? m : undefined);

function contentOf(a: Attributes, type: SpanType, events: GenAiEvent[], dialects: string[]): Content {
  const ev = fromEvents(events);
  const d = ev.details ?? {};
  const c: Content = {};
  c.system = partsText(toMessages(a['gen_ai.system_instructions'] ?? d['gen_ai.system_instructions'], 'system')) ?? ev.system;
  c.input = nonEmpty(
    toMessages(a['gen_ai.input.messages'] ?? d['gen_ai.input.messages'], 'user') ??
      traceloopMessages(a, 'gen_ai.prompt.', 'user') ??
      openInferenceMessages(a, 'llm.input_messages.', 'user') ??
      toMessages(a['gen_ai.prompt'], 'user') ??
      nonEmpty(ev.input) ??
      vercelPrompt(a, c),
  );
  c.output = nonEmpty(
    toMessages(a['gen_ai.output.messages'] ?? d['gen_ai.output.messages'], 'assistant') ??
      traceloopMessages(a, 'gen_ai.completion.', 'assistant') ??
      openInferenceMessages(a, 'llm.output_messages.', 'assistant') ??
      toMessages(a['gen_ai.completion'], 'assistant') ??
      nonEmpty(ev.output) ??
      vercelResponse(a),
  );
  // OpenInference's generic I/O, for model calls whose instrumentor did not flatten messages.
  if ((type === 'llm' || type === 'embedding') && dialects.includes('openinference')) {
    c.input ??= toMessages(a['input.value'], 'user');
    c.output ??= toMessages(a['output.value'], 'assistant');
  }
  return c;
}

/** Vercel: ai.prompt.messages, or ai.prompt = {system, prompt, messages}. */
function vercelPrompt(a: Attributes, c: Content): ParsedMessage[] | undefined {
  const messages = toMessages(a['ai.prompt.messages'], 'user');
  const prompt = parseJsonish(a['ai.prompt']);
  if (isObject(prompt)) {
    c.system ??= attrString(prompt.system);
    return messages ?? toMessages(prompt.messages ?? prompt.prompt, 'user');
  }
  return messages ?? toMessages(prompt, 'user');
}

function vercelResponse(a: Attributes): ParsedMessage[] | undefined {
  const parts: GenAiPart[] = [];
  const t = attrString(a['ai.response.text']);
  if (t !== undefined) parts.push({ type: 'text', content: t });
  const obj = attrString(a['ai.response.object']);
  if (obj !== undefined) parts.push({ type: 'text', content: obj });
  parts.push(...toolCallsOf(a['ai.response.toolCalls']));
  return parts.length > 0 ? [{ role: 'assistant', parts }] : undefined;
}

/** Key presence only: what `contentCaptured` means without parsing (roll-ups over huge traces). */
const contentKeys = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.prompt', 'gen_ai.completion', 'ai.prompt', 'ai.prompt.messages', 'ai.response.text', 'ai.response.toolCalls', 'ai.response.object'];
const contentPrefix = /^(gen_ai\.(prompt|completion)\.\d|llm\.(input|output)_messages\.\d)/;

function hasContentKeys(a: Attributes, events: GenAiEvent[], tool: GenAiSpan['tool']): boolean {
  if (tool?.arguments !== undefined || tool?.result !== undefined || events.length > 0) return true;
  if (contentKeys.some((k) => a[k] !== undefined)) return true;
  for (const k in a) if (contentPrefix.test(k)) return true;
  return false;
}

// ---------------------------------------------------------------------------

/** Provider names as the dialects write them; Vercel's `openai.chat` becomes `openai`. */
function providerOf(a: Attributes): string | undefined {
  // Vercel also copies its `openai.chat` into gen_ai.system: its own attribute is the one to read.
  const v = attrString(a['ai.model.provider']);
  if (v !== undefined) return v.split('.')[0];
  return firstStr(a, ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system']);
}

export function normalizeGenAi(span: Span, options: NormalizeOptions = {}): GenAiSpan {
  const a = span.attributes;
  const events = genAiEvents(span);
  const dialects = dialectsOf(span, events);
  const vercelOp = attrString(a['ai.operationId']) ?? (span.name.startsWith('ai.') ? span.name : undefined);
  const type = classify(a, vercelOp);
  const g: GenAiSpan = { type, dialects, contentCaptured: false };
  if (dialects.length === 0) return g;

  const operation = attrString(a['gen_ai.operation.name']) ?? attrString(a['llm.request.type']) ?? vercelOp;
  if (operation !== undefined) g.operation = operation;
  const provider = providerOf(a);
  if (provider !== undefined) g.provider = provider;
  const requestModel = firstStr(a, ['gen_ai.request.model', 'llm.request.model_name', 'llm.model_name', 'ai.model.id']);
  if (requestModel !== undefined) g.requestModel = requestModel;
  const responseModel = firstStr(a, ['gen_ai.response.model', 'llm.response.model_name', 'ai.response.model']) ?? (a['llm.request.model_name'] === undefined ? attrString(a['llm.model_name']) : undefined);
  if (responseModel !== undefined) g.responseModel = responseModel;
  const usage = usageOf(a, type);
  if (usage) g.usage = usage;
  const cost = reportedCost(a);
  if (cost !== undefined) g.reportedCostUsd = cost;

  const tool = toolOf(a, type);
  if (tool) g.tool = tool;
  const agentName = firstStr(a, ['gen_ai.agent.name', 'agent.name']) ?? (type === 'agent' ? attrString(a['traceloop.entity.name']) : undefined);
  const agentId = attrString(a['gen_ai.agent.id']);
  if (agentName !== undefined || agentId !== undefined) g.agent = { ...(agentName !== undefined ? { name: agentName } : {}), ...(agentId !== undefined ? { id: agentId } : {}) };
  const conversation = firstStr(a, ['gen_ai.conversation.id', 'session.id', 'langfuse.session.id', 'ai.telemetry.metadata.sessionId']);
  if (conversation !== undefined) g.conversationId = conversation;

  let finish = strList(a['gen_ai.response.finish_reasons']) ?? strList(a['llm.finish_reason']) ?? strList(a['gen_ai.response.finish_reason']) ?? strList(a['ai.response.finishReason']);
  if (options.content === false) {
    g.contentCaptured = hasContentKeys(a, events, tool);
  } else {
    const c = contentOf(a, type, events, dialects);
    if (c.input) g.inputMessages = c.input.map(plain);
    if (c.output) g.outputMessages = c.output.map(plain);
    if (c.system !== undefined) g.systemInstructions = c.system;
    finish ??= nonEmptyList(c.output?.map((m) => m.finishReason).filter((x): x is string => x !== undefined));
    g.contentCaptured = c.input !== undefined || c.output !== undefined || c.system !== undefined || tool?.arguments !== undefined || tool?.result !== undefined;
  }
  if (finish) g.finishReasons = finish;
  return g;
}

const nonEmptyList = <T>(l: T[] | undefined): T[] | undefined => (l && l.length > 0 ? l : undefined);

function plain(m: ParsedMessage): GenAiMessage {
  return { role: m.role, parts: m.parts };
}

function toolOf(a: Attributes, type: SpanType): GenAiSpan['tool'] | undefined {
  const isTool = type === 'tool';
  const name = firstStr(a, ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name']) ?? (isTool ? attrString(a['traceloop.entity.name']) : undefined);
  const callId = firstStr(a, ['gen_ai.tool.call.id', 'tool_call.id', 'tool.id', 'ai.toolCall.id']);
  const args = asText(a['gen_ai.tool.call.arguments'] ?? a['ai.toolCall.args'] ?? a['ai.toolCall.input'] ?? (isTool ? (a['input.value'] ?? a['traceloop.entity.input']) : undefined));
  const result = asText(a['gen_ai.tool.call.result'] ?? a['ai.toolCall.result'] ?? a['ai.toolCall.output'] ?? (isTool ? (a['output.value'] ?? a['traceloop.entity.output']) : undefined));
  if (name === undefined && callId === undefined && args === undefined && result === undefined) return undefined;
  const t: NonNullable<GenAiSpan['tool']> = {};
  if (name !== undefined) t.name = name;
  if (callId !== undefined) t.callId = callId;
  if (args !== undefined) t.arguments = args;
  if (result !== undefined) t.result = result;
  return t;
}
