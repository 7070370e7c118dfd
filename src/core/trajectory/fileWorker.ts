import { parentPort, workerData } from 'node:worker_threads';
import { priceTableFromInputs } from '../tokens/pricing/inputs';
import { serializeError } from '../worker';
import type { FileJob, FileJobAnswer } from './offThread';
import { readTrajectoryFile } from './read';
import { validateTrajectories } from './validate';

/**
 * Entry of the worker that reads and validates one trajectory or trace file (bundled to
 * dist/lazy/trajectoryWorker.js; started by validateFileOffThread), so a big file never blocks the
 * extension host. It answers once and ends.
 */
const port = parentPort;
if (!port) throw new Error('fileWorker runs in a worker thread: start it with validateFileOffThread');
const job = workerData as FileJob;

async function run(): Promise<FileJobAnswer> {
  try {
    const { table } = priceTableFromInputs(job.prices);
    const read = await readTrajectoryFile(job.file, { prices: table });
    return { type: 'result', value: { reports: validateTrajectories(read.trajectories, job.config), diagnostics: read.diagnostics } };
  } catch (err) {
    return { type: 'error', error: serializeError(err) };
  }
}

void run().then((answer) => port.postMessage(answer));
