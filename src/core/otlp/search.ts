/**
 * Finding spans inside one trace: text and attribute search, error navigation
 * in tree order (the waterfall's order), the slowest span and the most expensive
 * model call.
 */
import type { PriceTable } from '../tokens/pricing/priceTable';
import type { AttrValue, Attributes, Span, Trace } from './model';
import { isGeneration, rollupTrace } from './rollup';

export interface SpanQuery {
  /** Case-insensitive; matched against name, service, span id, status message, attribute keys and values, event names. */
  text?: string;
  /** A span or resource attribute with exactly this key. */
  attributeKey?: string;
  /** Case-insensitive substring of that attribute's value (of any attribute's value without a key). */
  attributeValue?: string;
  errorsOnly?: boolean;
}

const valueText = (v: AttrValue | undefined): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function attrsContain(attrs: Attributes, needle: string, keysToo: boolean): boolean {
  for (const k in attrs) {
    if (keysToo && k.toLowerCase().includes(needle)) return true;
    if (valueText(attrs[k]).toLowerCase().includes(needle)) return true;
  }
  return false;
}

function matchesText(span: Span, needle: string): boolean {
  return (
    span.name.toLowerCase().includes(needle) ||
    span.resource.serviceName.toLowerCase().includes(needle) ||
    span.spanId.includes(needle) ||
    (span.status.message?.toLowerCase().includes(needle) ?? false) ||
    attrsContain(span.attributes, needle, true) ||
    span.events.some((e) => e.name.toLowerCase().includes(needle))
  );
}

function matchesAttribute(span: Span, key: string | undefined, value: string | undefined): boolean {
  if (key === undefined) return value === undefined || attrsContain(span.attributes, value, false) || attrsContain(span.resource.attributes, value, false);
  const v = span.attributes[key] ?? span.resource.attributes[key];
  if (v === undefined) return false;
  return value === undefined || valueText(v).toLowerCase().includes(value);
}

/** Indices of the spans matching every given condition, in start order. An empty query matches every span. */
export function searchSpans(trace: Trace, query: SpanQuery): number[] {
  const text = query.text?.trim().toLowerCase() || undefined;
  const key = query.attributeKey?.trim() || undefined;
  const value = query.attributeValue?.toLowerCase() || undefined;
  const out: number[] = [];
  trace.spans.forEach((span, i) => {
    if (query.errorsOnly && span.status.code !== 'error') return;
    if (text !== undefined && !matchesText(span, text)) return;
    if ((key !== undefined || value !== undefined) && !matchesAttribute(span, key, value)) return;
    out.push(i);
  });
  return out;
}

/** Spans in tree pre-order (roots, then each span's children in start order): the waterfall's row order. */
export function treeOrder(trace: Trace): number[] {
  const order: number[] = [];
  const seen = new Uint8Array(trace.spans.length);
  const stack = [...trace.roots].reverse();
  while (stack.length > 0) {
    const i = stack.pop() as number;
    if (seen[i]) continue;
    seen[i] = 1;
    order.push(i);
    const kids = trace.children[i] ?? [];
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k] as number);
  }
  for (let i = 0; i < trace.spans.length; i++) if (!seen[i]) order.push(i);
  return order;
}

/**
 * The next error span after (direction 1) or before (-1) span `from`, in tree order,
 * without wrapping. A `from` that is not a span index (e.g. -1) starts at the first
 * row going forward, or the last going back.
 */
export function nextError(trace: Trace, from: number, direction: 1 | -1): number | undefined {
  const order = treeOrder(trace);
  const at = order.indexOf(from);
  const begin = at >= 0 ? at + direction : direction === 1 ? 0 : order.length - 1;
  for (let k = begin; k >= 0 && k < order.length; k += direction) {
    const i = order[k] as number;
    if (trace.spans[i]?.status.code === 'error') return i;
  }
  return undefined;
}

/**
 * The span that took longest. By 'duration' (the default) the root usually wins; by
 * 'self' (duration minus the time covered by its children) it names where the time went.
 */
export function slowestSpan(trace: Trace, by: 'duration' | 'self' = 'duration'): number | undefined {
  let best: number | undefined;
  let bestNs = -1n;
  trace.spans.forEach((span, i) => {
    const ns = by === 'self' ? selfTimeNs(trace, i) : span.endNs - span.startNs;
    if (ns > bestNs) {
      bestNs = ns;
      best = i;
    }
  });
  return best;
}

/** A span's duration not covered by any of its children (overlapping children counted once). */
export function selfTimeNs(trace: Trace, i: number): bigint {
  const span = trace.spans[i];
  if (!span) return 0n;
  const kids = (trace.children[i] ?? []).map((c) => trace.spans[c]).filter((s): s is Span => s !== undefined);
  let covered = 0n;
  let cursor = span.startNs;
  // Children are in start order: sweep their union, clipped to the span.
  for (const c of kids) {
    const s = c.startNs > cursor ? c.startNs : cursor;
    const e = c.endNs < span.endNs ? c.endNs : span.endNs;
    if (e > s) {
      covered += e - s;
      cursor = e;
    }
  }
  const total = span.endNs - span.startNs;
  return total > covered ? total - covered : 0n;
}

/** The llm or embedding span whose own call cost most (priced or reported); undefined when none could be priced. */
export function mostExpensiveLlmSpan(trace: Trace, prices: PriceTable): number | undefined {
  const r = rollupTrace(trace, prices);
  let best: number | undefined;
  let bestUsd = -Infinity;
  r.costs.forEach((usd, i) => {
    const g = r.genai[i];
    if (!Number.isNaN(usd) && g && isGeneration(g) && usd > bestUsd) {
      bestUsd = usd;
      best = i;
    }
  });
  return best;
}
