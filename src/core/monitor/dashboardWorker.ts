import { promises as fsp } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Span } from '../otlp/model';
import { readTraceFiles, TraceFilesReader } from '../otlp/reader';
import { priceTableFromInputs } from '../tokens/pricing/inputs';
import { serializeError } from '../worker';
import { AlertLog, AlertMonitor } from './alerts';
import { callsFromSpans, listTraceFiles } from './calls';
import { buildDashboard } from './dashboardModel';
import type { AlertsRequest, AlertsResult, DashboardInit, DashboardRequest, DashboardResponse } from './dashboardSession';
import type { CallRecord } from './types';

/**
 * The dashboard worker's entry (bundled to dist/lazy/dashboardWorker.js; started by openDashboardSession).
 * It keeps the CallRecords of every file, not the spans: a file read once and unchanged since is never read
 * again, and a file that grows (the collector appending to it) gets a follower that reads only the new lines.
 */

const port = parentPort;
if (!port) throw new Error('dashboardWorker runs in a worker thread: start it with openDashboardSession');
const init = workerData as DashboardInit;
const prices = priceTableFromInputs(init.prices).table;

interface FileState {
  size: number;
  mtimeMs: number;
  calls: CallRecord[];
  problems: number;
  /** Set once the file has changed after its first read: it is being appended to. */
  follower?: TraceFilesReader;
  /** When it last changed: followers of files quiet for long are dropped (rotation moved on). */
  changedAt: number;
}

const files = new Map<string, FileState>();
/** Followers hold their file's spans: only the few files being written keep one. */
const maxFollowers = 4;

function post(m: DashboardResponse): void {
  port?.postMessage(m);
}

function spansOf(traces: readonly { spans: readonly Span[] }[]): Span[] {
  const out: Span[] = [];
  for (const t of traces) for (const s of t.spans) out.push(s);
  return out;
}

/** The trace files of the sources now; a source that does not exist (yet) has none. */
async function currentFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const source of init.sources) {
    try {
      out.push(...(await listTraceFiles([source])));
    } catch {
      // The collector has not written its folder yet, or a chosen file was deleted: nothing to show of it.
    }
  }
  return [...new Set(out)];
}

/** Reads the files that are new or changed since the last update, reporting progress over their bytes. */
async function refresh(id: number): Promise<void> {
  const list = await currentFiles();
  const listed = new Set(list);
  for (const f of [...files.keys()]) if (!listed.has(f)) files.delete(f);
  const changed: { file: string; size: number; mtimeMs: number }[] = [];
  for (const file of list) {
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat) continue;
    const known = files.get(file);
    if (!known || known.size !== stat.size || known.mtimeMs !== stat.mtimeMs) changed.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  const bytesTotal = changed.reduce((n, c) => n + Math.max(0, c.size - (files.get(c.file)?.size ?? 0)), 0);
  let bytesDone = 0;
  const now = Date.now();
  for (const c of changed) {
    const known = files.get(c.file);
    const base = bytesDone;
    const onProgress = ({ bytesRead }: { bytesRead: number }) => post({ type: 'progress', id, progress: { bytesRead: Math.min(bytesTotal, base + bytesRead), bytesTotal } });
    let state: FileState;
    if (!known) {
      const set = await readTraceFiles([c.file], { onProgress });
      state = { size: c.size, mtimeMs: c.mtimeMs, calls: callsFromSpans(spansOf(set.traces), { attributes: init.attributes, prices, content: false }), problems: set.diagnostics.length, changedAt: now };
    } else {
      // A file that changed is being written: follow it, so the next change costs only its new lines.
      const follower = known.follower ?? new TraceFilesReader([c.file]);
      const set = await follower.read({ onProgress });
      state = { size: c.size, mtimeMs: c.mtimeMs, calls: callsFromSpans(spansOf(set.traces), { attributes: init.attributes, prices, content: false }), problems: set.diagnostics.length, follower, changedAt: now };
    }
    files.set(c.file, state);
    bytesDone += Math.max(0, c.size - (known?.size ?? 0));
  }
  const following = [...files.entries()].filter(([, s]) => s.follower).sort((a, b) => b[1].changedAt - a[1].changedAt);
  for (const [, s] of following.slice(maxFollowers)) delete s.follower;
  if (bytesTotal > 0) post({ type: 'progress', id, progress: { bytesRead: bytesTotal, bytesTotal } });
}

/** The alert rules' evaluator and its state, kept across evaluations; a new one when the log or Alertmanager changes. */
let alerting: { key: string; monitor: AlertMonitor; problems: string[] } | undefined;

async function evaluate(calls: readonly CallRecord[], r: AlertsRequest): Promise<AlertsResult> {
  const key = JSON.stringify([r.logFile ?? null, r.alertmanager?.url ?? null]);
  if (alerting?.key !== key) {
    const problems: string[] = [];
    const monitor = new AlertMonitor(r.rules, {
      ...(r.logFile ? { log: new AlertLog(r.logFile) } : {}),
      // The worker shares the host's environment: ${env:VAR} in the URL resolves as in the CLI.
      ...(r.alertmanager ? { alertmanager: { url: r.alertmanager.url, options: { environ: process.env } } } : {}),
      onError: (err, where) => problems.push(`${where === 'log' ? 'the alert log' : 'Alertmanager'}: ${err instanceof Error ? err.message : String(err)}`),
    });
    alerting = { key, monitor, problems };
  } else alerting.monitor.setRules(r.rules);
  alerting.problems.length = 0;
  const { firing, events } = await alerting.monitor.tick(calls, r.nowMs);
  // One call per trace of the alerts, to open: a failed one when there is one.
  const wanted = new Set([...firing, ...events].flatMap((a) => a.traceIds));
  const refs: AlertsResult['refs'] = {};
  for (const c of calls) {
    if (!wanted.has(c.traceId) || (refs[c.traceId] && !c.error)) continue;
    refs[c.traceId] = { traceId: c.traceId, spanId: c.spanId, ...(c.file !== undefined ? { file: c.file } : {}), ...(c.line !== undefined ? { line: c.line } : {}) };
  }
  return { firing, events, refs, problems: [...alerting.problems] };
}

// One request at a time, in order: a follower must not read its file twice at once.
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: DashboardRequest) => {
  queue = queue.then(async () => {
    try {
      await refresh(m.id);
      const all: CallRecord[] = [];
      let problems = 0;
      for (const s of files.values()) {
        for (const c of s.calls) all.push(c);
        problems += s.problems;
      }
      if (m.method === 'alerts') post({ type: 'alerts', id: m.id, value: await evaluate(all, m.request) });
      else post({ type: 'result', id: m.id, value: buildDashboard(all, m.request, { files: files.size, problems }) });
    } catch (err) {
      post({ type: 'error', id: m.id, error: serializeError(err) });
    }
  });
});
