import { createReadStream, promises as fsp } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { openInput, readChunkBytes } from '../io/openInput';
import { assemble } from './assemble';
import { DiagnosticSink, type SinkMark } from '../diagnostics';
import type { ReadOptions, Span, TraceDiagnostic, TraceSet } from './model';
import { countMetricDataPoints, logsFromResourceLogs, spansFromResourceSpans, type NormalizeContext, type PendingLog } from './normalize';
import { OtlpScanner, type Signal } from './scanner';
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
  ctx: NormalizeContext;
}

function fileResult(file: string): FileResult {
  const sink = new DiagnosticSink(file);
  return { spans: [], logs: [], logRecords: 0, metricDataPoints: 0, sink, ctx: { file, line: 0, diag: sink, warnedImprecise: false } };
}

/** A scanner feeding `r`; `lineBase` lines were read before it started (a followed file read on from its last line). */
function scannerFor(r: FileResult, lineBase = 0): OtlpScanner {
  return new OtlpScanner({
    element: (signal, text, line) => collect(r, r.ctx, signal, text, line + lineBase),
    problem: (severity, code, message, line) => r.sink.add(severity, code, message, line + lineBase),
  });
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
  const r = fileResult(file);
  const scanner = scannerFor(r);
  scanner.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  scanner.end();
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
    const r = fileResult(file);
    results.push(r);
    await scanStream(opened.stream, r, scannerFor(r), totals, options);
  }
  onProgress?.({ bytesRead: totals.read, bytesTotal: totals.total });
  return finish(files, results);
}

/** Reads one already opened stream (bytesTotal only scales progress). */
export async function readTraceStream(stream: Readable, file: string, options: ReadOptions & { bytesTotal?: number } = {}): Promise<TraceSet> {
  if (options.signal?.aborted) throw abortError(options.signal);
  const r = fileResult(file);
  const totals = { read: 0, total: options.bytesTotal ?? 0 };
  await scanStream(stream, r, scannerFor(r), totals, options);
  options.onProgress?.({ bytesRead: totals.read, bytesTotal: totals.total });
  return finish([file], [r]);
}

/**
 * Where a followed file's reading reached a line end: its byte offset, the number of the line that starts
 * there, and the file's result at that moment (see TraceFilesReader).
 */
interface LineEnd {
  offset: number;
  line: number;
  spans: number;
  logs: number;
  logRecords: number;
  metricDataPoints: number;
  sink: SinkMark;
}

/** Notes the last line end of every chunk, so a file that grows can be read on from there. */
interface LineTracker {
  /** Byte offset in the file of the stream's first byte, and the number of its line. */
  offset: number;
  line: number;
  /** Lines before the stream's first byte (its scanner numbers from 1). */
  lineBase: number;
  last?: LineEnd;
}

/** Feeds a byte stream to the scanner chunk by chunk. A stream that fails midway keeps what was read. */
async function scanStream(stream: Readable, r: FileResult, scanner: OtlpScanner, totals: { read: number; total: number }, options: ReadOptions, track?: LineTracker): Promise<void> {
  const { signal, onProgress } = options;
  const decoder = new StringDecoder('utf8');
  const base = totals.read;
  let lastReported = totals.read;
  let first = true;
  const feed = (buf: Buffer): void => {
    let text = decoder.write(buf);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    scanner.write(text);
  };
  const onAbort = (): void => {
    stream.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw abortError(signal);
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      // A newline byte never sits inside a UTF-8 sequence, so the decoder is empty after one.
      const nl = track ? buf.lastIndexOf(NEWLINE) : -1;
      if (track && nl >= 0) {
        feed(buf.subarray(0, nl + 1));
        // The scanner numbers lines already: the same numbers a whole read gives.
        track.line = track.lineBase + scanner.currentLine;
        track.offset += nl + 1;
        track.last = { offset: track.offset, line: track.line, spans: r.spans.length, logs: r.logs.length, logRecords: r.logRecords, metricDataPoints: r.metricDataPoints, sink: r.sink.mark() };
        if (nl + 1 < buf.length) feed(buf.subarray(nl + 1));
        track.offset += buf.length - nl - 1;
      } else {
        feed(buf);
        if (track) track.offset += buf.length;
      }
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
    if (track) track.last = undefined;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw abortError(signal);
  scanner.write(decoder.end());
  scanner.end();
}

const NEWLINE = 10;

/** What a TraceFilesReader keeps of a file between reads. */
interface Followed {
  result: FileResult;
  /** Where to read on from, when the file is JSON Lines, uncompressed and read without error. */
  resume?: LineEnd & { dev: number; ino: number; sample: Buffer };
}

/** Bytes before the resume offset compared on the next read: a file rewritten in place is read again whole. */
const sampleBytes = 256;

/**
 * Reads the same files again and again, as a live view does. A JSON Lines file that only grew since the
 * last read (same file, same bytes up to its last complete line) is read on from that line: only the
 * appended bytes are parsed, and the previous read's unfinished last line is read again whole. Any other
 * change (a rewrite, truncation, a pretty-printed document, gzip) reads the file from the start.
 */
export class TraceFilesReader {
  private readonly followed = new Map<string, Followed>();

  constructor(readonly files: readonly string[]) {}

  async read(options: ReadOptions = {}): Promise<TraceSet> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw abortError(signal);
    const totals = { read: 0, total: 0 };
    const results: FileResult[] = [];
    try {
      for (const file of this.files) results.push(await this.readFile(file, totals, options));
    } catch (err) {
      // Half-updated results would be wrong next time: start over.
      this.followed.clear();
      throw err;
    }
    onProgress?.({ bytesRead: totals.read, bytesTotal: totals.total });
    return finish([...this.files], results);
  }

  private async readFile(file: string, totals: { read: number; total: number }, options: ReadOptions): Promise<FileResult> {
    const previous = this.followed.get(file);
    const resume = previous?.resume && (await unchangedBefore(file, previous.resume));
    if (previous && resume) {
      const { result } = previous;
      rewind(result, resume);
      totals.total += resume.size - resume.offset;
      const track: LineTracker = { offset: resume.offset, line: resume.line, lineBase: resume.line - 1 };
      const scanner = scannerFor(result, resume.line - 1);
      await scanStream(createReadStream(file, { start: resume.offset, highWaterMark: readChunkBytes }), result, scanner, totals, options, track);
      this.followed.set(file, { result, resume: await resumePoint(file, track, scanner) });
      return result;
    }
    const opened = await openInput(file);
    totals.total += opened.bytesTotal;
    const result = fileResult(file);
    const track: LineTracker | undefined = opened.compressed ? undefined : { offset: 0, line: 1, lineBase: 0 };
    const scanner = scannerFor(result);
    await scanStream(opened.stream, result, scanner, totals, options, track);
    this.followed.set(file, { result, resume: track ? await resumePoint(file, track, scanner) : undefined });
    return result;
  }
}

function rewind(r: FileResult, to: LineEnd): void {
  r.spans.length = to.spans;
  r.logs.length = to.logs;
  r.logRecords = to.logRecords;
  r.metricDataPoints = to.metricDataPoints;
  r.sink.rewind(to.sink);
}

async function resumePoint(file: string, track: LineTracker, scanner: OtlpScanner): Promise<Followed['resume']> {
  const last = track.last;
  if (!last || scanner.mode !== 'lines') return undefined;
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const stat = await handle.stat();
      const length = Math.min(sampleBytes, last.offset);
      const sample = Buffer.alloc(length);
      await handle.read(sample, 0, length, last.offset - length);
      return { ...last, dev: stat.dev, ino: stat.ino, sample };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** The resume point and the file's size when the file is the same one and unchanged up to there. */
async function unchangedBefore(file: string, resume: NonNullable<Followed['resume']>): Promise<(LineEnd & { size: number }) | undefined> {
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const stat = await handle.stat();
      if (stat.dev !== resume.dev || stat.ino !== resume.ino || stat.size < resume.offset) return undefined;
      const now = Buffer.alloc(resume.sample.length);
      await handle.read(now, 0, now.length, resume.offset - now.length);
      return now.equals(resume.sample) ? { ...resume, size: stat.size } : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('reading the trace files was aborted', 'AbortError');
}
