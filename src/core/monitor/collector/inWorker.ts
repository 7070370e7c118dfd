import type { Worker } from 'node:worker_threads';
import { deserializeError, startWorker } from '../../worker';
import type { CollectorStats } from '../types';
import { PortInUseError } from './errors';
import { resolveOptions, type CollectorOptions } from './options';
import type { CollectorEventListener, CollectorHandle } from './server';
import type { FromCollectorWorker, StartFailure, ToCollectorWorker, WorkerInit } from './workerProtocol';

/**
 * startCollector on a worker thread, for the extension host: same options (but the clock), same events,
 * same handle. `workerPath` is dist/lazy/collectorWorker.js when bundled, or
 * src/core/monitor/collector/collectorWorker.ts from source (run through tsx).
 * If the worker dies by itself, onEvent gets a `stopped` event and stats() keeps its last counts.
 */
export function startCollectorInWorker(options: CollectorOptions, workerPath: string, onEvent?: CollectorEventListener): Promise<CollectorHandle> {
  // Bad options fail here, on the caller's thread, with the same RangeError as startCollector.
  try {
    resolveOptions(options);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  const { now: _now, ...init } = options;
  const worker = startWorker(workerPath, init satisfies WorkerInit);
  return new Promise<CollectorHandle>((resolve, reject) => {
    let handle: WorkerCollector | undefined;
    worker.on('message', (m: FromCollectorWorker) => {
      switch (m.type) {
        case 'started':
          handle = new WorkerCollector(worker, m.url, m.port, m.outDir, m.stats);
          resolve(handle);
          return;
        case 'startFailed':
          reject(startError(m.error));
          void worker.terminate();
          return;
        case 'event':
          try {
            onEvent?.(m.event);
          } catch {
            // A listener's bug must not break the collector.
          }
          return;
        case 'stats':
          if (handle) handle.last = m.stats;
          return;
        case 'closed':
          handle?.closedWith(m.stats);
          return;
      }
    });
    worker.on('error', (err) => {
      if (!handle) reject(err);
      else onEvent?.({ type: 'error', message: `the collector's worker failed: ${err.message}` });
    });
    worker.on('exit', (code) => {
      if (!handle) reject(new Error(`the collector's worker exited (code ${code}) before it listened`));
      else if (handle.exited(code)) onEvent?.({ type: 'stopped', reason: `the collector's worker thread exited (code ${code})` });
    });
  });
}

function startError(e: StartFailure): Error {
  if (e.name === 'PortInUseError' && e.port !== undefined) return new PortInUseError(e.port, e.host ?? '127.0.0.1', e.owner, e.suggestedPort);
  if (e.name === 'RangeError') return new RangeError(e.message);
  return deserializeError(e);
}

class WorkerCollector implements CollectorHandle {
  private closing: Promise<CollectorStats> | undefined;
  private resolveClosed: ((stats: CollectorStats) => void) | undefined;
  private gone = false;

  constructor(
    private readonly worker: Worker,
    readonly url: string,
    readonly port: number,
    readonly outDir: string,
    public last: CollectorStats,
  ) {}

  stats(): CollectorStats {
    return this.last;
  }

  closedWith(stats: CollectorStats): void {
    this.last = stats;
    this.resolveClosed?.(stats);
  }

  /** True when nobody asked it to close: the worker died by itself. */
  exited(_code: number): boolean {
    this.gone = true;
    this.resolveClosed?.(this.last);
    return this.closing === undefined;
  }

  close(): Promise<CollectorStats> {
    this.closing ??= this.gone
      ? Promise.resolve(this.last)
      : new Promise<CollectorStats>((resolve) => {
          this.resolveClosed = resolve;
          this.worker.postMessage({ type: 'close' } satisfies ToCollectorWorker);
        }).then(async (stats) => {
          await this.worker.terminate();
          return stats;
        });
    return this.closing;
  }
}
