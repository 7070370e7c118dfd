import type { PriceInputs } from '../tokens/pricing/inputs';
import { plainPriceInputs } from '../tokens/pricing/inputs';
import { abortError, deserializeError, startWorker, type SerializedError } from '../worker';
import type { TrajectoryConfig, TrajectoryReport } from './findings';
import type { TrajectoryDiagnostic } from './model';

/** What validating one file gives: its runs with their findings, and the problems met reading it. */
export interface FileValidation {
  reports: TrajectoryReport[];
  diagnostics: TrajectoryDiagnostic[];
}

/** workerData of the file worker. */
export interface FileJob {
  file: string;
  config: TrajectoryConfig;
  prices: PriceInputs;
}

export type FileJobAnswer = { type: 'result'; value: FileValidation } | { type: 'error'; error: SerializedError };

export interface OffThreadOptions {
  /** dist/lazy/trajectoryWorker.js when bundled, src/core/trajectory/fileWorker.ts from source (run through tsx). */
  workerPath: string;
  file: string;
  config: TrajectoryConfig;
  /** Prices for runs read from traces; without them, the bundled genai-prices table. */
  prices?: PriceInputs;
  /** The worker's heap limit in MB (default 4096): a file too big stops the worker, not the caller. */
  maxMemoryMb?: number;
  signal?: AbortSignal;
}

/**
 * readTrajectoryFile + validateTrajectories in a worker thread of its own, for files big enough that
 * parsing them would block the caller (the extension host). Rejects as reading in-process would (an
 * InputError for an unreadable file), with an AbortError when aborted, or an OutOfMemoryError.
 */
export function validateFileOffThread(o: OffThreadOptions): Promise<FileValidation> {
  const { signal } = o;
  if (signal?.aborted) return Promise.reject(abortError(signal, 'validating the file was aborted'));
  const maxMemoryMb = o.maxMemoryMb ?? 4096;
  const job: FileJob = { file: o.file, config: o.config, prices: plainPriceInputs(o.prices ?? {}) };
  const worker = startWorker(o.workerPath, job, { maxOldGenerationSizeMb: maxMemoryMb });
  return new Promise<FileValidation>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => settle(() => reject(abortError(signal as AbortSignal, 'validating the file was aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FileJobAnswer) => settle(() => (m.type === 'result' ? resolve(m.value) : reject(deserializeError(m.error)))));
    worker.on('error', (err: Error) =>
      settle(() => {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') return reject(err);
        const e = new Error(`validating ${o.file} needs more than ${maxMemoryMb} MB of memory; it was stopped`);
        e.name = 'OutOfMemoryError';
        reject(e);
      }),
    );
    worker.on('exit', (code) => settle(() => reject(new Error(`the trajectory worker stopped without an answer (exit code ${code})`))));
  });
}
