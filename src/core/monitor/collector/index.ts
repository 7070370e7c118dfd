/**
 * The local OTLP/HTTP collector: the public API. See docs/collector.md for what users see, store.ts for
 * the durability policy. Nothing here imports vscode.
 *
 *   startCollector(options, onEvent?)                      in this thread (the CLI)
 *   startCollectorInWorker(options, workerPath, onEvent?)  on a worker thread (the extension host)
 */
export { startCollector, type CollectorEventListener, type CollectorHandle } from './server';
export { startCollectorInWorker } from './inWorker';
export { defaultCollectorDir, defaultPort, collectorHost, type CollectorOptions } from './options';
export { PortInUseError, isPortInUseError } from './errors';
export type { PortOwner } from './portOwner';
export { durationBuckets } from './metrics/collectorMetrics';
export type { CollectorEvent, CollectorStats, OtlpSignal } from '../types';
