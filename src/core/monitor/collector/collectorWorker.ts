import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../worker';
import type { CollectorStats } from '../types';
import { isPortInUseError } from './errors';
import { startCollector, type CollectorHandle } from './server';
import { statsIntervalMs, type FromCollectorWorker, type StartFailure, type ToCollectorWorker, type WorkerInit } from './workerProtocol';

/**
 * The collector's worker entry (bundled to dist/lazy/collectorWorker.js; started by startCollectorInWorker):
 * the HTTP server, decoding, fsyncs and /metrics all run on this thread, so the extension host's event
 * loop never waits on a body being parsed or a disk being synced. Events are forwarded as they happen;
 * counts at most every statsIntervalMs.
 */

const port = parentPort;
if (!port) throw new Error('collectorWorker runs in a worker thread: start it with startCollectorInWorker');
const init = workerData as WorkerInit;

function post(m: FromCollectorWorker): void {
  port?.postMessage(m);
}

let handle: CollectorHandle | undefined;
let statsTimer: NodeJS.Timeout | undefined;
let lastStats = '';

function postStats(): void {
  statsTimer = undefined;
  if (!handle) return;
  const stats = handle.stats();
  const text = JSON.stringify(stats);
  if (text === lastStats) return;
  lastStats = text;
  post({ type: 'stats', stats });
}

function scheduleStats(): void {
  statsTimer ??= setTimeout(postStats, statsIntervalMs);
}

async function main(): Promise<void> {
  try {
    handle = await startCollector(init, (event) => {
      post({ type: 'event', event });
      scheduleStats();
    });
  } catch (err) {
    const error: StartFailure = serializeError(err);
    if (isPortInUseError(err)) Object.assign(error, { port: err.port, host: err.host, owner: err.owner, suggestedPort: err.suggestedPort });
    post({ type: 'startFailed', error });
    return;
  }
  post({ type: 'started', url: handle.url, port: handle.port, outDir: handle.outDir, stats: handle.stats() });
}

port.on('message', (m: ToCollectorWorker) => {
  if (m.type !== 'close') return;
  void (async () => {
    if (statsTimer) clearTimeout(statsTimer);
    const stats: CollectorStats | undefined = await handle?.close();
    if (stats) post({ type: 'closed', stats });
    port.close();
  })();
});

void main();
