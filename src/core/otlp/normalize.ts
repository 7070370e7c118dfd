import type { DiagnosticSink } from '../diagnostics';
import { decodeId, type IdKind } from './ids';
import type { Resource, Scope, SourceRef, Span, SpanEvent, SpanKind, SpanLink, SpanLog, StatusCode } from './model';
import { anyValue, asArray, asString, attributes, field, isObject, nanos, type Json, type JsonObject } from './values';

/**
 * One element of resourceSpans / resourceLogs / resourceMetrics, already
 * JSON.parse'd, turned into the model. Never throws: whatever is odd becomes a
 * diagnostic on the element's line.
 */

export interface NormalizeContext {
  file: string;
  /** Line where the element starts. */
  line: number;
  diag: DiagnosticSink;
  /** Set once the file has been told that numeric times lost precision. */
  warnedImprecise: boolean;
}

/** A log record waiting to be attached to its span once every file is read. */
export interface PendingLog {
  traceId: string;
  spanId: string;
  log: SpanLog;
}

const kinds: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const statuses: StatusCode[] = ['unset', 'ok', 'error'];

/** Enum as int or name: 2, "SPAN_KIND_SERVER", "SERVER", "server". */
function enumValue<T extends string>(v: Json | undefined, names: readonly T[], prefix: string): T | undefined {
  if (typeof v === 'number') return names[v];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return names[Number(t)];
  const name = t.toLowerCase().replace(prefix, '') as T;
  return names.includes(name) ? name : undefined;
}

export function spanKind(v: Json | undefined): SpanKind {
  return enumValue(v, kinds, 'span_kind_') ?? 'unspecified';
}

export function statusCode(v: Json | undefined): StatusCode {
  return enumValue(v, statuses, 'status_code_') ?? 'unset';
}

const severities = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** severityNumber as int or "SEVERITY_NUMBER_WARN2"-style name. */
export function severityNumber(v: Json | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(?:severity_number_)?([a-z]+)([2-4])?$/.exec(v.trim().toLowerCase());
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  if (!m?.[1]) return undefined;
  const base = severities.indexOf(m[1]);
  return base < 0 ? undefined : base * 4 + Number(m[2] ?? 1);
}

function id(raw: Json | undefined, kind: IdKind, what: string, ctx: NormalizeContext): string {
  const d = decodeId(raw, kind);
  if (!d.ok) ctx.diag.add('warning', 'bad-id', `${what} ${JSON.stringify(d.id).slice(0, 80)} is neither hex nor base64 of ${kind === 'trace' ? 16 : 8} bytes; kept as written`, ctx.line);
  return d.id;
}

// The last well-formed trace id decoded: the spans of a batch mostly share one, which is then decoded once and stored once.
let lastTraceRaw: string | undefined;
let lastTraceId = '';

function traceId(raw: Json | undefined, what: string, ctx: NormalizeContext): string {
  if (typeof raw === 'string' && raw === lastTraceRaw) return lastTraceId;
  const d = decodeId(raw, 'trace');
  if (!d.ok) {
    ctx.diag.add('warning', 'bad-id', `${what} ${JSON.stringify(d.id).slice(0, 80)} is neither hex nor base64 of 16 bytes; kept as written`, ctx.line);
  } else if (typeof raw === 'string') {
    lastTraceRaw = raw;
    lastTraceId = d.id;
  }
  return d.id;
}

const digits = /^\d+$/;

function time(raw: Json | undefined, what: string, ctx: NormalizeContext): bigint | undefined {
  // The usual case, a decimal string: what nanos() does with it, without its trimming and result object.
  if (typeof raw === 'string' && digits.test(raw)) return BigInt(raw);
  const t = nanos(raw);
  if (!t) return undefined;
  if (!t.ok) ctx.diag.add('warning', 'bad-time', `${what} ${JSON.stringify(raw).slice(0, 40)} is not a nanosecond count`, ctx.line);
  if (t.imprecise && !ctx.warnedImprecise) {
    ctx.warnedImprecise = true;
    ctx.diag.add('warning', 'imprecise-time', 'times are written as JSON numbers beyond 2^53, so they have lost precision (nanoseconds are rounded); OTLP JSON writes them as strings', ctx.line);
  }
  return t.ns;
}

export function resourceOf(raw: Json | undefined): Resource {
  const attrs = attributes(isObject(raw) ? raw.attributes : undefined);
  const name = attrs['service.name'];
  return { attributes: attrs, serviceName: typeof name === 'string' && name !== '' ? name : 'unknown_service' };
}

function scopeOf(raw: Json | undefined): Scope {
  if (!isObject(raw)) return { name: '' };
  const scope: Scope = { name: asString(raw.name) ?? '' };
  const version = asString(raw.version);
  if (version) scope.version = version;
  return scope;
}

/** scopeSpans, or the pre-2022 instrumentationLibrarySpans, as [scope, items]. */
function scopes(owner: JsonObject, scopeKeys: [string, string][], itemKeys: [string, string]): [Scope, Json[]][] {
  const out: [Scope, Json[]][] = [];
  for (const [camel, snake] of scopeKeys) {
    for (const s of asArray(field(owner, camel, snake))) {
      if (!isObject(s)) continue;
      out.push([scopeOf(field(s, 'scope', 'scope') ?? field(s, 'instrumentationLibrary', 'instrumentation_library')), asArray(field(s, itemKeys[0], itemKeys[1]))]);
    }
  }
  return out;
}

const spanScopeKeys: [string, string][] = [
  ['scopeSpans', 'scope_spans'],
  ['instrumentationLibrarySpans', 'instrumentation_library_spans'],
];
const logScopeKeys: [string, string][] = [
  ['scopeLogs', 'scope_logs'],
  ['instrumentationLibraryLogs', 'instrumentation_library_logs'],
];
const metricScopeKeys: [string, string][] = [
  ['scopeMetrics', 'scope_metrics'],
  ['instrumentationLibraryMetrics', 'instrumentation_library_metrics'],
];

export function spansFromResourceSpans(raw: Json, ctx: NormalizeContext): Span[] {
  if (!isObject(raw)) {
    ctx.diag.add('warning', 'unknown-shape', 'a resourceSpans element is not an object', ctx.line);
    return [];
  }
  // One Resource object shared by all its spans: less memory, and structured clone keeps the sharing.
  const resource = resourceOf(raw.resource);
  // Likewise one SourceRef: every span of the element starts on its line.
  const source: SourceRef = { file: ctx.file, line: ctx.line };
  const out: Span[] = [];
  for (const [scope, spans] of scopes(raw, spanScopeKeys, ['spans', 'spans'])) {
    for (const s of spans) {
      if (isObject(s)) out.push(span(s, resource, scope, source, ctx));
    }
  }
  return out;
}

function span(s: JsonObject, resource: Resource, scope: Scope, source: SourceRef, ctx: NormalizeContext): Span {
  const trace = traceId(field(s, 'traceId', 'trace_id'), 'traceId', ctx);
  const spanId = id(field(s, 'spanId', 'span_id'), 'span', 'spanId', ctx);
  if (trace === '' || spanId === '') ctx.diag.add('warning', 'missing-id', `span "${asString(s.name) ?? ''}" has an empty ${trace === '' ? 'traceId' : 'spanId'}`, ctx.line);
  const parentSpanId = id(field(s, 'parentSpanId', 'parent_span_id'), 'span', 'parentSpanId', ctx);
  let startNs = time(field(s, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano', ctx);
  let endNs = time(field(s, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano', ctx);
  const name = asString(s.name) ?? '';
  if (startNs === undefined) {
    ctx.diag.add('warning', 'bad-time', `span "${name}" has no startTimeUnixNano`, ctx.line);
    startNs = endNs ?? 0n;
  }
  if (endNs === undefined) endNs = startNs;
  if (endNs < startNs) {
    ctx.diag.add('warning', 'bad-time', `span "${name}" ends before it starts; its duration is shown as 0`, ctx.line);
    endNs = startNs;
  }
  const statusRaw = s.status;
  const status: Span['status'] = { code: statusCode(isObject(statusRaw) ? statusRaw.code : undefined) };
  const message = isObject(statusRaw) ? asString(statusRaw.message) : undefined;
  if (message) status.message = message;
  const kind = spanKind(s.kind);
  const attrs = attributes(s.attributes);
  const evs = events(s.events, startNs, ctx);
  const lks = links(s.links, ctx);
  // parentSpanId is the last key, as if added afterwards, but written in the literal: no extra property storage per span.
  return parentSpanId === ''
    ? { traceId: trace, spanId, name, kind, startNs, endNs, attributes: attrs, resource, scope, events: evs, links: lks, status, logs: [], source }
    : { traceId: trace, spanId, name, kind, startNs, endNs, attributes: attrs, resource, scope, events: evs, links: lks, status, logs: [], source, parentSpanId };
}

/** The events that are objects, in order (as asArray(raw).filter(isObject).map(…), in one array). */
function events(raw: Json | undefined, fallback: bigint, ctx: NormalizeContext): SpanEvent[] {
  const out: SpanEvent[] = [];
  if (Array.isArray(raw)) for (const e of raw) if (isObject(e)) out.push(event(e, fallback, ctx));
  return out;
}

function links(raw: Json | undefined, ctx: NormalizeContext): SpanLink[] {
  const out: SpanLink[] = [];
  if (Array.isArray(raw)) for (const l of raw) if (isObject(l)) out.push(link(l, ctx));
  return out;
}

function event(e: JsonObject, fallback: bigint, ctx: NormalizeContext): SpanEvent {
  return {
    name: asString(e.name) ?? '',
    timeNs: time(field(e, 'timeUnixNano', 'time_unix_nano'), 'event timeUnixNano', ctx) ?? fallback,
    attributes: attributes(e.attributes),
  };
}

function link(l: JsonObject, ctx: NormalizeContext): SpanLink {
  return {
    traceId: traceId(field(l, 'traceId', 'trace_id'), 'link traceId', ctx),
    spanId: id(field(l, 'spanId', 'span_id'), 'span', 'link spanId', ctx),
    attributes: attributes(l.attributes),
  };
}

export function logsFromResourceLogs(raw: Json, ctx: NormalizeContext): PendingLog[] {
  if (!isObject(raw)) {
    ctx.diag.add('warning', 'unknown-shape', 'a resourceLogs element is not an object', ctx.line);
    return [];
  }
  const out: PendingLog[] = [];
  for (const [, records] of scopes(raw, logScopeKeys, ['logRecords', 'log_records'])) {
    for (const r of records) {
      if (!isObject(r)) continue;
      const log: SpanLog = {
        timeNs: time(field(r, 'timeUnixNano', 'time_unix_nano'), 'log timeUnixNano', ctx) || time(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'log observedTimeUnixNano', ctx) || 0n,
        body: anyValue(r.body),
        attributes: attributes(r.attributes),
      };
      const severityText = asString(field(r, 'severityText', 'severity_text'));
      if (severityText) log.severityText = severityText;
      const sev = severityNumber(field(r, 'severityNumber', 'severity_number'));
      if (sev !== undefined) log.severityNumber = sev;
      const eventName = asString(field(r, 'eventName', 'event_name'));
      if (eventName) log.eventName = eventName;
      out.push({
        traceId: traceId(field(r, 'traceId', 'trace_id'), 'log traceId', ctx),
        spanId: id(field(r, 'spanId', 'span_id'), 'span', 'log spanId', ctx),
        log,
      });
    }
  }
  return out;
}

/** The metric data kinds, as OTLP/JSON spells them (camelCase) and as protobuf JSON mappings do (snake_case). */
export const metricKinds: [string, string][] = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

/** Metrics are only counted: the trace viewer does not show them. */
export function countMetricDataPoints(raw: Json): number {
  if (!isObject(raw)) return 0;
  let n = 0;
  for (const [, metrics] of scopes(raw, metricScopeKeys, ['metrics', 'metrics'])) {
    for (const m of metrics) {
      if (!isObject(m)) continue;
      for (const [camel, snake] of metricKinds) {
        const data = field(m, camel, snake);
        if (isObject(data)) n += asArray(field(data, 'dataPoints', 'data_points')).length;
      }
    }
  }
  return n;
}
