/**
 * Spans → CallRecords: the one place where the monitor reads OTLP. Every figure the dashboard, the
 * report, the alerts, the cost ledger and drift compute starts from the records made here, so
 * they all agree on what a "request", its tokens and its cost are.
 *
 * Only spans that speak a GenAI dialect (OTel GenAI, OpenInference, OpenLLMetry, Vercel AI,
 * Langfuse) become records: an HTTP or database span of the same service is not an agent
 * operation, and counting it would dilute the error rate of the model calls.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors';
import { describeFsError } from '../io/openInput';
import { attrString, normalizeGenAi, type GenAiMessage, type GenAiSpan, type SpanType } from '../otlp/genai';
import type { Span, TraceDiagnostic } from '../otlp/model';
import { readTraceFiles } from '../otlp/reader';
import { spanCost } from '../otlp/rollup';
import { bundledPriceTable } from '../tokens/pricing/priceTable';
import type { PriceTable } from '../tokens/pricing/priceTable';
import { defaultMonitorAttributes, type CallKind, type CallRecord, type MonitorAttributes } from './types';

export interface CallsOptions {
  /** Which attributes give user, session, conversation, project and version (default `defaultMonitorAttributes`). Partial: the rest keep their defaults. */
  attributes?: Partial<MonitorAttributes>;
  /** Prices for calls that report no cost (default: the bundled genai-prices table). */
  prices?: PriceTable;
  /**
   * Read message content (default true): inputHash, outputText and finish reasons found only in the
   * output messages. The dashboard and the live alerts pass false: they hold many calls for long and
   * use none of it, so no answer text is kept and no message is parsed.
   */
  content?: boolean;
}

/** The longest `outputText` kept (types.ts): enough to compare answers, bounded for memory. */
export const maxOutputText = 4000;

const kindOf: Record<SpanType, CallKind> = { llm: 'llm', embedding: 'embedding', agent: 'agent', tool: 'tool', retrieval: 'other', chain: 'other', other: 'other' };

/** True for the calls every "request" figure counts: model calls (kind llm or embedding). */
export const isModelCall = (c: Pick<CallRecord, 'kind'>): boolean => c.kind === 'llm' || c.kind === 'embedding';

let bundled: PriceTable | undefined;
/** Built once: the bundled table is immutable and building it is not free. */
function defaultPrices(): PriceTable {
  return (bundled ??= bundledPriceTable());
}

/**
 * The CallRecords of `spans`, in the order given (spans without any GenAI attribute are skipped).
 *
 * - user, session, conversation, project, version: the configured attribute on the span, then on its
 *   resource, then on the nearest ancestor span in `spans` (frameworks often set `user.id` on the
 *   root span only); user falls back to `enduser.id`, conversation to the dialect's conversation id.
 * - agent: the span's own agent name, else the nearest ancestor's (a chat call inside `invoke_agent
 *   support-bot` is support-bot's call, so cost by agent adds up).
 * - costUsd: the cost the span reports, else its usage priced with `prices` (cache reads and writes
 *   at their own rates); absent when neither is known.
 * - inputHash and outputText only when the span captured content.
 */
export function callsFromSpans(spans: readonly Span[], options: CallsOptions = {}): CallRecord[] {
  const attrs: MonitorAttributes = { ...defaultMonitorAttributes, ...options.attributes };
  const prices = options.prices ?? defaultPrices();
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  const parentOf = (s: Span): Span | undefined => (s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined);
  // Agent names of ancestors, memoised per span: agent trees are deep and every child asks.
  const agentMemo = new Map<Span, string | undefined>();
  const genaiMemo = new Map<Span, GenAiSpan>();
  const genai = (s: Span): GenAiSpan => {
    let g = genaiMemo.get(s);
    if (!g) genaiMemo.set(s, (g = normalizeGenAi(s, { content: options.content !== false })));
    return g;
  };
  const agentOf = (s: Span): string | undefined => {
    const chain: Span[] = [];
    let cur: Span | undefined = s;
    let found: string | undefined;
    const seen = new Set<Span>();
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      if (agentMemo.has(cur)) {
        found = agentMemo.get(cur);
        break;
      }
      chain.push(cur);
      const g = genai(cur);
      const name = g.agent?.name ?? attrString(cur.attributes['gen_ai.agent.name']);
      if (name !== undefined) {
        found = name;
        break;
      }
      cur = parentOf(cur);
    }
    for (const c of chain) agentMemo.set(c, found);
    return found;
  };
  const lookup = (s: Span, keys: readonly string[]): string | undefined => {
    // Span, then resource, then ancestors (with their resources): the first that has any of the keys.
    const seen = new Set<Span>();
    for (let cur: Span | undefined = s; cur && !seen.has(cur); cur = parentOf(cur)) {
      seen.add(cur);
      for (const where of [cur.attributes, cur.resource.attributes]) {
        for (const k of keys) {
          const v = attrString(where[k]);
          if (v !== undefined) return v;
        }
      }
    }
    return undefined;
  };

  const out: CallRecord[] = [];
  for (const span of spans) {
    const g = genai(span);
    if (g.dialects.length === 0) continue;
    const startMs = nsToMs(span.startNs);
    const endMs = nsToMs(span.endNs);
    const c: CallRecord = {
      traceId: span.traceId,
      spanId: span.spanId,
      file: span.source.file,
      line: span.source.line,
      startMs,
      endMs,
      durationMs: Math.max(0, endMs - startMs),
      kind: kindOf[g.type],
      operation: g.operation ?? span.name,
      error: span.status.code === 'error',
      inputTokens: g.usage?.input ?? 0,
      outputTokens: g.usage?.output ?? 0,
      finishReasons: g.finishReasons ?? [],
    };
    const model = g.responseModel ?? g.requestModel;
    if (model !== undefined) c.model = model;
    if (g.provider !== undefined) c.provider = g.provider;
    const agent = agentOf(span);
    if (agent !== undefined) c.agent = agent;
    const user = lookup(span, [attrs.user, 'enduser.id']);
    if (user !== undefined) c.user = user;
    const project = lookup(span, [attrs.project]);
    if (project !== undefined) c.project = project;
    const session = lookup(span, [attrs.session]);
    if (session !== undefined) c.session = session;
    const conversation = lookup(span, [attrs.conversation]) ?? g.conversationId;
    if (conversation !== undefined) c.conversation = conversation;
    const version = lookup(span, [attrs.version]);
    if (version !== undefined) c.version = version;
    if (c.error) {
      const type = errorTypeOf(span);
      if (type !== undefined) c.errorType = type;
    }
    const cost = spanCost(g, prices);
    if (cost !== undefined && Number.isFinite(cost.usd)) c.costUsd = cost.usd;
    if (c.kind === 'tool' && g.tool?.name !== undefined) c.tool = g.tool.name;
    if (g.contentCaptured) {
      if (g.inputMessages) c.inputHash = inputHash(g.inputMessages);
      const text = outputTextOf(g.outputMessages);
      if (text !== undefined) c.outputText = text;
    }
    out.push(c);
  }
  return out;
}

/** Epoch ms with microsecond precision (a Number of nanoseconds since 1970 would lose it). */
function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/** error.type, else the exception event's type, else the status message's first word. */
function errorTypeOf(span: Span): string | undefined {
  const own = attrString(span.attributes['error.type']);
  if (own !== undefined) return own;
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    const t = attrString(e.attributes['exception.type']);
    if (t !== undefined) return t;
  }
  const word = span.status.message?.trim().split(/[\s:]+/)[0];
  return word ? word : undefined;
}

/** Keys sorted at every level: two captures of the same messages hash the same whatever the key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** sha256 (hex, first 16) of the canonical JSON of the input messages (types.ts). */
export function inputHash(messages: readonly GenAiMessage[]): string {
  return createHash('sha256').update(canonicalJson(messages)).digest('hex').slice(0, 16);
}

/** The answer's text: text parts as they are, tool calls as `name(arguments)` (an answer may be only a tool call). */
function outputTextOf(messages: readonly GenAiMessage[] | undefined): string | undefined {
  if (!messages) return undefined;
  const parts: string[] = [];
  for (const m of messages) {
    for (const p of m.parts) {
      if (p.type === 'text' || p.type === 'other') parts.push(p.content);
      else if (p.type === 'tool_call') parts.push(`${p.name}(${p.arguments ?? ''})`);
    }
  }
  if (parts.length === 0) return undefined;
  const text = parts.join('\n');
  return text.length > maxOutputText ? text.slice(0, maxOutputText) : text;
}

// ── reading files ───────────────────────────────────────────────────────────

export interface ReadCallsOptions extends CallsOptions {
  /** Keep only the calls this accepts (e.g. a time window): dropped calls never accumulate. */
  keep?: (call: CallRecord) => boolean;
  /** Called once per file with that file's kept calls (a ledger can ingest as it goes). */
  onFile?: (file: string, calls: readonly CallRecord[]) => void;
  /** False: do not accumulate `calls` in the result (with `onFile`, memory stays one file's worth). Default true. */
  collect?: boolean;
  signal?: AbortSignal;
}

export interface ReadCallsResult {
  calls: CallRecord[];
  /** The files read, absolute, in reading order. */
  files: string[];
  /** What the reader found wrong in the files (bad lines, orphans, …); never fatal. */
  diagnostics: TraceDiagnostic[];
  /** Per file read: its spans, and its calls before and after `keep` (a file without spans and with errors was unreadable). */
  perFile: { file: string; spans: number; calls: number; kept: number }[];
}

/** Collected trace files: `*.otlp.json`, `*.otlp.jsonl`, optionally gzipped. */
export const traceFilePattern = /\.otlp\.jsonl?(\.gz)?$/i;

/**
 * The collector's log and metric files (`logs-<stamp>-<seq>.otlp.jsonl`, `metrics-…`, see
 * collector/fileNames.ts) share its folder with the trace files but hold no spans: a folder
 * listing skips them rather than parse megabytes of metric points for nothing.
 */
const otherSignalFile = /^(logs|metrics)-\d{8}T\d{6}Z-\d+\.otlp\.jsonl(\.gz)?$/;

/**
 * The trace files of `paths`: a file is taken as it is (any name); a directory gives every
 * `*.otlp.json(l)[.gz]` inside it, recursively, sorted by path (but the collector's `logs-…` and
 * `metrics-…` files). A missing path is an InputError.
 */
export async function listTraceFiles(paths: readonly string[], cwd: string = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new InputError({ file: dir }, describeFsError(err), { cause: err });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const name = e.name;
      const p = join(dir, name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && traceFilePattern.test(name) && !otherSignalFile.test(name)) out.push(p);
    }
  };
  for (const given of paths) {
    const p = resolve(cwd, given);
    let stat;
    try {
      stat = await fsp.stat(p);
    } catch (err) {
      throw new InputError({ file: given }, describeFsError(err), { cause: err });
    }
    if (stat.isDirectory()) await walk(p);
    else out.push(p);
  }
  return [...new Set(out)];
}

/**
 * Reads the CallRecords of OTLP JSON / JSONL files and directories (see listTraceFiles), one file at
 * a time: a file's spans are converted and dropped before the next file is opened, so memory holds
 * the records, never the spans of a whole directory. An unreadable file is an InputError naming it;
 * damaged lines are diagnostics.
 */
export async function readCalls(paths: readonly string[], options: ReadCallsOptions & { cwd?: string } = {}): Promise<ReadCallsResult> {
  const files = await listTraceFiles(paths, options.cwd);
  const result: ReadCallsResult = { calls: [], files, diagnostics: [], perFile: [] };
  const collect = options.collect !== false;
  for (const file of files) {
    const set = await readTraceFiles([file], options.signal ? { signal: options.signal } : {});
    for (const d of set.diagnostics) result.diagnostics.push(d);
    const spans: Span[] = [];
    for (const t of set.traces) for (const s of t.spans) spans.push(s);
    const all = callsFromSpans(spans, options);
    const calls = options.keep ? all.filter(options.keep) : all;
    result.perFile.push({ file, spans: spans.length, calls: all.length, kept: calls.length });
    options.onFile?.(file, calls);
    if (collect) for (const c of calls) result.calls.push(c);
  }
  return result;
}
