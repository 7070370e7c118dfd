import type {
  SearchQuery,
  SpanDetail,
  TraceListItem,
  TraceViewerToWebview,
  WireDiagnostic,
  WireModelStats,
  WireOperationStats,
  WireTraceDiff,
} from '../../shared/traceViewerProtocol';
import type { ReadProgress } from './model';

/**
 * Messages between openTraceSession (the extension host's side) and the session worker, which owns the
 * TraceSet and its TraceViewModel. Every answer is wire data of src/shared/traceViewerProtocol.ts: plain
 * JSON, small, never the model itself.
 */

/** What the worker builds its price table from: the bundled genai-prices table, then these. */
export interface PriceInputs {
  /** The text of the refreshed copy of genai-prices' data.json (the extension keeps it in global storage). */
  storedJson?: string;
  /** Names that copy in messages, e.g. its path. */
  storedOrigin?: string;
  /** The `agentOps.priceOverrides` setting as the user wrote it; validated in the worker. */
  overrides?: unknown;
}

/** An input the worker ignored (falling back to the bundled table, or to no overrides), reported once. */
export interface PriceProblem {
  input: 'storedPrices' | 'overrides';
  message: string;
}

export interface TraceCounts {
  traces: number;
  spans: number;
  logRecords: number;
  metricDataPoints: number;
  diagnostics: number;
}

export type TraceMessage = Extract<TraceViewerToWebview, { type: 'trace' }>;

/** The worker's methods: one request/response each. `load` reads the files (again), keeping the price table. */
export interface SessionMethods {
  load(): TraceCounts;
  list(): TraceListItem[];
  diagnostics(): WireDiagnostic[];
  counts(): TraceCounts;
  trace(traceId: string): TraceMessage | undefined;
  detail(traceId: string, index: number): SpanDetail | undefined;
  search(traceId: string, query: SearchQuery): number[];
  spanIndex(traceId: string, spanId: string): number | undefined;
  stats(): { operations: WireOperationStats[]; models: WireModelStats[] };
  compare(a: string, b: string): WireTraceDiff | undefined;
  /** Replaces the price table (costs are computed again); returns the inputs it had to ignore. */
  setPrices(prices: PriceInputs): PriceProblem[];
}

export type SessionMethod = keyof SessionMethods;

/** workerData of the session worker. */
export interface SessionInit {
  files: string[];
  prices: PriceInputs;
}

/** The heap the worker may use before it is stopped (ERR_WORKER_OUT_OF_MEMORY) rather than the extension host. */
export const defaultMaxMemoryMb = 4096;

export type SessionRequest = { [M in SessionMethod]: { id: number; method: M; args: Parameters<SessionMethods[M]> } }[SessionMethod];

export interface SerializedError {
  name: string;
  message: string;
  /** Present for an InputError. */
  location?: { file: string; line?: number; column?: number; field?: string };
  detail?: string;
}

export type SessionResponse =
  | { type: 'progress'; id: number; progress: ReadProgress }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  /** Sent once, before the first answer, when an input could not be used. */
  | { type: 'priceProblems'; problems: PriceProblem[] };
