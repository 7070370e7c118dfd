import type { OtlpSignal } from '../types';

/**
 * Collector file names: `<signal>-<UTC yyyymmddThhmmssZ>-<seq>.otlp.jsonl`. They sort by the time the file
 * was started (the sequence number separates files started in the same second, also across restarts),
 * and the `.otlp.jsonl` suffix makes the trace viewer open them by default.
 */

export const collectorFile = /^(traces|logs|metrics)-(\d{8}T\d{6}Z)-(\d{4,})\.otlp\.jsonl$/;

export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function fileName(signal: OtlpSignal, ms: number, seq: number): string {
  return `${signal}-${stamp(ms)}-${String(seq).padStart(4, '0')}.otlp.jsonl`;
}

/** Compares two collector file names by start time, then sequence (a plain string sort breaks past seq 9999). */
export function byStart(a: string, b: string): number {
  const ma = collectorFile.exec(a);
  const mb = collectorFile.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  if (ma[2] !== mb[2]) return (ma[2] as string) < (mb[2] as string) ? -1 : 1;
  return Number(ma[3]) - Number(mb[3]);
}
