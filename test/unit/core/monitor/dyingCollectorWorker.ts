/** A stand-in for collectorWorker.ts that says it started, then dies: what the host sees when a worker crashes. */
import { parentPort } from 'node:worker_threads';
import type { FromCollectorWorker } from '../../../../src/core/monitor/collector/workerProtocol';

const zero = { traces: 0, logs: 0, metrics: 0 };
parentPort?.postMessage({
  type: 'started',
  url: 'http://127.0.0.1:1',
  port: 1,
  outDir: '/nowhere',
  stats: { startedAt: new Date().toISOString(), accepted: zero, rejected: zero, requests: 0, failedRequests: 0, bytesWritten: 0, files: {} },
} satisfies FromCollectorWorker);
setTimeout(() => process.exit(7), 50);
