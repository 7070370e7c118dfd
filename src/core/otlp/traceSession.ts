import type { Worker } from 'node:worker_threads';
import { plainPriceInputs } from '../tokens/pricing/inputs';
import { abortError, startWorker, WorkerClient } from '../worker';
import type { SearchQuery, SpanDetail, TraceListItem, WireDiagnostic, WireModelStats, WireOperationStats, WireTraceDiff } from '../../shared/traceViewerProtocol';
import type { ReadProgress } from './model';
import { defaultMaxMemoryMb } from './workerProtocol';
import type {
  PriceInputs,
  PriceProblem,
  SessionInit,
  SessionMethod,
  SessionMethods,
  SessionRequest,
  SessionResponse,
  TraceCounts,
  TraceMessage,
} from './workerProtocol';

export { defaultMaxMemoryMb } from './workerProtocol';
export type { PriceInputs, PriceProblem, TraceCounts, TraceMessage } from './workerProtocol';

export interface TraceSessionOptions {
  /** The worker script: dist/lazy/otlpWorker.js when bundled, src/core/otlp/traceSessionWorker.ts from source (run through tsx). */
  workerPath: string;
  files: string[];
  /** What the worker's price table is built from; without it, the bundled genai-prices table. */
  prices?: PriceInputs;
  /** Progress of every read: the first one and each reload. */
  onProgress?(progress: ReadProgress): void;
  /** Aborts opening (the worker is terminated and the promise rejects with an AbortError); ignored once open. */
  signal?: AbortSignal;
  /**
   * The worker's heap limit in MB (default 4096). A model that does not fit stops the worker with an
   * OutOfMemoryError instead of taking the extension host down with it.
   */
  maxMemoryMb?: number;
  /** The worker stopped by itself (out of memory, a crash) after opening; not called on dispose(). */
  onClose?(reason: Error): void;
}

/**
 * The trace files read and held by a worker thread. Every method is one small request/response over
 * postMessage whose answer is wire data (src/shared/traceViewerProtocol.ts); the TraceSet itself never
 * crosses to the calling thread.
 */
export interface TraceSession {
  /** Price inputs the worker ignored (it fell back to the bundled table or to no overrides); set once, on open. */
  readonly priceProblems: readonly PriceProblem[];
  list(): Promise<TraceListItem[]>;
  diagnostics(): Promise<WireDiagnostic[]>;
  counts(): Promise<TraceCounts>;
  trace(traceId: string): Promise<TraceMessage | undefined>;
  detail(traceId: string, index: number): Promise<SpanDetail | undefined>;
  search(traceId: string, query: SearchQuery): Promise<number[]>;
  /** Where a span sits in its trace's rows; undefined when the trace or span is not in the files. */
  spanIndex(traceId: string, spanId: string): Promise<number | undefined>;
  stats(): Promise<{ operations: WireOperationStats[]; models: WireModelStats[] }>;
  /** undefined when either trace is not in the files. */
  compare(a: string, b: string): Promise<WireTraceDiff | undefined>;
  /** Costs everything again with a new price table; resolves to the inputs the worker had to ignore. */
  setPrices(prices: PriceInputs): Promise<PriceProblem[]>;
  /** Why the session ended, once it has (disposed, or the worker stopped). */
  readonly closed: Error | undefined;
  /**
   * Reads the files again in the same worker and swaps the model in when done (until then the previous one
   * answers). A newer reload aborts this one (AbortError); a failed read keeps the previous model.
   */
  reload(): Promise<TraceCounts>;
  /** Terminates the worker. Requests still waiting, and any made later, reject with an AbortError. */
  dispose(): void;
}

/**
 * Starts a worker that reads `files` and keeps their model. Resolves once the first read is done; rejects
 * with its error (an InputError for an unreadable file) or an AbortError, and then the worker is gone.
 */
export async function openTraceSession(options: TraceSessionOptions): Promise<TraceSession> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, 'opening the trace files was aborted');
  const init: SessionInit = { files: [...options.files], prices: plainPriceInputs(options.prices ?? {}) };
  const maxMemoryMb = options.maxMemoryMb ?? defaultMaxMemoryMb;
  const session = new WorkerTraceSession(startWorker(options.workerPath, init, { maxOldGenerationSizeMb: maxMemoryMb }), options, maxMemoryMb);
  const onAbort = (): void => session.close(abortError(signal as AbortSignal, 'opening the trace files was aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await session.reload();
    session.opened = true;
    return session;
  } catch (err) {
    session.close(err instanceof Error ? err : new Error(String(err)));
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

class WorkerTraceSession implements TraceSession {
  priceProblems: readonly PriceProblem[] = [];
  opened = false;
  private readonly client: WorkerClient<ReadProgress>;

  constructor(worker: Worker, options: TraceSessionOptions, maxMemoryMb: number) {
    this.client = new WorkerClient<ReadProgress>(worker, {
      what: 'the trace reader',
      outOfMemory: () => `reading ${options.files.join(', ')} needs more than the trace reader's ${maxMemoryMb} MB of memory; it was stopped (the editor was not affected)`,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onNotice: (m) => {
        if ((m as SessionResponse).type === 'priceProblems') this.priceProblems = (m as { problems: PriceProblem[] }).problems;
      },
      // Told once the session was open: before that, opening fails with the reason.
      onStopped: (reason) => {
        if (this.opened) options.onClose?.(reason);
      },
    });
  }

  get closed(): Error | undefined {
    return this.client.closed;
  }

  list = () => this.call('list');
  diagnostics = () => this.call('diagnostics');
  counts = () => this.call('counts');
  trace = (traceId: string) => this.call('trace', traceId);
  detail = (traceId: string, index: number) => this.call('detail', traceId, index);
  search = (traceId: string, query: SearchQuery) => this.call('search', traceId, query);
  spanIndex = (traceId: string, spanId: string) => this.call('spanIndex', traceId, spanId);
  stats = () => this.call('stats');
  compare = (a: string, b: string) => this.call('compare', a, b);
  reload = () => this.call('load');
  setPrices = async (prices: PriceInputs) => {
    const problems = await this.call('setPrices', plainPriceInputs(prices));
    this.priceProblems = problems;
    return problems;
  };

  dispose(): void {
    this.close(new DOMException('the trace session was disposed', 'AbortError'));
  }

  /** Ends the session: rejects what is pending with `reason` (and every later request), terminates the worker. */
  close(reason: Error): void {
    this.client.close(reason);
  }

  private call<M extends SessionMethod>(method: M, ...args: Parameters<SessionMethods[M]>): Promise<ReturnType<SessionMethods[M]>> {
    return this.client.request((id) => ({ id, method, args }) as SessionRequest);
  }
}
