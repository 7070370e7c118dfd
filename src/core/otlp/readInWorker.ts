import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors';
import type { ReadOptions, TraceSet } from './model';
import type { SerializedError, WorkerMessage, WorkerRequest } from './workerProtocol';

export interface WorkerReadOptions extends ReadOptions {
  /** The worker script: dist/lazy/otlpWorker.js when bundled, src/core/otlp/readerWorker.ts from source (run through tsx). */
  workerPath: string;
}

/**
 * readTraceFiles in a worker thread, so a 1 GB file never blocks the VS Code
 * extension host. Progress arrives as messages; abort terminates the thread.
 */
export function readTraceFilesInWorker(files: string[], options: WorkerReadOptions): Promise<TraceSet> {
  const { workerPath, signal, onProgress } = options;
  return new Promise<TraceSet>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const request: WorkerRequest = { files: [...files] };
    const worker = startWorker(workerPath, request);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      settle(() => reject(abortError(signal as AbortSignal)));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        if (!settled) onProgress?.(message.progress);
      } else if (message.type === 'done') {
        settle(() => resolve(message.set));
        void worker.terminate();
      } else {
        settle(() => reject(deserialize(message.error)));
        void worker.terminate();
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the trace reader worker exited (code ${code}) without a result`))));
  });
}

/**
 * A .ts entry (tests, running from source) needs tsx inside the worker too. Node 20 ignores
 * `--import tsx` in a worker's execArgv, so a two-line bootstrap registers tsx's require hook first.
 */
function startWorker(workerPath: string, workerData: WorkerRequest): Worker {
  if (!workerPath.endsWith('.ts')) return new Worker(workerPath, { workerData });
  const tsx = createRequire(workerPath).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(workerPath)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function deserialize(e: SerializedError): Error {
  if (e.name === 'InputError' && e.location && e.detail !== undefined) return new InputError(e.location, e.detail);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('reading the trace files was aborted', 'AbortError');
}
