/**
 * Test helpers for the monitor: CallRecords made to order, and OTLP JSON lines written the way
 * an SDK's file exporter writes them (so the real reader is exercised end to end).
 */
import type { CallRecord } from '../../../../src/core/monitor/types';

let seq = 0;

/** A model call (kind llm) ending at `endMs`, 100 ms long unless said otherwise. */
export function call(over: Partial<CallRecord> & { endMs?: number } = {}): CallRecord {
  seq++;
  const endMs = over.endMs ?? 1_000_000;
  const durationMs = over.durationMs ?? 100;
  return {
    traceId: seq.toString(16).padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, '0'),
    startMs: endMs - durationMs,
    endMs,
    durationMs,
    kind: 'llm',
    operation: 'chat',
    error: false,
    inputTokens: 100,
    outputTokens: 10,
    finishReasons: ['stop'],
    ...over,
  };
}

/** `n` calls spread evenly over [fromMs, toMs], `errors` of them (spread evenly too) failed. */
export function traffic(n: number, errors: number, fromMs: number, toMs: number, over: Partial<CallRecord> = {}): CallRecord[] {
  const out: CallRecord[] = [];
  const step = n > 1 ? (toMs - fromMs) / (n - 1) : 0;
  // Bresenham-like spreading: error i at index floor(i * n / errors).
  const failing = new Set<number>();
  for (let i = 0; i < errors; i++) failing.add(Math.floor((i * n) / errors));
  for (let i = 0; i < n; i++) out.push(call({ ...over, endMs: Math.round(fromMs + i * step), error: failing.has(i) }));
  return out;
}

export interface OtlpSpanDesc {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attrs?: Record<string, string | number | boolean | string[]>;
  error?: boolean;
}

function anyValue(v: string | number | boolean | string[]): unknown {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** One ExportTraceServiceRequest as one JSON line (the file exporter's format). */
export function otlpLine(spans: OtlpSpanDesc[], resource: Record<string, string> = { 'service.name': 'bot' }): string {
  const ns = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 3,
              startTimeUnixNano: ns(s.startMs),
              endTimeUnixNano: ns(s.endMs),
              attributes: Object.entries(s.attrs ?? {}).map(([key, value]) => ({ key, value: anyValue(value) })),
              status: s.error ? { code: 2, message: 'RateLimitError: too many requests' } : {},
            })),
          },
        ],
      },
    ],
  });
}

/** A chat span description with usage and model. */
export function chatSpan(i: number, startMs: number, over: Partial<OtlpSpanDesc> & { model?: string; input?: number; output?: number; project?: string; user?: string } = {}): OtlpSpanDesc {
  const { model, input, output, project, user, attrs: extra, ...rest } = over;
  const attrs: OtlpSpanDesc['attrs'] = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model ?? 'gpt-4o-mini',
    'gen_ai.usage.input_tokens': input ?? 1000,
    'gen_ai.usage.output_tokens': output ?? 100,
    ...(project !== undefined ? { 'agentops.project': project } : {}),
    ...(user !== undefined ? { 'user.id': user } : {}),
    ...extra,
  };
  return {
    traceId: (i + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'chat',
    startMs,
    endMs: startMs + 200,
    ...rest,
    attrs,
  };
}
