import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { openInput } from '../io/openInput';
import { assemble } from './assemble';
import { DiagnosticSink } from './diagnostics';
import type { ReadOptions, Span, TraceDiagnostic, TraceSet } from './model';
import { countMetricDataPoints, logsFromResourceLogs, spansFromResourceSpans, type NormalizeContext, type PendingLog } from './normalize';
import { OtlpScanner, type ScanSink, type Signal } from './scanner';
import type { Json } from './values';

/**
 * Reads OTLP JSON trace files in any of the shapes met in practice (one
 * document, JSON Lines, an array of documents, mixed signals, gzip), detected
 * by content. Only an unreadable file is an InputError; everything else is a
 * diagnostic and the rest still loads.
 */

/** What one file contributed, before the traces are assembled across files. */
interface FileResult {
  spans: Span[];
  logs: PendingLog[];
  logRecords: number;
  metricDataPoints: number;
  sink: DiagnosticSink;
  scanner: OtlpScanner;
}

function fileCollector(file: string): FileResult {
  const sink = new DiagnosticSink(file);
  const ctx: NormalizeContext = { file, line: 0, diag: sink, warnedImprecise: false };
  const scanSink: ScanSink = {
    element: (signal, text, line) => collect(result, ctx, signal, text, line),
    problem: (severity, code, message, line) => sink.add(severity, code, message, line),
  };
  const result: FileResult = { spans: [], logs: [], logRecords: 0, metricDataPoints: 0, sink, scanner: new OtlpScanner(scanSink) };
  return result;
}

const signalKey: Record<Signal, string> = { spans: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' };

function collect(result: FileResult, ctx: NormalizeContext, signal: Signal, text: string, line: number): void {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    ctx.diag.add('error', 'invalid-json', `${signalKey[signal]} element skipped: ${err instanceof Error ? err.message : String(err)}`, line);
    return;
  }
  ctx.line = line;
  if (signal === 'spans') {
    for (const s of spansFromResourceSpans(value, ctx)) result.spans.push(s);
  } else if (signal === 'logs') {
    const logs = logsFromResourceLogs(value, ctx);
    result.logRecords += logs.length;
    for (const l of logs) if (l.spanId !== '') result.logs.push(l);
  } else result.metricDataPoints += countMetricDataPoints(value);
}

function finish(files: string[], results: FileResult[]): TraceSet {
  const spans: Span[] = [];
  const logs: PendingLog[] = [];
  const diagnostics: TraceDiagnostic[] = [];
  let logRecords = 0;
  let metricDataPoints = 0;
  for (const r of results) {
    for (const s of r.spans) spans.push(s);
    for (const l of r.logs) logs.push(l);
    diagnostics.push(...r.sink.finish());
    logRecords += r.logRecords;
    metricDataPoints += r.metricDataPoints;
  }
  const assembled = assemble(spans, logs);
  diagnostics.push(...assembled.diagnostics);
  return { traces: assembled.traces, diagnostics, files: [...files], logRecords, metricDataPoints };
}

/** In-memory reading of one file's text, for tests and small inputs. */
export function readTraceText(text: string, file: string): TraceSet {
  const r = fileCollector(file);
  r.scanner.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  r.scanner.end();
  return finish([file], [r]);
}

const progressEvery = 1 << 20;

export async function readTraceFiles(files: string[], options: ReadOptions = {}): Promise<TraceSet> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw abortError(signal);
  const results: FileResult[] = [];
  const totals = { read: 0, total: 0 };
  for (const file of files) {
    const opened = await openInput(file);
    totals.total += opened.bytesTotal;
    const r = fileCollector(file);
    results.push(r);
    await scanStream(opened.stream, r, totals, options);
  }
  onProgress?.({ bytesRead: totals.read, bytesTotal: totals.total });
  return finish(files, results);
}

/** Reads one already opened stream (bytesTotal only scales progress). */
export async function readTraceStream(stream: Readable, file: string, options: ReadOptions & { bytesTotal?: number } = {}): Promise<TraceSet> {
  if (options.signal?.aborted) throw abortError(options.signal);
  const r = fileCollector(file);
  const totals = { read: 0, total: options.bytesTotal ?? 0 };
  await scanStream(stream, r, totals, options);
  options.onProgress?.({ bytesRead: totals.read, bytesTotal: totals.total });
  return finish([file], [r]);
}

/** Feeds a byte stream to the scanner chunk by chunk. A stream that fails midway keeps what was read. */
async function scanStream(stream: Readable, r: FileResult, totals: { read: number; total: number }, options: ReadOptions): Promise<void> {
  const { signal, onProgress } = options;
  const decoder = new StringDecoder('utf8');
  const base = totals.read;
  let lastReported = totals.read;
  let first = true;
  const onAbort = (): void => {
    stream.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw abortError(signal);
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      let text = decoder.write(buf);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      r.scanner.write(text);
      // For gzip, progress is counted in compressed bytes (the total is the size on disk).
      const consumed = (stream as Readable & { bytesWritten?: number }).bytesWritten;
      totals.read = typeof consumed === 'number' ? base + consumed : totals.read + buf.length;
      if (onProgress && totals.read - lastReported >= progressEvery) {
        lastReported = totals.read;
        onProgress({ bytesRead: totals.read, bytesTotal: totals.total });
      }
    }
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    r.sink.add('error', 'read-error', `reading stopped: ${err instanceof Error ? err.message : String(err)}; what was read before is shown`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw abortError(signal);
  r.scanner.write(decoder.end());
  r.scanner.end();
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('reading the trace files was aborted', 'AbortError');
}
