import { parentPort, workerData } from 'node:worker_threads';
import { isInputError } from '../errors';
import { readTraceFiles } from './reader';
import type { SerializedError, WorkerMessage, WorkerRequest } from './workerProtocol';

/**
 * The worker-thread entry (bundled to dist/lazy/otlpWorker.js): reads the files
 * named in workerData and posts progress, then the TraceSet or the error.
 * Abort is the parent terminating the thread.
 */

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function serialize(err: unknown): SerializedError {
  if (isInputError(err)) return { name: err.name, message: err.message, location: { ...err.location }, detail: err.detail };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

const request = workerData as WorkerRequest;
readTraceFiles(request.files, { onProgress: (progress) => post({ type: 'progress', progress }) }).then(
  (set) => post({ type: 'done', set }),
  (err: unknown) => post({ type: 'error', error: serialize(err) }),
);
