import type { DiagnosticSeverity, TraceDiagnostic } from './model';

/** Per code and file; a corrupt 1 GB file must not produce a million diagnostics. */
const maxPerCode = 100;

/** Collects the diagnostics of one file, capping each code and summarising what was dropped. */
export class DiagnosticSink {
  readonly list: TraceDiagnostic[] = [];
  private readonly counts = new Map<string, number>();

  constructor(readonly file: string) {}

  add(severity: DiagnosticSeverity, code: string, message: string, line?: number): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n > maxPerCode) return;
    const d: TraceDiagnostic = { file: this.file, severity, code, message };
    if (line !== undefined) d.line = line;
    this.list.push(d);
  }

  /** Appends one 'suppressed' info per capped code and returns everything. */
  finish(): TraceDiagnostic[] {
    for (const [code, n] of this.counts) {
      if (n > maxPerCode) this.list.push({ file: this.file, severity: 'info', code: 'suppressed', message: `${n - maxPerCode} more '${code}' diagnostics not shown` });
    }
    this.counts.clear();
    return this.list;
  }
}
