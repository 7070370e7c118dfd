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
