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

/** Latency, errors, tokens and cost of a group of spans over all traces of the file (groups are never empty). */
export interface WireLatencyStats {
  count: number;
  errorCount: number;
  /** errorCount / count. */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** count × mean: the time the group accounts for, which the chart ranks operations by. */
  totalMs: number;
  tokens: WireTokens;
  /** null when none of the group's usage could be priced. */
  costUsd: number | null;
}

export interface WireOperationStats extends WireLatencyStats {
  name: string;
  service: string;
}

export interface WireModelStats extends WireLatencyStats {
  model: string;
  providers: string[];
}

/** One side of a matched span: tokens and cost include the span's subtree. */
export interface WireSpanSide {
  span: number;
  durationMs: number;
  tokens: number;
  costUsd: number | null;
  error: boolean;
}

export interface WireSpanDiff {
  /** Names from the root, e.g. "GET › HTTP GET#1" (the second same-named sibling). */
  path: string;
  depth: number;
  a: WireSpanSide;
  b: WireSpanSide;
  /** b − a. */
  durationDeltaMs: number;
  tokensDelta: number;
  /** null when either side has no priced usage. */
  costDeltaUsd: number | null;
}

export interface WireUnmatchedSpan {
  path: string;
  span: number;
  durationMs: number;
  error: boolean;
}

export interface WireTraceDiff {
  /** Sorted by absolute duration delta, largest first. */
  matched: WireSpanDiff[];
  /** In tree order. */
  onlyInA: WireUnmatchedSpan[];
  onlyInB: WireUnmatchedSpan[];
  durationDeltaMs: number;
  tokensDelta: number;
  costDeltaUsd: number | null;
}

/**
 * The trace viewer's UI strings, localized by the host (webviews have no l10n API of their own) and sent in
 * its first message, 'init'. `{0}`, `{1}` are filled in by the webview's `format`; pairs named …One / …Other
 * are the singular and the plural of a count. The English text is in src/extension/traces/traceViewerStrings.ts.
 */
export interface TraceViewerStrings {
  // Loading
  reading: string;
  /** {0}: percent read, {1}: size in KB. */
  readingProgress: string;
  couldNotRead: string;
  tryAgain: string;
  /** {0}: a count, in every …One / …Other pair. */
  traceCountOne: string;
  traceCountOther: string;
  spanCountOne: string;
  spanCountOther: string;
  errorCountOne: string;
  errorCountOther: string;
  problemsOne: string;
  problemsOther: string;
  // The trace list (and column headers shared with other tables)
  traces: string;
  statistics: string;
  compare: string;
  /** {0}: root span name, {1}: start time. */
  pickForComparison: string;
  pickTwo: string;
  /** {0}: trace A. */
  pickedA: string;
  /** {0}: trace A, {1}: trace B. */
  pickedAB: string;
  /** {0}: number of traces. */
  allTraces: string;
  start: string;
  rootSpan: string;
  services: string;
  duration: string;
  spans: string;
  errors: string;
  tokens: string;
  cost: string;
  /** {0}: rows shown, {1}: all rows. */
  showingRows: string;
  // A trace: toolbar and waterfall
  searchPlaceholder: string;
  searchLabel: string;
  matchCountOne: string;
  matchCountOther: string;
  errorsOnly: string;
  previousError: string;
  nextError: string;
  slowest: string;
  mostExpensive: string;
  /** {0}: criticalPathSpans or criticalPathUnavailable. */
  criticalPath: string;
  /** {0}: number of spans on the critical path. */
  criticalPathSpans: string;
  /** {0}: why. */
  criticalPathUnavailable: string;
  selectSpanHint: string;
  orphan: string;
  orphanTitle: string;
  /** {0}: a token count. */
  tokensShort: string;
  // Span detail
  copyAsJson: string;
  copied: string;
  copyFailed: string;
  /** {0}: file, {1}: line. */
  goToCode: string;
  /** {0}: line. */
  showInFile: string;
  service: string;
  kind: string;
  status: string;
  span: string;
  parent: string;
  scope: string;
  attributes: string;
  /** {0}: count. */
  events: string;
  /** {0}: count. */
  logs: string;
  /** {0}: count. */
  links: string;
  resource: string;
  provider: string;
  model: string;
  /** {0}: a token count, in tokensIn … tokensReasoning. */
  tokensIn: string;
  tokensOut: string;
  tokensCacheRead: string;
  tokensCacheWrite: string;
  tokensReasoning: string;
  finish: string;
  tool: string;
  callId: string;
  arguments: string;
  result: string;
  contentNotCaptured: string;
  /** {0}: span type (llm, tool, …). */
  genAi: string;
  /** {0}: role. */
  roleOutput: string;
  /** The name of a tool call without one. */
  toolFallback: string;
  openToolSpan: string;
  toolResult: string;
  none: string;
  /** {0}: number of characters. */
  showAll: string;
  // Statistics
  computingStatistics: string;
  count: string;
  p50: string;
  p95: string;
  p99: string;
  p50Title: string;
  p95Title: string;
  p99Title: string;
  max: string;
  errorRate: string;
  operation: string;
  totalTime: string;
  totalTimeTitle: string;
  /** {0}: number of operations charted. */
  chartHeading: string;
  /** {0}: number of operations charted. */
  chartLabel: string;
  chartAxis: string;
  noSpans: string;
  operations: string;
  /** {0}: count. */
  operationsHeading: string;
  operationsNote: string;
  models: string;
  /** {0}: count. */
  modelsHeading: string;
  noModels: string;
  // Compare
  compareTraces: string;
  comparing: string;
  traceGone: string;
  swap: string;
  spanPath: string;
  durationInA: string;
  durationInB: string;
  durationDelta: string;
  durationChange: string;
  durationChangeTitle: string;
  tokensDelta: string;
  tokensDeltaTitle: string;
  costDelta: string;
  costDeltaTitle: string;
  totalsLabel: string;
  /** {0}: count. */
  onlyInA: string;
  /** {0}: count. */
  onlyInB: string;
  spansOnlyInA: string;
  spansOnlyInB: string;
  noneFound: string;
  /** {0}: count. */
  matchedSpansHeading: string;
  matchedSpansNote: string;
  matchedSpans: string;
  noMatchedSpans: string;
}

export type TraceViewerToWebview =
  /** Always the host's first message, in answer to 'ready'. */
  | { type: 'init'; strings: TraceViewerStrings }
  | { type: 'progress'; bytesRead: number; bytesTotal: number }
  | { type: 'loaded'; file: string; traces: TraceListItem[]; diagnostics: WireDiagnostic[]; logRecords: number; metricDataPoints: number }
  | { type: 'trace'; traceId: string; spans: SpanRow[]; criticalPath: CriticalPathWire; slowest?: number; mostExpensive?: number }
  | { type: 'spanDetail'; detail: SpanDetail }
  | { type: 'searchResult'; traceId: string; matches: number[] }
  | { type: 'stats'; operations: WireOperationStats[]; models: WireModelStats[] }
  /** diff is null when either trace is no longer in the file (it was rewritten since the list was sent). */
  | { type: 'comparison'; a: string; b: string; diff: WireTraceDiff | null }
  | { type: 'failed'; message: string }
  /** Show this trace, with this span selected (from the Trajectories view, a finding's step). */
  | { type: 'reveal'; traceId: string; index?: number };

export interface SearchQuery {
  text?: string;
  errorsOnly?: boolean;
}

export type TraceViewerFromWebview =
  | { type: 'ready' }
  | { type: 'openTrace'; traceId: string }
  | { type: 'selectSpan'; traceId: string; index: number }
  | { type: 'search'; traceId: string; query: SearchQuery }
  | { type: 'requestStats' }
  | { type: 'compare'; a: string; b: string }
  | { type: 'goToCode'; file: string; line: number }
  | { type: 'revealSource'; file: string; line: number }
  /** After a failure: read the file again (in a new worker when the last one stopped). */
  | { type: 'reload' };

const fromTypes = ['ready', 'openTrace', 'selectSpan', 'search', 'requestStats', 'compare', 'goToCode', 'revealSource', 'reload'] as const;

export function isTraceViewerFromWebview(m: unknown): m is TraceViewerFromWebview {
  if (!hasMessageType(m, fromTypes)) return false;
  switch (m.type) {
    case 'ready':
    case 'requestStats':
    case 'reload':
      return true;
    case 'compare':
      return typeof m.a === 'string' && typeof m.b === 'string';
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

const toTypes = ['init', 'progress', 'loaded', 'trace', 'spanDetail', 'searchResult', 'stats', 'comparison', 'failed', 'reveal'] as const;

export function isTraceViewerToWebview(m: unknown): m is TraceViewerToWebview {
  if (!hasMessageType(m, toTypes)) return false;
  switch (m.type) {
    case 'init':
      return isRecord(m.strings) && Object.values(m.strings).every((v) => typeof v === 'string');
    case 'stats':
      return Array.isArray(m.operations) && Array.isArray(m.models);
    case 'reveal':
      return typeof m.traceId === 'string' && (m.index === undefined || Number.isInteger(m.index));
    case 'comparison':
      return typeof m.a === 'string' && typeof m.b === 'string' && (m.diff === null || (isRecord(m.diff) && Array.isArray(m.diff.matched) && Array.isArray(m.diff.onlyInA) && Array.isArray(m.diff.onlyInB)));
    default:
      return true;
  }
}
