import { createRequire } from 'node:module';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { InputError, isInputError } from './errors';

/** Shared by the core's worker threads (trace sessions, trajectory validation): starting one, and errors across. */

/** An error as it crosses postMessage: an InputError keeps its location, an AbortError its name. */
export interface SerializedError {
  name: string;
  message: string;
  /** Present for an InputError. */
  location?: { file: string; line?: number; column?: number; field?: string };
  detail?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (isInputError(err)) return { name: err.name, message: err.message, location: { ...err.location }, detail: err.detail };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.name === 'InputError' && e.location && e.detail !== undefined) return new InputError(e.location, e.detail);
  if (e.name === 'AbortError') return new DOMException(e.message, 'AbortError');
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * Starts a worker from a bundled .js entry, or from a .ts entry (tests, running from source), which needs
 * tsx inside the worker too: Node 20 ignores `--import tsx` in a worker's execArgv, so a two-line bootstrap
 * registers tsx's require hook first.
 */
export function startWorker(workerPath: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const options = { workerData, ...(resourceLimits ? { resourceLimits } : {}) };
  if (!workerPath.endsWith('.ts')) return new Worker(workerPath, options);
  const tsx = createRequire(workerPath).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(workerPath)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export function abortError(signal: AbortSignal, message: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(message, 'AbortError');
}

/** The replies every session worker sends: progress and an answer or an error for a request id; anything without an id is a notice. */
export type WorkerReply<P> = { type: 'progress'; id: number; progress: P } | { type: 'error'; id: number; error: SerializedError } | { type: string; id: number; value: unknown };

export interface WorkerClientOptions<P> {
  /** Out of memory: the message that names the limit and what needed more. */
  outOfMemory(): string;
  /** What the worker is, for "… stopped unexpectedly (exit code N)". */
  what: string;
  /** Progress of a request still waiting. */
  onProgress?(progress: P): void;
  /** A message without a request id. */
  onNotice?(message: unknown): void;
  /** The worker ended by itself (a crash, out of memory), after every waiting request was rejected; not called on close(). */
  onStopped?(reason: Error): void;
}

/**
 * Requests to a session worker (the trace viewer's reader, the dashboard's), each with an id, answered in
 * any order. A worker that dies or runs out of memory rejects everything waiting with why.
 */
export class WorkerClient<P> {
  closed: Error | undefined;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private nextId = 1;

  constructor(
    private readonly worker: Worker,
    private readonly o: WorkerClientOptions<P>,
  ) {
    worker.on('message', (m: unknown) => this.receive(m));
    worker.on('error', (err: Error) => this.stopped(this.describe(err)));
    worker.on('exit', (code) => this.stopped(new Error(`${o.what} stopped unexpectedly (exit code ${code})`)));
  }

  /** Posts the message `build(id)` makes; resolves with the worker's answer to that id. */
  request<T>(build: (id: number) => unknown): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(build(id));
    });
  }

  /** Rejects what is waiting with `reason` (and every later request), terminates the worker. */
  close(reason: Error): void {
    if (this.closed) return;
    this.closed = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    void this.worker.terminate();
  }

  private stopped(reason: Error): void {
    if (this.closed) return;
    this.close(reason);
    this.o.onStopped?.(reason);
  }

  private describe(err: Error): Error {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') return err;
    const e = new Error(this.o.outOfMemory());
    e.name = 'OutOfMemoryError';
    return e;
  }

  private receive(message: unknown): void {
    if (this.closed) return;
    const m = message as WorkerReply<P>;
    if (typeof m.id !== 'number') {
      this.o.onNotice?.(message);
      return;
    }
    if (m.type === 'progress') {
      if (this.pending.has(m.id)) this.o.onProgress?.((m as { progress: P }).progress);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(deserializeError((m as { error: SerializedError }).error));
    else p.resolve((m as { value: unknown }).value);
  }
}
