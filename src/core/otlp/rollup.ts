/**
 * Token and cost roll-ups over one trace that never double count
 * (research/trace.md §2.9). A span's own usage counts only when no span below
 * it carries usage: generation spans (llm, embedding) are normally the leaves
 * that do, and an agent or chain span repeating its children's aggregate (Copilot's
 * invoke_agent, Vercel's generateText) counts only when it has no such children.
 * Costs come from the price table the caller passes (bundled, refreshed, overridden).
 */
import type { ModelPrice, PriceTable } from '../tokens/pricing/priceTable';
import { costOfCall } from '../tokens/pricing/cost';
import { normalizeGenAi, type GenAiSpan, type TokenUsage } from './genai';
import type { Trace } from './model';

/** The CLI's JSON contract for one trace: keep these fields and their meaning stable. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  services: string[];
  spanCount: number;
  errorCount: number;
  /** Decimal nanoseconds since the epoch (too large for a JSON number). */
  startTimeUnixNano: string;
  durationMs: number;
  tokens: TokenUsage;
  /** Sum over the priced spans; null when no LLM span could be priced. */
  costUsd: number | null;
  models: string[];
}

export interface TraceTotals {
  traces: number;
  spans: number;
  errors: number;
  tokens: TokenUsage;
  /** null when no trace had a priced LLM span. */
  costUsd: number | null;
  models: string[];
  services: string[];
}

/** How one span's own usage was priced, for the detail pane. */
export interface SpanCost {
  usd: number;
  /** 'reported': the span carried its cost (OpenInference llm.cost.*); 'priced': from the price table. */
  source: 'reported' | 'priced';
  /** The table entry used, when priced. */
  model?: string;
  provider?: string;
  notes: string[];
}

/** Everything per span that roll-ups, statistics and comparisons share; computed once per trace. */
export interface TraceRollup {
  genai: GenAiSpan[];
  /** 1 when the span's own usage is part of the trace's totals. */
  counted: Uint8Array;
  /** Cost of each span's own usage in USD; NaN when it has none or could not be priced. */
  costs: Float64Array;
}

export const zeroUsage = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

export function addUsage(into: TokenUsage, u: TokenUsage): TokenUsage {
  into.input += u.input;
  into.output += u.output;
  into.cacheRead += u.cacheRead;
  into.cacheWrite += u.cacheWrite;
  into.reasoning += u.reasoning;
  return into;
}

export const totalTokens = (u: TokenUsage | undefined): number => (u ? u.input + u.output : 0);

export const isGeneration = (g: GenAiSpan): boolean => g.type === 'llm' || g.type === 'embedding';

export const modelOf = (g: GenAiSpan): string | undefined => g.responseModel ?? g.requestModel;

/** GenAI provider names (and their pre-1.37 spellings) → the price table's provider ids. */
const providerIds: Record<string, string> = {
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.openai': 'azure',
  'az.ai.inference': 'azure',
  'aws.bedrock': 'aws',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  vertex_ai: 'google',
  vertexai: 'google',
  gemini: 'google',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  x_ai: 'x-ai',
  xai: 'x-ai',
  moonshot_ai: 'moonshotai',
};

export function priceProvider(provider: string | undefined): string | undefined {
  if (provider === undefined) return undefined;
  const p = provider.trim().toLowerCase();
  return providerIds[p] ?? p;
}

function findPrice(g: GenAiSpan, prices: PriceTable): ModelPrice | undefined {
  const provider = priceProvider(g.provider);
  for (const model of [g.responseModel, g.requestModel]) {
    if (!model) continue;
    const p = prices.find(model, provider);
    if (p) return p;
  }
  return undefined;
}

const M = 1_000_000;

/**
 * The cost of a span's own usage. A cost the span reports wins (the instrumentation
 * knew the real bill); else the table prices uncached input, cache reads and cache
 * writes at their own rates (input tokens include both, per GenAI), and output.
 */
export function spanCost(g: GenAiSpan, prices: PriceTable): SpanCost | undefined {
  if (g.reportedCostUsd !== undefined) return { usd: g.reportedCostUsd, source: 'reported', notes: ['Cost reported by the span itself'] };
  const u = g.usage;
  if (!u) return undefined;
  const price = findPrice(g, prices);
  if (!price) return undefined;
  // costOfCall decides long-context pricing and bills all input at the regular rate …
  const base = costOfCall(price, { inputTokens: u.input, outputTokens: u.output });
  const lc = base.longContext ? price.longContext : undefined;
  const inputRate = u.input > 0 ? (base.inputUsd * M) / u.input : price.inputPerMTok;
  // … then cached parts are re-priced at their own rates (the regular rate when the table has none).
  const readRate = lc?.cacheReadPerMTok ?? price.cacheReadPerMTok ?? inputRate;
  const writeRate = lc?.cacheWritePerMTok ?? price.cacheWritePerMTok ?? inputRate;
  const cacheRead = Math.min(u.cacheRead, u.input);
  const cacheWrite = Math.min(u.cacheWrite, u.input - cacheRead);
  const usd = base.totalUsd + (cacheRead * (readRate - inputRate) + cacheWrite * (writeRate - inputRate)) / M;
  const notes = base.notes.filter((n) => !n.includes('caches') && !n.includes('cache_control'));
  if (cacheRead > 0 || cacheWrite > 0) notes.push(`Cached input priced separately: ${cacheRead} read, ${cacheWrite} written`);
  return { usd, source: 'priced', model: price.id, provider: price.provider, notes };
}

/** Depth-first post-order over the whole forest, without recursion (traces can be deep). */
export function postOrder(trace: Trace): number[] {
  const n = trace.spans.length;
  const seen = new Uint8Array(n);
  const order: number[] = [];
  // Roots first; then every index, so a span unreachable from a root (should not happen) is still visited.
  const starts = [...trace.roots, ...Array.from({ length: n }, (_, i) => i)];
  for (const s of starts) {
    if (seen[s]) continue;
    const stack: [number, number][] = [[s, 0]];
    seen[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const kids = trace.children[top[0]] ?? [];
      if (top[1] < kids.length) {
        const c = kids[top[1]++] as number;
        if (!seen[c]) {
          seen[c] = 1;
          stack.push([c, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

export function rollupTrace(trace: Trace, prices: PriceTable): TraceRollup {
  const n = trace.spans.length;
  const genai = trace.spans.map((s) => normalizeGenAi(s, { content: false }));
  const counted = new Uint8Array(n);
  const usageBelow = new Uint8Array(n);
  for (const i of postOrder(trace)) {
    const g = genai[i] as GenAiSpan;
    const has = g.usage !== undefined && totalTokens(g.usage) + g.usage.cacheRead + g.usage.cacheWrite > 0;
    if (has && !usageBelow[i]) counted[i] = 1;
    const p = trace.parent[i] ?? -1;
    if (p >= 0 && (has || usageBelow[i])) usageBelow[p] = 1;
  }
  const costs = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const c = spanCost(genai[i] as GenAiSpan, prices);
    if (c) costs[i] = c.usd;
  }
  return { genai, counted, costs };
}

/** Per-span cost of the span's own usage (NaN when none or unpriced), for rows and the detail pane. */
export function spanCosts(trace: Trace, prices: PriceTable): Float64Array {
  return rollupTrace(trace, prices).costs;
}

export function summarizeTrace(trace: Trace, prices: PriceTable): TraceSummary {
  return summaryFromRollup(trace, rollupTrace(trace, prices));
}

export function summaryFromRollup(trace: Trace, r: TraceRollup): TraceSummary {
  const services: string[] = [];
  const seenServices = new Set<string>();
  const models = new Set<string>();
  const tokens = zeroUsage();
  let errorCount = 0;
  let cost = 0;
  let priced = false;
  trace.spans.forEach((span, i) => {
    const svc = span.resource.serviceName;
    if (!seenServices.has(svc)) {
      seenServices.add(svc);
      services.push(svc);
    }
    if (span.status.code === 'error') errorCount++;
    const g = r.genai[i] as GenAiSpan;
    const model = modelOf(g);
    if (model && isGeneration(g)) models.add(model);
    if (!r.counted[i] && !(g.reportedCostUsd !== undefined && isGeneration(g) && !g.usage)) return;
    if (g.usage) addUsage(tokens, g.usage);
    const c = r.costs[i] as number;
    if (!Number.isNaN(c)) {
      cost += c;
      priced = true;
    }
  });
  const root = trace.roots[0];
  return {
    traceId: trace.traceId,
    rootName: root !== undefined ? (trace.spans[root]?.name ?? '') : '',
    services,
    spanCount: trace.spans.length,
    errorCount,
    startTimeUnixNano: trace.startNs.toString(),
    durationMs: Number(trace.endNs - trace.startNs) / 1e6,
    tokens,
    costUsd: priced ? cost : null,
    models: [...models].sort(),
  };
}

export function totalsOf(summaries: readonly TraceSummary[]): TraceTotals {
  const tokens = zeroUsage();
  const models = new Set<string>();
  const services = new Set<string>();
  let spanCount = 0;
  let errorCount = 0;
  let cost: number | null = null;
  for (const s of summaries) {
    spanCount += s.spanCount;
    errorCount += s.errorCount;
    addUsage(tokens, s.tokens);
    if (s.costUsd !== null) cost = (cost ?? 0) + s.costUsd;
    for (const m of s.models) models.add(m);
    for (const v of s.services) services.add(v);
  }
  return { traces: summaries.length, spans: spanCount, errors: errorCount, tokens, costUsd: cost, models: [...models].sort(), services: [...services].sort() };
}
