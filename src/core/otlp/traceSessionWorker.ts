import { parentPort, workerData } from 'node:worker_threads';
import { priceTableFromInputs } from '../tokens/pricing/inputs';
import { serializeError } from '../worker';
import { TraceFilesReader } from './reader';
import { TraceViewModel } from './viewModel';
import type { PriceInputs, PriceProblem, SessionInit, SessionRequest, SessionResponse, TraceCounts } from './workerProtocol';

/**
 * The session worker's entry (bundled to dist/lazy/otlpWorker.js; started by openTraceSession). It owns the
 * TraceSet and its TraceViewModel for as long as the session lives and answers each request with wire data,
 * so the extension host never holds nor unpacks the model. Requests are answered in the order they arrive;
 * while the files are (re)read, the previous model keeps answering. Ending the session terminates the thread.
 */

const port = parentPort;
if (!port) throw new Error('traceSessionWorker runs in a worker thread: start it with openTraceSession');
const init = workerData as SessionInit;

function post(message: SessionResponse): void {
  port?.postMessage(message);
}

let prices = priceTableFromInputs(init.prices);
if (prices.problems.length > 0) post({ type: 'priceProblems', problems: prices.problems });

const reader = new TraceFilesReader(init.files);
let model: TraceViewModel | undefined;
let reading: AbortController | undefined;

/** Reads the files into a new model; a newer load aborts one in progress. A failed read keeps the previous model. */
async function load(id: number): Promise<TraceCounts> {
  reading?.abort();
  const abort = new AbortController();
  reading = abort;
  try {
    const set = await reader.read({ signal: abort.signal, onProgress: (progress) => post({ type: 'progress', id, progress }) });
    model = new TraceViewModel(set, prices.table);
    return counts(model);
  } finally {
    if (reading === abort) reading = undefined;
  }
}

function counts(m: TraceViewModel): TraceCounts {
  let spans = 0;
  for (const t of m.set.traces) spans += t.spans.length;
  return { traces: m.set.traces.length, spans, logRecords: m.set.logRecords, metricDataPoints: m.set.metricDataPoints, diagnostics: m.set.diagnostics.length };
}

/** New prices: the same spans, costed again. */
function setPrices(inputs: PriceInputs): PriceProblem[] {
  prices = priceTableFromInputs(inputs);
  if (model) model = new TraceViewModel(model.set, prices.table);
  return prices.problems;
}

function answer(request: Exclude<SessionRequest, { method: 'load' }>): unknown {
  if (request.method === 'setPrices') return setPrices(...request.args);
  if (!model) throw new Error('the trace files have not been read yet');
  switch (request.method) {
    case 'list':
      return model.list();
    case 'diagnostics':
      return model.diagnostics();
    case 'counts':
      return counts(model);
    case 'trace':
      return model.trace(...request.args);
    case 'detail':
      return model.detail(...request.args);
    case 'search':
      return model.search(...request.args);
    case 'spanIndex':
      return model.spanIndex(...request.args);
    case 'stats':
      return model.stats();
    case 'compare':
      return model.compare(...request.args);
  }
}

async function respond(request: SessionRequest): Promise<void> {
  try {
    const value = request.method === 'load' ? await load(request.id) : answer(request);
    post({ type: 'result', id: request.id, value });
  } catch (err) {
    post({ type: 'error', id: request.id, error: serializeError(err) });
  }
}

port.on('message', (request: SessionRequest) => void respond(request));
