export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** A problem found while reading a file (a trace, a trajectory): never fatal for the rest of it. */
export interface SourceDiagnostic {
  file: string;
  /** 1-based line of the (decompressed) file. */
  line?: number;
  severity: DiagnosticSeverity;
  /** Stable id, e.g. 'invalid-json', 'truncated-line', 'suppressed'. */
  code: string;
  message: string;
}

/** Per code and file; a corrupt 1 GB file must not produce a million diagnostics. */
const maxPerCode = 100;

/** A point a sink can go back to (see DiagnosticSink.rewind). */
export interface SinkMark {
  length: number;
  counts: Map<string, number>;
}

/** Collects the diagnostics of one file, capping each code and summarising what was dropped. Shared by every reader. */
export class DiagnosticSink {
  readonly list: SourceDiagnostic[] = [];
  private readonly counts = new Map<string, number>();

  constructor(readonly file: string) {}

  add(severity: DiagnosticSeverity, code: string, message: string, line?: number): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n > maxPerCode) return;
    const d: SourceDiagnostic = { file: this.file, severity, code, message };
    if (line !== undefined) d.line = line;
    this.list.push(d);
  }

  mark(): SinkMark {
    return { length: this.list.length, counts: new Map(this.counts) };
  }

  /** Forgets what was added since `mark` (a followed file's unfinished last line, read again when it grows). */
  rewind(mark: SinkMark): void {
    this.list.length = mark.length;
    this.counts.clear();
    for (const [code, n] of mark.counts) this.counts.set(code, n);
  }

  /** Everything so far, plus one 'suppressed' info per capped code; the sink can go on collecting. */
  finish(): SourceDiagnostic[] {
    const all = [...this.list];
    for (const [code, n] of this.counts) {
      if (n > maxPerCode) all.push({ file: this.file, severity: 'info', code: 'suppressed', message: `${n - maxPerCode} more '${code}' diagnostics not shown` });
    }
    return all;
  }
}
