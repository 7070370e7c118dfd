import type { Json, JsonObject } from '../../../otlp/values';
import { WireError, WireReader, WireType } from './wire';

/**
 * The OTLP export requests (opentelemetry-proto, collector/{trace,logs,metrics}/v1 and the messages they
 * hold) as field tables, and a decoder that turns the binary form straight into the OTLP/JSON shape the
 * store writes: ids as lowercase hex, 64-bit integers as decimal strings, enums as numbers, AnyValue
 * bytes as base64, non-finite doubles as "NaN"/"Infinity" (the proto3 JSON mapping). Field numbers are
 * those of the official .proto files; unknown fields are skipped, as protobuf requires.
 */

type Scalar = 'string' | 'hex' | 'base64' | 'uint32' | 'enum' | 'sint32' | 'bool' | 'double' | 'fixed32' | 'fixed64' | 'sfixed64' | 'int64' | 'uint64';

interface FieldDef {
  name: string;
  kind: Scalar | MessageDef;
  repeated: boolean;
}

export interface MessageDef {
  name: string;
  /** Indexed by field number. */
  fields: (FieldDef | undefined)[];
}

function message(name: string): MessageDef {
  return { name, fields: [] };
}

/** Fills a message's table: [number, jsonName, kind, repeated?]. Separate from message() so definitions can refer to each other. */
function define(def: MessageDef, fields: [number, string, Scalar | MessageDef, boolean?][]): void {
  for (const [n, name, kind, repeated] of fields) def.fields[n] = { name, kind, repeated: repeated === true };
}

// common/v1/common.proto, resource/v1/resource.proto
const AnyValue = message('AnyValue');
const ArrayValue = message('ArrayValue');
const KeyValueList = message('KeyValueList');
const KeyValue = message('KeyValue');
const Scope = message('InstrumentationScope');
const Resource = message('Resource');
define(AnyValue, [
  [1, 'stringValue', 'string'],
  [2, 'boolValue', 'bool'],
  [3, 'intValue', 'int64'],
  [4, 'doubleValue', 'double'],
  [5, 'arrayValue', ArrayValue],
  [6, 'kvlistValue', KeyValueList],
  [7, 'bytesValue', 'base64'],
]);
define(ArrayValue, [[1, 'values', AnyValue, true]]);
define(KeyValueList, [[1, 'values', KeyValue, true]]);
define(KeyValue, [
  [1, 'key', 'string'],
  [2, 'value', AnyValue],
]);
define(Scope, [
  [1, 'name', 'string'],
  [2, 'version', 'string'],
  [3, 'attributes', KeyValue, true],
  [4, 'droppedAttributesCount', 'uint32'],
]);
define(Resource, [
  [1, 'attributes', KeyValue, true],
  [2, 'droppedAttributesCount', 'uint32'],
]);

// trace/v1/trace.proto
const Status = message('Status');
const SpanEvent = message('Span.Event');
const SpanLink = message('Span.Link');
const Span = message('Span');
const ScopeSpans = message('ScopeSpans');
const ResourceSpans = message('ResourceSpans');
define(Status, [
  [2, 'message', 'string'],
  [3, 'code', 'enum'],
]);
define(SpanEvent, [
  [1, 'timeUnixNano', 'fixed64'],
  [2, 'name', 'string'],
  [3, 'attributes', KeyValue, true],
  [4, 'droppedAttributesCount', 'uint32'],
]);
define(SpanLink, [
  [1, 'traceId', 'hex'],
  [2, 'spanId', 'hex'],
  [3, 'traceState', 'string'],
  [4, 'attributes', KeyValue, true],
  [5, 'droppedAttributesCount', 'uint32'],
  [6, 'flags', 'fixed32'],
]);
define(Span, [
  [1, 'traceId', 'hex'],
  [2, 'spanId', 'hex'],
  [3, 'traceState', 'string'],
  [4, 'parentSpanId', 'hex'],
  [5, 'name', 'string'],
  [6, 'kind', 'enum'],
  [7, 'startTimeUnixNano', 'fixed64'],
  [8, 'endTimeUnixNano', 'fixed64'],
  [9, 'attributes', KeyValue, true],
  [10, 'droppedAttributesCount', 'uint32'],
  [11, 'events', SpanEvent, true],
  [12, 'droppedEventsCount', 'uint32'],
  [13, 'links', SpanLink, true],
  [14, 'droppedLinksCount', 'uint32'],
  [15, 'status', Status],
  [16, 'flags', 'fixed32'],
]);
define(ScopeSpans, [
  [1, 'scope', Scope],
  [2, 'spans', Span, true],
  [3, 'schemaUrl', 'string'],
]);
define(ResourceSpans, [
  [1, 'resource', Resource],
  [2, 'scopeSpans', ScopeSpans, true],
  [3, 'schemaUrl', 'string'],
]);

// logs/v1/logs.proto
const LogRecord = message('LogRecord');
const ScopeLogs = message('ScopeLogs');
const ResourceLogs = message('ResourceLogs');
define(LogRecord, [
  [1, 'timeUnixNano', 'fixed64'],
  [2, 'severityNumber', 'enum'],
  [3, 'severityText', 'string'],
  [5, 'body', AnyValue],
  [6, 'attributes', KeyValue, true],
  [7, 'droppedAttributesCount', 'uint32'],
  [8, 'flags', 'fixed32'],
  [9, 'traceId', 'hex'],
  [10, 'spanId', 'hex'],
  [11, 'observedTimeUnixNano', 'fixed64'],
  [12, 'eventName', 'string'],
]);
define(ScopeLogs, [
  [1, 'scope', Scope],
  [2, 'logRecords', LogRecord, true],
  [3, 'schemaUrl', 'string'],
]);
define(ResourceLogs, [
  [1, 'resource', Resource],
  [2, 'scopeLogs', ScopeLogs, true],
  [3, 'schemaUrl', 'string'],
]);

// metrics/v1/metrics.proto
const Exemplar = message('Exemplar');
const NumberDataPoint = message('NumberDataPoint');
const HistogramDataPoint = message('HistogramDataPoint');
const Buckets = message('ExponentialHistogramDataPoint.Buckets');
const ExpHistogramDataPoint = message('ExponentialHistogramDataPoint');
const ValueAtQuantile = message('SummaryDataPoint.ValueAtQuantile');
const SummaryDataPoint = message('SummaryDataPoint');
const Gauge = message('Gauge');
const Sum = message('Sum');
const Histogram = message('Histogram');
const ExpHistogram = message('ExponentialHistogram');
const Summary = message('Summary');
const Metric = message('Metric');
const ScopeMetrics = message('ScopeMetrics');
const ResourceMetrics = message('ResourceMetrics');
define(Exemplar, [
  [2, 'timeUnixNano', 'fixed64'],
  [3, 'asDouble', 'double'],
  [4, 'spanId', 'hex'],
  [5, 'traceId', 'hex'],
  [6, 'asInt', 'sfixed64'],
  [7, 'filteredAttributes', KeyValue, true],
]);
define(NumberDataPoint, [
  [2, 'startTimeUnixNano', 'fixed64'],
  [3, 'timeUnixNano', 'fixed64'],
  [4, 'asDouble', 'double'],
  [5, 'exemplars', Exemplar, true],
  [6, 'asInt', 'sfixed64'],
  [7, 'attributes', KeyValue, true],
  [8, 'flags', 'uint32'],
]);
define(HistogramDataPoint, [
  [2, 'startTimeUnixNano', 'fixed64'],
  [3, 'timeUnixNano', 'fixed64'],
  [4, 'count', 'fixed64'],
  [5, 'sum', 'double'],
  [6, 'bucketCounts', 'fixed64', true],
  [7, 'explicitBounds', 'double', true],
  [8, 'exemplars', Exemplar, true],
  [9, 'attributes', KeyValue, true],
  [10, 'flags', 'uint32'],
  [11, 'min', 'double'],
  [12, 'max', 'double'],
]);
define(Buckets, [
  [1, 'offset', 'sint32'],
  [2, 'bucketCounts', 'uint64', true],
]);
define(ExpHistogramDataPoint, [
  [1, 'attributes', KeyValue, true],
  [2, 'startTimeUnixNano', 'fixed64'],
  [3, 'timeUnixNano', 'fixed64'],
  [4, 'count', 'fixed64'],
  [5, 'sum', 'double'],
  [6, 'scale', 'sint32'],
  [7, 'zeroCount', 'fixed64'],
  [8, 'positive', Buckets],
  [9, 'negative', Buckets],
  [10, 'flags', 'uint32'],
  [11, 'exemplars', Exemplar, true],
  [12, 'min', 'double'],
  [13, 'max', 'double'],
  [14, 'zeroThreshold', 'double'],
]);
define(ValueAtQuantile, [
  [1, 'quantile', 'double'],
  [2, 'value', 'double'],
]);
define(SummaryDataPoint, [
  [2, 'startTimeUnixNano', 'fixed64'],
  [3, 'timeUnixNano', 'fixed64'],
  [4, 'count', 'fixed64'],
  [5, 'sum', 'double'],
  [6, 'quantileValues', ValueAtQuantile, true],
  [7, 'attributes', KeyValue, true],
  [8, 'flags', 'uint32'],
]);
define(Gauge, [[1, 'dataPoints', NumberDataPoint, true]]);
define(Sum, [
  [1, 'dataPoints', NumberDataPoint, true],
  [2, 'aggregationTemporality', 'enum'],
  [3, 'isMonotonic', 'bool'],
]);
define(Histogram, [
  [1, 'dataPoints', HistogramDataPoint, true],
  [2, 'aggregationTemporality', 'enum'],
]);
define(ExpHistogram, [
  [1, 'dataPoints', ExpHistogramDataPoint, true],
  [2, 'aggregationTemporality', 'enum'],
]);
define(Summary, [[1, 'dataPoints', SummaryDataPoint, true]]);
define(Metric, [
  [1, 'name', 'string'],
  [2, 'description', 'string'],
  [3, 'unit', 'string'],
  [5, 'gauge', Gauge],
  [7, 'sum', Sum],
  [9, 'histogram', Histogram],
  [10, 'exponentialHistogram', ExpHistogram],
  [11, 'summary', Summary],
  [12, 'metadata', KeyValue, true],
]);
define(ScopeMetrics, [
  [1, 'scope', Scope],
  [2, 'metrics', Metric, true],
  [3, 'schemaUrl', 'string'],
]);
define(ResourceMetrics, [
  [1, 'resource', Resource],
  [2, 'scopeMetrics', ScopeMetrics, true],
  [3, 'schemaUrl', 'string'],
]);

// collector/{trace,logs,metrics}/v1/*_service.proto
export const ExportTraceServiceRequest = message('ExportTraceServiceRequest');
export const ExportLogsServiceRequest = message('ExportLogsServiceRequest');
export const ExportMetricsServiceRequest = message('ExportMetricsServiceRequest');
define(ExportTraceServiceRequest, [[1, 'resourceSpans', ResourceSpans, true]]);
define(ExportLogsServiceRequest, [[1, 'resourceLogs', ResourceLogs, true]]);
define(ExportMetricsServiceRequest, [[1, 'resourceMetrics', ResourceMetrics, true]]);

// ── decoding ────────────────────────────────────────────────────────────────

/** AnyValue can nest; a hostile body must not overflow the stack. */
const maxDepth = 64;

function wireTypeOf(kind: Scalar | MessageDef): WireType {
  if (typeof kind !== 'string') return WireType.Len;
  switch (kind) {
    case 'string':
    case 'hex':
    case 'base64':
      return WireType.Len;
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return WireType.Fixed64;
    case 'fixed32':
      return WireType.Fixed32;
    default:
      return WireType.Varint;
  }
}

function scalar(r: WireReader, kind: Scalar): Json {
  switch (kind) {
    case 'string':
      return r.string();
    case 'hex':
      return r.hex();
    case 'base64':
      return r.base64();
    case 'uint32':
    case 'enum':
      // An enum is an int32 on the wire; a negative one keeps its low 32 bits here, which is fine for OTLP's enums (all ≥ 0).
      return r.uint32();
    case 'sint32':
      return r.sint32();
    case 'bool':
      return r.bool();
    case 'double': {
      const d = r.double();
      if (Number.isFinite(d)) return d;
      return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
    }
    case 'fixed32':
      return r.fixed32();
    case 'fixed64':
      return r.fixed64();
    case 'sfixed64':
      return r.sfixed64();
    case 'int64':
      return r.int64();
    case 'uint64':
      return r.uint64();
  }
}

function decodeMessage(buf: Buffer, start: number, end: number, def: MessageDef, depth: number): JsonObject {
  if (depth > maxDepth) throw new WireError(`messages nested deeper than ${maxDepth} levels`);
  const r = new WireReader(buf, start, end);
  const out: JsonObject = {};
  while (!r.done) {
    const at = r.pos;
    const tag = r.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) throw new WireError(`field number 0 at byte ${at} (not a protobuf ${def.name})`);
    const f = def.fields[number];
    if (!f) {
      r.skip(wireType, number);
      continue;
    }
    const expected = wireTypeOf(f.kind);
    // A repeated message is named with its index (`spans[3]`) in an error's path.
    let segment = f.name;
    try {
      if (typeof f.kind !== 'string') {
        if (f.repeated) segment = `${f.name}[${((out[f.name] as Json[] | undefined) ?? []).length}]`;
        if (wireType !== WireType.Len) throw new WireError(`wire type ${wireType} at byte ${at}, expected a length-delimited ${f.kind.name}`);
        const [s, e] = r.span();
        const value = decodeMessage(buf, s, e, f.kind, depth + 1);
        if (f.repeated) ((out[f.name] ??= []) as Json[]).push(value);
        else out[f.name] = value;
      } else if (f.repeated && wireType === WireType.Len && expected !== WireType.Len) {
        // A packed repeated scalar: one length-delimited run of values.
        const [s, e] = r.span();
        const packed = new WireReader(buf, s, e);
        const list = (out[f.name] ??= []) as Json[];
        while (!packed.done) list.push(scalar(packed, f.kind));
      } else {
        if (wireType !== expected) throw new WireError(`wire type ${wireType} at byte ${at}, expected ${expected} for a ${f.kind}`);
        const value = scalar(r, f.kind);
        if (f.repeated) ((out[f.name] ??= []) as Json[]).push(value);
        else out[f.name] = value;
      }
    } catch (err) {
      if (err instanceof WireError) throw err.within(segment);
      throw err;
    }
  }
  return out;
}

/** Decodes one export request; a malformed body throws a WireError whose message names the field path. */
export function decodeExportRequest(body: Uint8Array, def: MessageDef): JsonObject {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return decodeMessage(buf, 0, buf.length, def, 0);
}
