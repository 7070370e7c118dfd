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
import type { PriceInputs, PriceProblem } from '../tokens/pricing/inputs';
import type { SerializedError } from '../worker';
import type { ReadProgress } from './model';

/**
 * Messages between openTraceSession (the extension host's side) and the session worker, which owns the
 * TraceSet and its TraceViewModel. Every answer is wire data of src/shared/traceViewerProtocol.ts: plain
 * JSON, small, never the model itself.
 */

export type { PriceInputs, PriceProblem } from '../tokens/pricing/inputs';
export type { SerializedError } from '../worker';

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

export type SessionResponse =
  | { type: 'progress'; id: number; progress: ReadProgress }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  /** Sent once, before the first answer, when an input could not be used. */
  | { type: 'priceProblems'; problems: PriceProblem[] };
