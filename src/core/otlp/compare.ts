/**
 * Compare two traces of the same workflow (say, before and after a prompt
 * change). Spans are matched by path: the chain of span names from the root,
 * each with its occurrence among same-named siblings ("invoke_agent/chat#1" is the
 * second chat under the agent). Tokens and cost are inclusive of the span's
 * subtree (counted usage only), so a delta on an agent span says what the whole
 * agent cost more or less.
 */
import type { PriceTable } from '../tokens/pricing/priceTable';
import type { Trace } from './model';
import { rollupTrace, postOrder, totalTokens, type TraceRollup } from './rollup';

export interface SpanSide {
  span: number;
  durationMs: number;
  tokens: number;
  /** null when nothing in the subtree could be priced. */
  costUsd: number | null;
  error: boolean;
}

export interface SpanDiff {
  /** Display path, e.g. "POST /run › invoke_agent triage › chat gpt-4o#1". */
  path: string;
  depth: number;
  a: SpanSide;
  b: SpanSide;
  durationDeltaMs: number;
  tokensDelta: number;
  /** null when either side has no priced usage. */
  costDeltaUsd: number | null;
}

export interface UnmatchedSpan {
  path: string;
  span: number;
}

export interface TraceDiff {
  /** Matched spans in a's tree order. */
  matched: SpanDiff[];
  onlyInA: UnmatchedSpan[];
  onlyInB: UnmatchedSpan[];
  durationDeltaMs: number;
  tokensDelta: number;
  costDeltaUsd: number | null;
}

interface Keyed {
  key: string;
  path: string;
  depth: number;
}

/** Path keys in tree pre-order. Names and indices are joined with control characters so no name can collide. */
function pathKeys(trace: Trace): { order: number[]; keyed: Map<number, Keyed> } {
  const keyed = new Map<number, Keyed>();
  const order: number[] = [];
  const stack: [number, Keyed][] = [];
  const pushSiblings = (siblings: readonly number[], parent: Keyed | undefined): void => {
    const seen = new Map<string, number>();
    const entries: [number, Keyed][] = siblings.map((i) => {
      const name = trace.spans[i]?.name ?? '';
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      const label = n === 0 ? name : `${name}#${n}`;
      return [i, { key: `${parent ? parent.key + '\u0001' : ''}${name}\u0002${n}`, path: parent ? `${parent.path} › ${label}` : label, depth: parent ? parent.depth + 1 : 0 }];
    });
    // Reversed, so that the stack pops siblings in start order.
    for (let k = entries.length - 1; k >= 0; k--) stack.push(entries[k] as [number, Keyed]);
  };
  pushSiblings(trace.roots, undefined);
  while (stack.length > 0) {
    const [i, k] = stack.pop() as [number, Keyed];
    if (keyed.has(i)) continue;
    keyed.set(i, k);
    order.push(i);
    pushSiblings(trace.children[i] ?? [], k);
  }
  return { order, keyed };
}

/** Subtree totals of counted tokens and cost. */
function inclusive(trace: Trace, r: TraceRollup): { tokens: Float64Array; cost: Float64Array; priced: Uint8Array } {
  const n = trace.spans.length;
  const tokens = new Float64Array(n);
  const cost = new Float64Array(n);
  const priced = new Uint8Array(n);
  for (const i of postOrder(trace)) {
    if (r.counted[i]) {
      tokens[i] = (tokens[i] as number) + totalTokens(r.genai[i]?.usage);
      const c = r.costs[i] as number;
      if (!Number.isNaN(c)) {
        cost[i] = (cost[i] as number) + c;
        priced[i] = 1;
      }
    }
    const p = trace.parent[i] ?? -1;
    if (p >= 0) {
      tokens[p] = (tokens[p] as number) + (tokens[i] as number);
      cost[p] = (cost[p] as number) + (cost[i] as number);
      if (priced[i]) priced[p] = 1;
    }
  }
  return { tokens, cost, priced };
}

function side(trace: Trace, i: number, inc: ReturnType<typeof inclusive>): SpanSide {
  const s = trace.spans[i];
  return {
    span: i,
    durationMs: s ? Number(s.endNs - s.startNs) / 1e6 : 0,
    tokens: inc.tokens[i] as number,
    costUsd: inc.priced[i] ? (inc.cost[i] as number) : null,
    error: s?.status.code === 'error',
  };
}

function sumRoots(trace: Trace, inc: ReturnType<typeof inclusive>): { tokens: number; cost: number | null } {
  let tokens = 0;
  let cost: number | null = null;
  for (const r of trace.roots) {
    tokens += inc.tokens[r] as number;
    if (inc.priced[r]) cost = (cost ?? 0) + (inc.cost[r] as number);
  }
  return { tokens, cost };
}

export function compareTraces(a: Trace, b: Trace, prices: PriceTable): TraceDiff {
  const ka = pathKeys(a);
  const kb = pathKeys(b);
  const ia = inclusive(a, rollupTrace(a, prices));
  const ib = inclusive(b, rollupTrace(b, prices));
  const bByKey = new Map<string, number>();
  for (const [i, k] of kb.keyed) bByKey.set(k.key, i);

  const matched: SpanDiff[] = [];
  const onlyInA: UnmatchedSpan[] = [];
  const matchedB = new Set<number>();
  for (const i of ka.order) {
    const k = ka.keyed.get(i) as Keyed;
    const j = bByKey.get(k.key);
    if (j === undefined) {
      onlyInA.push({ path: k.path, span: i });
      continue;
    }
    matchedB.add(j);
    const sa = side(a, i, ia);
    const sb = side(b, j, ib);
    matched.push({
      path: k.path,
      depth: k.depth,
      a: sa,
      b: sb,
      durationDeltaMs: sb.durationMs - sa.durationMs,
      tokensDelta: sb.tokens - sa.tokens,
      costDeltaUsd: sa.costUsd !== null && sb.costUsd !== null ? sb.costUsd - sa.costUsd : null,
    });
  }
  const onlyInB = kb.order.filter((j) => !matchedB.has(j)).map((j) => ({ path: (kb.keyed.get(j) as Keyed).path, span: j }));
  const ta = sumRoots(a, ia);
  const tb = sumRoots(b, ib);
  return {
    matched,
    onlyInA,
    onlyInB,
    durationDeltaMs: Number(b.endNs - b.startNs - (a.endNs - a.startNs)) / 1e6,
    tokensDelta: tb.tokens - ta.tokens,
    costDeltaUsd: ta.cost !== null && tb.cost !== null ? tb.cost - ta.cost : null,
  };
}
