import type { SerializedError } from '../../worker';
import type { CollectorEvent, CollectorStats } from '../types';
import type { CollectorOptions } from './options';
import type { PortOwner } from './portOwner';

/** Messages between startCollectorInWorker (the extension host) and the collector's worker thread. */

/** workerData: the options, minus the clock (a function does not cross threads). */
export type WorkerInit = Omit<CollectorOptions, 'now'>;

export type ToCollectorWorker = { type: 'close' };

/** A start failure, with a PortInUseError's fields so the host can rebuild it. */
export type StartFailure = SerializedError & { port?: number; host?: string; owner?: PortOwner; suggestedPort?: number };

export type FromCollectorWorker =
  | { type: 'started'; url: string; port: number; outDir: string; stats: CollectorStats }
  | { type: 'startFailed'; error: StartFailure }
  | { type: 'event'; event: CollectorEvent }
  /** Sent at most every `statsIntervalMs` while counts change, so the host's stats() stays fresh without a round trip. */
  | { type: 'stats'; stats: CollectorStats }
  | { type: 'closed'; stats: CollectorStats };

export const statsIntervalMs = 200;
