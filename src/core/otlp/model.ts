/**
 * The trace model every part of the trace viewer shares (src/core/otlp).
 * Plain data, already normalised from whatever dialect of OTLP JSON the file
 * used: hex ids, nanosecond times as bigint, enums as names, attributes as
 * plain values. The extension and the CLI never see raw OTLP.
 */

import type { SourceDiagnostic } from '../diagnostics';

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

/**
 * An OTLP AnyValue as plain data. intValue within ±2^53 becomes a number; a
 * larger one stays a decimal string so no precision is lost. bytesValue stays
 * base64 text. kvlist becomes an object, array an array, empty AnyValue null.
 */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** Where a record came from, for diagnostics and "reveal in file". 1-based line of the (decompressed) file. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface Resource {
  attributes: Attributes;
  /** `service.name`, or "unknown_service". */
  serviceName: string;
}

export interface Scope {
  name: string;
  version?: string;
}

export interface SpanEvent {
  name: string;
  timeNs: bigint;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** A log record attached to its span by span id (GenAI events often arrive as logs). */
export interface SpanLog {
  timeNs: bigint;
  severityText?: string;
  severityNumber?: number;
  eventName?: string;
  body: AttrValue;
  attributes: Attributes;
}

export interface Span {
  /** Lowercase hex, 32 characters (or the raw text when it was neither hex nor base64: see diagnostics). */
  traceId: string;
  /** Lowercase hex, 16 characters. */
  spanId: string;
  /** Lowercase hex; undefined for a root (empty or missing in the file). */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  resource: Resource;
  scope: Scope;
  events: SpanEvent[];
  links: SpanLink[];
  status: { code: StatusCode; message?: string };
  logs: SpanLog[];
  source: SourceRef;
}

export type { DiagnosticSeverity } from '../diagnostics';

/** Codes: 'invalid-json', 'truncated-line', 'bad-id', 'duplicate-span', 'parent-cycle', 'orphan', 'bad-time', 'unknown-shape', … */
export type TraceDiagnostic = SourceDiagnostic;

/** One trace: its spans in start order and the tree over them (by index). */
export interface Trace {
  traceId: string;
  /** Sorted by startNs, then by tree order for equal starts. */
  spans: Span[];
  /** parent[i] is the index of span i's parent, or -1 (a root, or an orphan whose parent is not in the file). */
  parent: Int32Array;
  /** children[i]: indices of span i's children in start order. */
  children: number[][];
  /** Spans with parent -1: true roots first, then orphans. */
  roots: number[];
  /** Indices of spans whose parentSpanId names a span not in the file. */
  orphans: number[];
  /** Parent links cut to break a cycle: [child index, parent index as written]. */
  cutCycles: [number, number][];
  startNs: bigint;
  endNs: bigint;
}

/** Everything read from one or more files. */
export interface TraceSet {
  traces: Trace[];
  diagnostics: TraceDiagnostic[];
  files: string[];
  /** Counts of the other signals seen in mixed-signal files. */
  logRecords: number;
  metricDataPoints: number;
}

export interface ReadProgress {
  bytesRead: number;
  bytesTotal: number;
}

export interface ReadOptions {
  onProgress?(progress: ReadProgress): void;
  signal?: AbortSignal;
}
