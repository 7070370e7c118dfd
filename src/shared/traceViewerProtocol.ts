import { hasMessageType, isRecord } from './guards';

/** The messages between the trace viewer's custom editor and its webview. Plain JSON: no bigint on the wire. */

export type WireSpanType = 'agent' | 'llm' | 'tool' | 'retrieval' | 'embedding' | 'chain' | 'other';

export interface WireTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface TraceListItem {
  traceId: string;
  rootName: string;
  services: string[];
  spanCount: number;
  errorCount: number;
  /** Epoch milliseconds of the trace start. */
  startMs: number;
  durationMs: number;
  tokens: WireTokens;
  costUsd: number | null;
  models: string[];
}

export interface SpanRow {
  index: number;
  parent: number;
  depth: number;
  name: string;
  service: string;
  /** Relative to the trace start. */
  startMs: number;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  type: WireSpanType;
  childCount: number;
  orphan: boolean;
  tokens?: number;
  costUsd?: number;
  model?: string;
}

export interface KeyValueRow {
  key: string;
  /** Display text: strings as they are, other values as JSON. */
  value: string;
}

export interface WireMessage {
  direction: 'system' | 'input' | 'output';
  role: string;
  parts: { kind: 'text' | 'tool_call' | 'tool_result' | 'other'; text: string; toolCallId?: string; toolName?: string; toolSpan?: number }[];
}

export interface SpanDetail {
  index: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  service: string;
  scope: string;
  startTime: string;
  durationMs: number;
  status: { code: string; message?: string };
  attributes: KeyValueRow[];
  resource: KeyValueRow[];
  events: { name: string; offsetMs: number; attributes: KeyValueRow[] }[];
  links: { traceId: string; spanId: string; attributes: KeyValueRow[] }[];
  logs: { offsetMs: number; severity: string; body: string; attributes: KeyValueRow[] }[];
  genai?: {
    type: WireSpanType;
    provider?: string;
    requestModel?: string;
    responseModel?: string;
    tokens?: WireTokens;
    costUsd?: number;
    costNote?: string;
    finishReasons?: string[];
    contentCaptured: boolean;
    messages: WireMessage[];
    tool?: { name?: string; callId?: string; arguments?: string; result?: string };
  };
  code?: { file: string; line: number };
  source: { file: string; line: number };
  /** The normalised span as pretty JSON, for "Copy as JSON". */
  json: string;
}

export interface WireDiagnostic {
  file: string;
  line?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export type CriticalPathWire = { ok: true; spans: number[] } | { ok: false; reason: string };

export type TraceViewerToWebview =
  | { type: 'progress'; bytesRead: number; bytesTotal: number }
  | { type: 'loaded'; file: string; traces: TraceListItem[]; diagnostics: WireDiagnostic[]; logRecords: number; metricDataPoints: number }
  | { type: 'trace'; traceId: string; spans: SpanRow[]; criticalPath: CriticalPathWire; slowest?: number; mostExpensive?: number }
  | { type: 'spanDetail'; detail: SpanDetail }
  | { type: 'searchResult'; traceId: string; matches: number[] }
  | { type: 'failed'; message: string };

export interface SearchQuery {
  text?: string;
  errorsOnly?: boolean;
}

export type TraceViewerFromWebview =
  | { type: 'ready' }
  | { type: 'openTrace'; traceId: string }
  | { type: 'selectSpan'; traceId: string; index: number }
  | { type: 'search'; traceId: string; query: SearchQuery }
  | { type: 'goToCode'; file: string; line: number }
  | { type: 'revealSource'; file: string; line: number };

const fromTypes = ['ready', 'openTrace', 'selectSpan', 'search', 'goToCode', 'revealSource'] as const;

export function isTraceViewerFromWebview(m: unknown): m is TraceViewerFromWebview {
  if (!hasMessageType(m, fromTypes)) return false;
  switch (m.type) {
    case 'ready':
      return true;
    case 'openTrace':
      return typeof m.traceId === 'string';
    case 'selectSpan':
      return typeof m.traceId === 'string' && Number.isInteger(m.index);
    case 'search':
      return typeof m.traceId === 'string' && isRecord(m.query);
    case 'goToCode':
    case 'revealSource':
      return typeof m.file === 'string' && Number.isInteger(m.line);
  }
}

const toTypes = ['progress', 'loaded', 'trace', 'spanDetail', 'searchResult', 'failed'] as const;

export function isTraceViewerToWebview(m: unknown): m is TraceViewerToWebview {
  return hasMessageType(m, toTypes);
}
