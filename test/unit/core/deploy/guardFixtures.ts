import { appendFileSync } from 'node:fs';

/**
 * Appends one OTLP/JSON line (ExportTraceServiceRequest) to `file`: `total` root spans of `version`
 * (the version on the resource, or on each span with `onSpan`), the first `errors` with status ERROR,
 * each ending at `endMs` and lasting `durationMs`.
 */
export function writeOtlpSpans(file: string, o: { version: string; total: number; errors: number; endMs: number; durationMs?: number; onSpan?: boolean; attribute?: string }): void {
  const attr = (v: string) => [{ key: o.attribute ?? 'service.version', value: { stringValue: v } }];
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
  const seed = Math.floor(Math.random() * 0xffffff);
  const spans = Array.from({ length: o.total }, (_, i) => ({
    traceId: hex(seed, 16) + hex(i + 1, 16),
    spanId: hex(seed, 8) + hex(i + 1, 8),
    name: 'agent.run',
    kind: 2,
    startTimeUnixNano: String(BigInt(o.endMs - (o.durationMs ?? 100)) * 1_000_000n),
    endTimeUnixNano: String(BigInt(o.endMs) * 1_000_000n),
    status: i < o.errors ? { code: 2, message: 'boom' } : { code: 1 },
    ...(o.onSpan ? { attributes: attr(o.version) } : {}),
  }));
  const doc = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-bot' } }, ...(o.onSpan ? [] : attr(o.version))] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
  appendFileSync(file, `${JSON.stringify(doc)}\n`);
}
