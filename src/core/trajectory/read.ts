/**
 * Reading trajectory files, whatever wrote them: the format is detected from the
 * content, never from the file name.
 *
 * - OTLP trace files (a document whose first key is `resourceSpans`, or any JSON holding
 *   them) go to the OTLP reader (streamed, any size) and become one run per agent run.
 * - JSON Lines (the first non-empty line is a whole JSON value) are streamed line by line:
 *   each line is a record of our generic format or a whole document of another format.
 *   A broken line is an error diagnostic on that line and the rest still loads; a
 *   half-written last line is normal (a run still being written) and only noted.
 * - Anything else is one JSON document, parsed whole, then handed to the reader that
 *   recognises it; record and step lines come from one light scan of the text.
 *
 * Only input that cannot be read at all throws, always an InputError naming the file
 * and, for a syntax error, the line and column: a missing file, a JSON document that
 * does not parse, a document no reader recognises. Everything else is a diagnostic.
 */
import { basename } from 'node:path';
import { InputError } from '../errors';
import { openInput } from '../io/openInput';
import { readLines, type InputLine } from '../io/readLines';
import { readTraceFiles, readTraceText } from '../otlp/reader';
import type { TraceSet } from '../otlp/model';
import type { PriceTable } from '../tokens/pricing/priceTable';
import { DiagnosticSink, finishTrajectory, type DraftTrajectory, type FormatReader } from './build';
import { genericReader, GenericAccumulator, isGenericRecord } from './formats/generic';
import { miniSweAgentReader } from './formats/miniSweAgent';
import { openaiMessagesReader } from './formats/openaiMessages';
import { openhandsReader } from './formats/openhands';
import { sweAgentReader } from './formats/sweAgent';
import { tau2BenchReader } from './formats/tau2Bench';
import { tauBenchReader } from './formats/tauBench';
import { constantLines, indexJsonLines, isObject, locateJsonError, noLines } from './json';
import type { JsonValue, Trajectory, TrajectoryDiagnostic, TrajectoryFormat, TrajectoryReadResult } from './model';
import { trajectoriesFromTraceSet } from './otlp';

export interface ReadTrajectoryOptions {
  /** Prices for model calls of runs read from traces (costs are left out without it, unless spans report their own). */
  prices?: PriceTable;
  signal?: AbortSignal;
}

/** Most specific first: several formats are message lists underneath. */
export const formatReaders: readonly FormatReader[] = [sweAgentReader, miniSweAgentReader, tau2BenchReader, tauBenchReader, openhandsReader, genericReader, openaiMessagesReader];

/** The format of a parsed document, or undefined when no reader recognises it ('otlp' for OTLP documents). */
export function detectTrajectoryFormat(value: JsonValue): TrajectoryFormat | undefined {
  if (isOtlpValue(value)) return 'otlp';
  return formatReaders.find((r) => r.detect(value))?.format;
}

const otlpKeys = ['resourceSpans', 'resource_spans', 'resourceLogs', 'resource_logs', 'resourceMetrics', 'resource_metrics'];
const otlpHead = /^\s*(?:\[\s*)?\{\s*"(?:resourceSpans|resource_spans|resourceLogs|resource_logs|resourceMetrics|resource_metrics)"\s*:/;
const headBytes = 64 * 1024;
/** V8 strings stop near 512 MB; a trajectory document beyond this is refused with a clear error. */
const maxDocumentChars = 400 * 1024 * 1024;

function isOtlpValue(v: JsonValue): boolean {
  if (isObject(v)) return otlpKeys.some((k) => Array.isArray(v[k]));
  return Array.isArray(v) && v.length > 0 && v.every((d) => isObject(d) && otlpKeys.some((k) => Array.isArray(d[k])));
}

// ---------------------------------------------------------------------------

type Step = { kind: 'more' } | { kind: 'otlp' };

/** The line-driven core shared by file and text reading. */
class LineProcessor {
  private mode: 'start' | 'jsonl' | 'doc' = 'start';
  private readonly doc: string[] = [];
  private docChars = 0;
  private headChecked = false;
  readonly sink: DiagnosticSink;
  private readonly generic: GenericAccumulator;
  private readonly drafts: { draft: DraftTrajectory; line: number }[] = [];
  private docs = 0;
  /** JSON Lines values a reader took, and the first one none did. */
  private recognised = 0;
  private firstUnknown: { line: number; what: string } | undefined;
  private lastComplete = true;
  /** The whole document's text once parsed as OTLP (for text reading). */
  otlpText: string | undefined;

  constructor(readonly file: string) {
    this.sink = new DiagnosticSink(file);
    this.generic = new GenericAccumulator(file, this.sink);
  }

  line(l: InputLine): Step {
    if (this.mode === 'jsonl') {
      this.record(l);
      return { kind: 'more' };
    }
    if (this.mode === 'doc') return this.docLine(l);
    const t = l.text.trim();
    if (t === '') return { kind: 'more' };
    if ((t.startsWith('{') || t.startsWith('[')) && (t.endsWith('}') || t.endsWith(']'))) {
      let value: JsonValue | undefined;
      try {
        value = JSON.parse(t) as JsonValue;
      } catch {
        value = undefined;
      }
      if (value !== undefined) {
        if (isOtlpValue(value)) return { kind: 'otlp' };
        this.mode = 'jsonl';
        this.value(value, l.line);
        return { kind: 'more' };
      }
    }
    this.mode = 'doc';
    return this.docLine(l);
  }

  private docLine(l: InputLine): Step {
    this.doc.push(l.text);
    this.lastComplete = l.complete;
    this.docChars += l.text.length + 1;
    if (this.docChars > maxDocumentChars) throw new InputError({ file: this.file }, `too large to read as one JSON document (over ${maxDocumentChars / 1024 / 1024} MB); write JSON Lines instead`);
    if (!this.headChecked && this.docChars >= headBytes) {
      this.headChecked = true;
      if (otlpHead.test(this.doc.join('\n').slice(0, headBytes))) return { kind: 'otlp' };
    }
    return { kind: 'more' };
  }

  private record(l: InputLine): void {
    const t = l.text.trim();
    if (t === '') return;
    let value: JsonValue;
    try {
      value = JSON.parse(l.text) as JsonValue;
    } catch (err) {
      if (!l.complete) {
        this.sink.add('info', 'truncated-line', 'the last line is incomplete (still being written?): skipped', l.line);
        return;
      }
      const where = locateJsonError(l.text, err);
      this.sink.add('error', 'invalid-json', `invalid JSON at column ${where.column}: ${where.message}; line skipped`, l.line);
      return;
    }
    this.value(value, l.line);
  }

  /** One JSON Lines value: a generic record, or a whole document of some format. */
  private value(value: JsonValue, line: number): void {
    if (isGenericRecord(value)) {
      this.recognised++;
      this.generic.add(value, line);
      return;
    }
    const reader = formatReaders.find((r) => r.detect(value));
    if (!reader) {
      this.firstUnknown ??= { line, what: describe(value) };
      this.sink.add('warning', 'unknown-record', `not a trajectory record or document of a known format (${describe(value)}): skipped`, line);
      return;
    }
    this.recognised++;
    const docIndex = this.docs++;
    for (const draft of reader.read(value, { file: this.file, lines: constantLines(line), diag: this.sink, docIndex })) {
      draft.source.index ??= docIndex;
      draft.source.line ??= line;
      this.drafts.push({ draft, line });
    }
  }

  /** Ends the input: builds the runs, or says the whole thing is OTLP. */
  end(): Step {
    if (this.mode === 'doc') {
      const text = this.doc.join('\n');
      if (!this.headChecked && otlpHead.test(text.slice(0, headBytes))) {
        this.otlpText = text;
        return { kind: 'otlp' };
      }
      let value: JsonValue;
      try {
        value = JSON.parse(text) as JsonValue;
      } catch (err) {
        if (this.isPartialFirstRecord()) {
          // JSON Lines being written: its only line is not finished yet.
          this.mode = 'jsonl';
          this.sink.add('info', 'truncated-line', 'the only line is incomplete (still being written?): no trajectory yet', this.doc.length);
          return { kind: 'more' };
        }
        if (this.looksLikeJsonLines()) {
          this.mode = 'jsonl';
          this.doc.forEach((t, i) => this.record({ text: t, line: i + 1, complete: i < this.doc.length - 1 }));
          return { kind: 'more' };
        }
        const where = locateJsonError(text, err);
        throw new InputError({ file: this.file, line: where.line, column: where.column }, `invalid JSON: ${where.message}`, { cause: err });
      }
      if (isOtlpValue(value)) {
        this.otlpText = text;
        return { kind: 'otlp' };
      }
      const reader = formatReaders.find((r) => r.detect(value));
      if (!reader) throw unknownFormat(this.file, describe(value));
      const lines = text.length > 0 ? indexJsonLines(text) : noLines;
      for (const draft of reader.read(value, { file: this.file, lines, diag: this.sink })) this.drafts.push({ draft, line: draft.source.line ?? 0 });
    }
    return { kind: 'more' };
  }

  /** One line (no newline after it) opening an object: a JSON Lines file whose first record is still being written. */
  private isPartialFirstRecord(): boolean {
    const lines = this.doc.filter((t) => t.trim() !== '');
    return !this.lastComplete && lines.length === 1 && (lines[0] as string).trimStart().startsWith('{');
  }

  /** Several lines, each a whole JSON object: JSON Lines whose first line was broken. */
  private looksLikeJsonLines(): boolean {
    const lines = this.doc.map((t) => t.trim()).filter((t) => t !== '');
    return lines.length >= 2 && lines.every((t) => t.startsWith('{')) && lines.filter((t) => t.endsWith('}')).length >= lines.length - 1;
  }

  result(): TrajectoryReadResult {
    // JSON Lines none of whose values any reader took: not a trajectory file at all.
    if (this.mode === 'jsonl' && this.recognised === 0 && this.firstUnknown) {
      throw unknownFormat(this.file, this.firstUnknown.what, this.firstUnknown.line);
    }
    const all = [...this.drafts];
    for (const draft of this.generic.finish()) all.push({ draft, line: draft.source.line ?? 0 });
    if (this.mode === 'jsonl') all.sort((a, b) => a.line - b.line);
    if (this.mode === 'start') this.sink.add('warning', 'empty-file', 'the file is empty: no trajectory');
    return { trajectories: finishAll(all.map((a) => a.draft), this.file), diagnostics: this.sink.finish() };
  }
}

function unknownFormat(file: string, what: string, line?: number): InputError {
  return new InputError(
    line !== undefined ? { file, line } : { file },
    `not a trajectory format Agent Ops knows (${what}); expected SWE-agent, mini-swe-agent, OpenHands, tau-bench, tau2-bench, OpenAI-style messages, OTLP, or the generic format (docs/trajectory-format.md)`,
  );
}

function describe(v: JsonValue): string {
  if (Array.isArray(v)) return `a JSON array of ${v.length} element${v.length === 1 ? '' : 's'}`;
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 5);
    return keys.length > 0 ? `an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object';
  }
  return `a JSON ${v === null ? 'null' : typeof v}`;
}

/** A file's name without its extensions: the id of a run that has none of its own. */
function baseId(file: string): string {
  const name = basename(file).replace(/(\.gz)?$/, '').replace(/(\.(json|jsonl|traj|ndjson|otlp))+$/i, '');
  return name !== '' ? name : basename(file);
}

function finishAll(drafts: DraftTrajectory[], file: string): Trajectory[] {
  const base = baseId(file);
  const used = new Set<string>();
  return drafts.map((d, i) => {
    const t = finishTrajectory(d, drafts.length === 1 ? base : `${base}#${i}`);
    let id = t.id;
    for (let k = 2; used.has(id); k++) id = `${t.id}#${k}`;
    t.id = id;
    used.add(id);
    return t;
  });
}

function fromTraceSet(set: TraceSet, options: ReadTrajectoryOptions, extra: TrajectoryDiagnostic[] = []): TrajectoryReadResult {
  const diagnostics: TrajectoryDiagnostic[] = [...extra];
  for (const d of set.diagnostics) {
    const out: TrajectoryDiagnostic = { file: d.file, severity: d.severity, code: d.code, message: d.message };
    if (d.line !== undefined) out.line = d.line;
    diagnostics.push(out);
  }
  return { trajectories: trajectoriesFromTraceSet(set, options.prices), diagnostics };
}

/** Reads one file (plain or gzipped) of any supported format. */
export async function readTrajectoryFile(file: string, options: ReadTrajectoryOptions = {}): Promise<TrajectoryReadResult> {
  const { signal } = options;
  const opened = await openInput(file);
  const p = new LineProcessor(file);
  let otlp = false;
  try {
    for await (const l of readLines(opened.stream, file)) {
      if (signal?.aborted) throw abortError(signal);
      if (p.line(l).kind === 'otlp') {
        otlp = true;
        break;
      }
    }
  } finally {
    opened.stream.destroy();
  }
  if (!otlp && p.end().kind === 'otlp') otlp = true;
  if (otlp) {
    // The OTLP reader streams the file itself (any size, any OTLP layout).
    const set = p.otlpText !== undefined ? readTraceText(p.otlpText, file) : await readTraceFiles([file], signal ? { signal } : {});
    return fromTraceSet(set, options);
  }
  return p.result();
}

/** Reads a file's text already in memory (an unsaved editor, a test). */
export function readTrajectoryText(text: string, file: string, options: ReadTrajectoryOptions = {}): TrajectoryReadResult {
  const p = new LineProcessor(file);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  const last = lines.length - 1;
  let otlp = false;
  for (let i = 0; i < lines.length; i++) {
    let t = lines[i] as string;
    if (i === last && t === '') break;
    if (t.endsWith('\r')) t = t.slice(0, -1);
    if (p.line({ text: t, line: i + 1, complete: i < last }).kind === 'otlp') {
      otlp = true;
      break;
    }
  }
  if (otlp || p.end().kind === 'otlp') return fromTraceSet(readTraceText(body, file), options);
  return p.result();
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('reading the trajectory file was aborted', 'AbortError');
}
