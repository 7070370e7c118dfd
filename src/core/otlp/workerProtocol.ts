import type { ReadProgress, TraceSet } from './model';

/** Messages between readTraceFilesInWorker and the worker script (all structured-clone safe). */

export interface WorkerRequest {
  files: string[];
}

export interface SerializedError {
  name: string;
  message: string;
  /** Present for an InputError. */
  location?: { file: string; line?: number; column?: number; field?: string };
  detail?: string;
}

export type WorkerMessage = { type: 'progress'; progress: ReadProgress } | { type: 'done'; set: TraceSet } | { type: 'error'; error: SerializedError };
