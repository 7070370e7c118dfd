/**
 * Test helpers: build a Trace from a compact description, computing parent,
 * children, roots, orphans and cut cycles as the reader does; and a minimal
 * OTLP JSON converter for the shared fixtures (the real reader is separate).
 */
import type { AttrValue, Attributes, Span, SpanEvent, SpanLog, Trace } from '../../../../src/core/otlp/model';

export interface SpanDesc {
  id: string;
  parent?: string;
  name: string;
  service?: string;
  /** Milliseconds from the trace's epoch. */
  start: number;
  end: number;
  attrs?: Attributes;
  error?: boolean;
  events?: { name: string; at?: number; attrs?: Attributes }[];
  logs?: { eventName?: string; body?: AttrValue; attrs?: Attributes }[];
}

const EPOCH_NS = 1_770_000_000_000_000_000n;
const msToNs = (ms: number): bigint => EPOCH_NS + BigInt(Math.round(ms * 1e6));

export function makeSpan(d: SpanDesc, traceId = 'a'.repeat(32)): Span {
  const events: SpanEvent[] = (d.events ?? []).map((e) => ({ name: e.name, timeNs: msToNs(e.at ?? d.start), attributes: e.attrs ?? {} }));
  const logs: SpanLog[] = (d.logs ?? []).map((l) => ({
    timeNs: msToNs(d.start),
    ...(l.eventName !== undefined ? { eventName: l.eventName } : {}),
    body: l.body ?? null,
    attributes: l.attrs ?? {},
  }));
  const span: Span = {
    traceId,
    spanId: d.id,
    name: d.name,
    kind: 'internal',
    startNs: msToNs(d.start),
    endNs: msToNs(d.end),
    attributes: d.attrs ?? {},
    resource: { attributes: { 'service.name': d.service ?? 'svc' }, serviceName: d.service ?? 'svc' },
    scope: { name: 'test' },
    events,
    links: [],
    status: d.error ? { code: 'error', message: 'boom' } : { code: 'unset' },
    logs,
    source: { file: 'mem.json', line: 1 },
  };
  if (d.parent !== undefined) span.parentSpanId = d.parent;
  return span;
}

/** A Trace over spans, tree built like the reader: start order, orphans, cycles cut at the span found to close them. */
export function assemble(input: Span[]): Trace {
  const spans = [...input].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const index = new Map(spans.map((s, i) => [s.spanId, i]));
  const n = spans.length;
  const parent = new Int32Array(n).fill(-1);
  const orphans: number[] = [];
  spans.forEach((s, i) => {
    if (s.parentSpanId === undefined) return;
    const p = index.get(s.parentSpanId);
    if (p === undefined) orphans.push(i);
    else parent[i] = p;
  });
  // Cut cycles: follow parents; a walk that returns to a span on the current path closes a cycle.
  const cutCycles: [number, number][] = [];
  const state = new Uint8Array(n); // 0 new, 1 on path, 2 done
  for (let i = 0; i < n; i++) {
    const path: number[] = [];
    let j = i;
    while (j >= 0 && state[j] === 0) {
      state[j] = 1;
      path.push(j);
      j = parent[j] as number;
    }
    if (j >= 0 && state[j] === 1) {
      cutCycles.push([j, parent[j] as number]);
      parent[j] = -1;
    }
    for (const k of path) state[k] = 2;
  }
  const children: number[][] = spans.map(() => []);
  for (let i = 0; i < n; i++) if ((parent[i] as number) >= 0) children[parent[i] as number]?.push(i);
  const orphanSet = new Set(orphans);
  const roots = [...spans.keys()].filter((i) => parent[i] === -1 && !orphanSet.has(i));
  roots.push(...orphans.filter((i) => parent[i] === -1));
  let startNs = spans[0]?.startNs ?? 0n;
  let endNs = startNs;
  for (const s of spans) {
    if (s.startNs < startNs) startNs = s.startNs;
    if (s.endNs > endNs) endNs = s.endNs;
  }
  return { traceId: spans[0]?.traceId ?? '', spans, parent, children, roots, orphans, cutCycles, startNs, endNs };
}

export function buildTrace(descs: SpanDesc[], traceId = 'a'.repeat(32)): Trace {
  return assemble(descs.map((d) => makeSpan(d, traceId)));
}

/** The index of the span with this id. */
export function at(trace: Trace, id: string): number {
  const i = trace.spans.findIndex((s) => s.spanId === id);
  if (i < 0) throw new Error(`no span ${id}`);
  return i;
}

export function spanOf(trace: Trace, i: number): Span {
  const s = trace.spans[i];
  if (!s) throw new Error(`no span at ${i}`);
  return s;
}

// ---------------------------------------------------------------------------
// Minimal OTLP JSON → Trace (hex ids, string times, scalar attributes)

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
interface OtlpKv {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKv[];
  status?: { code?: number; message?: string };
}
interface OtlpDoc {
  resourceSpans: { resource?: { attributes?: OtlpKv[] }; scopeSpans: { scope?: { name?: string }; spans: OtlpSpan[] }[] }[];
}

function value(v: OtlpValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  return null;
}

const attributes = (kvs: OtlpKv[] | undefined): Attributes => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));

export function tracesFromOtlp(doc: OtlpDoc): Trace[] {
  const byTrace = new Map<string, Span[]>();
  for (const rs of doc.resourceSpans) {
    const resAttrs = attributes(rs.resource?.attributes);
    const serviceName = typeof resAttrs['service.name'] === 'string' ? resAttrs['service.name'] : 'unknown_service';
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const span: Span = {
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          name: s.name,
          kind: 'internal',
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          attributes: attributes(s.attributes),
          resource: { attributes: resAttrs, serviceName },
          scope: { name: ss.scope?.name ?? '' },
          events: [],
          links: [],
          status: { code: s.status?.code === 2 ? 'error' : s.status?.code === 1 ? 'ok' : 'unset' },
          logs: [],
          source: { file: 'fixture', line: 1 },
        };
        if (s.parentSpanId) span.parentSpanId = s.parentSpanId.toLowerCase();
        const list = byTrace.get(span.traceId) ?? [];
        list.push(span);
        byTrace.set(span.traceId, list);
      }
    }
  }
  return [...byTrace.values()].map(assemble);
}

// ---------------------------------------------------------------------------
// A small fixed price table, so cost assertions do not move with the bundled data

import { priceTableFromData, type PriceTable } from '../../../../src/core/tokens/pricing/priceTable';

export function testPrices(): PriceTable {
  return priceTableFromData(
    [
      {
        id: 'openai',
        model_match: { starts_with: 'gpt-' },
        models: [
          { id: 'gpt-4o', match: { or: [{ equals: 'gpt-4o' }, { starts_with: 'gpt-4o-2024' }] }, prices: { input_mtok: 2.5, output_mtok: 10, cache_read_mtok: 1.25 } },
          { id: 'text-embedding-3-small', match: { equals: 'text-embedding-3-small' }, prices: { input_mtok: 0.02 } },
        ],
      },
      {
        id: 'anthropic',
        model_match: { contains: 'claude' },
        models: [
          {
            id: 'claude-sonnet-4-5',
            match: { starts_with: 'claude-sonnet-4-5' },
            prices: {
              input_mtok: { base: 3, tiers: [{ start: 200000, price: 6 }] },
              output_mtok: { base: 15, tiers: [{ start: 200000, price: 22.5 }] },
              cache_read_mtok: { base: 0.3, tiers: [{ start: 200000, price: 0.6 }] },
              cache_write_mtok: { base: 3.75, tiers: [{ start: 200000, price: 7.5 }] },
            },
          },
        ],
      },
    ],
    'test prices',
  );
}
