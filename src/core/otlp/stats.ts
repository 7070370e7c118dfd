/**
 * Latency, error, token and cost statistics per operation (span name + service)
 * and per model, over one trace or many. Percentiles are exact (nearest rank over
 * the sorted durations): inputs are at most a few hundred thousand spans.
 * Tokens and cost are the roll-up's counted usage, so the rows add up to the
 * trace totals without double counting.
 */
import type { PriceTable } from '../tokens/pricing/priceTable';
import type { TokenUsage } from './genai';
import type { WireLatencyStats } from '../../shared/traceViewerProtocol';
import type { Trace } from './model';
import { addUsage, isGeneration, modelOf, rollupTrace, zeroUsage, type TraceRollup } from './rollup';

/** The wire's group statistics without totalMs (the view model adds it): one definition for both. */
export type LatencyStats = Omit<WireLatencyStats, 'totalMs'>;

export interface OperationStats extends LatencyStats {
  name: string;
  service: string;
}

export interface ModelStats extends LatencyStats {
  model: string;
  /** The providers the spans named, sorted. */
  providers: string[];
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1] as number;
}

class Group {
  durations: number[] = [];
  errors = 0;
  tokens = zeroUsage();
  cost = 0;
  priced = false;
  readonly providers = new Set<string>();

  add(durationMs: number, error: boolean, usage: TokenUsage | undefined, cost: number): void {
    this.durations.push(durationMs);
    if (error) this.errors++;
    if (usage) addUsage(this.tokens, usage);
    if (!Number.isNaN(cost)) {
      this.cost += cost;
      this.priced = true;
    }
  }

  stats(): LatencyStats {
    const sorted = Float64Array.from(this.durations).sort();
    const count = sorted.length;
    let sum = 0;
    for (const d of sorted) sum += d;
    return {
      count,
      errorCount: this.errors,
      errorRate: count > 0 ? this.errors / count : 0,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      maxMs: count > 0 ? (sorted[count - 1] as number) : NaN,
      meanMs: count > 0 ? sum / count : NaN,
      tokens: this.tokens,
      costUsd: this.priced ? this.cost : null,
    };
  }
}

type Visit = (trace: Trace, r: TraceRollup, i: number, durationMs: number, error: boolean, usage: TokenUsage | undefined, cost: number) => void;

function eachSpan(traces: readonly Trace[], prices: PriceTable, visit: Visit): void {
  for (const trace of traces) {
    const r = rollupTrace(trace, prices);
    trace.spans.forEach((span, i) => {
      const counted = r.counted[i] === 1;
      const g = r.genai[i];
      // Only counted usage (and a reported cost on a generation without usage) adds up without double counting.
      const costCounts = counted || (g !== undefined && isGeneration(g) && g.usage === undefined);
      visit(trace, r, i, Number(span.endNs - span.startNs) / 1e6, span.status.code === 'error', counted ? g?.usage : undefined, costCounts ? (r.costs[i] as number) : NaN);
    });
  }
}

/** Per operation, sorted by total time spent (count × mean) descending, then name. */
export function operationStats(traces: readonly Trace[], prices: PriceTable): OperationStats[] {
  const groups = new Map<string, { name: string; service: string; g: Group }>();
  eachSpan(traces, prices, (trace, _r, i, d, err, usage, cost) => {
    const span = trace.spans[i];
    if (!span) return;
    const key = `${span.resource.serviceName}\u0000${span.name}`;
    let e = groups.get(key);
    if (!e) groups.set(key, (e = { name: span.name, service: span.resource.serviceName, g: new Group() }));
    e.g.add(d, err, usage, cost);
  });
  return [...groups.values()]
    .map(({ name, service, g }) => ({ name, service, ...g.stats() }))
    .sort((a, b) => b.meanMs * b.count - a.meanMs * a.count || a.name.localeCompare(b.name) || a.service.localeCompare(b.service));
}

/** Per model of the llm and embedding spans (response model, else request model), sorted by cost then count. */
export function modelStats(traces: readonly Trace[], prices: PriceTable): ModelStats[] {
  const groups = new Map<string, Group>();
  eachSpan(traces, prices, (_trace, r, i, d, err, usage, cost) => {
    const g = r.genai[i];
    const model = g && isGeneration(g) ? modelOf(g) : undefined;
    if (!g || model === undefined) return;
    let e = groups.get(model);
    if (!e) groups.set(model, (e = new Group()));
    if (g.provider !== undefined) e.providers.add(g.provider);
    e.add(d, err, usage, cost);
  });
  return [...groups.entries()]
    .map(([model, g]) => ({ model, providers: [...g.providers].sort(), ...g.stats() }))
    .sort((a, b) => (b.costUsd ?? 0) - (a.costUsd ?? 0) || b.count - a.count || a.model.localeCompare(b.model));
}
