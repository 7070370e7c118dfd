import type { PriceTable } from '../tokens/pricing/priceTable';
import type {
  KeyValueRow,
  SearchQuery,
  SpanDetail,
  SpanRow,
  TraceListItem,
  TraceViewerToWebview,
  WireDiagnostic,
  WireLatencyStats,
  WireMessage,
  WireModelStats,
  WireOperationStats,
  WireTraceDiff,
  WireUnmatchedSpan,
} from '../../shared/traceViewerProtocol';
import { compareTraces, type TraceDiff, type UnmatchedSpan } from './compare';
import { criticalPath } from './criticalPath';
import { normalizeGenAi, type GenAiPart, type GenAiSpan } from './genai';
import type { AttrValue, Attributes, Span, Trace, TraceSet } from './model';
import { spanCosts, summarizeTrace, type TraceSummary } from './rollup';
import { mostExpensiveLlmSpan, searchSpans, slowestSpan } from './search';
import { modelStats, operationStats, type LatencyStats } from './stats';

/** Attribute values as display text: strings as they are, everything else as JSON (bigint-safe). */
export function valueText(value: AttrValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function keyValues(attributes: Attributes): KeyValueRow[] {
  return Object.keys(attributes)
    .sort()
    .map((key) => ({ key, value: valueText(attributes[key] ?? null) }));
}

/** Milliseconds between two nanosecond instants, as a float. */
export function msBetween(fromNs: bigint, toNs: bigint): number {
  return Number(toNs - fromNs) / 1e6;
}

export function epochMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

/** The span as JSON for "Copy as JSON": bigints become decimal strings, the resource is inlined. */
export function spanJson(span: Span): string {
  return JSON.stringify(span, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
}

/** Depth of every span in its trace's tree (roots and orphans at 0), without recursion. */
export function depths(trace: Trace): Int32Array {
  const depth = new Int32Array(trace.spans.length).fill(-1);
  const stack: number[] = [...trace.roots].reverse();
  for (const r of trace.roots) depth[r] = 0;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    for (const c of trace.children[i] ?? []) {
      depth[c] = (depth[i] ?? 0) + 1;
      stack.push(c);
    }
  }
  for (let i = 0; i < depth.length; i++) if (depth[i] === -1) depth[i] = 0;
  return depth;
}

/** `code.filepath`/`code.lineno` (older) or `code.file.path`/`code.line.number` (current semantic conventions). */
export function codeLocation(attributes: Attributes): { file: string; line: number } | undefined {
  const file = attributes['code.file.path'] ?? attributes['code.filepath'];
  const line = attributes['code.line.number'] ?? attributes['code.lineno'];
  if (typeof file !== 'string' || file === '') return undefined;
  const n = typeof line === 'number' ? line : typeof line === 'string' ? Number(line) : 1;
  return { file, line: Number.isFinite(n) && n > 0 ? Math.floor(n) : 1 };
}

// ---------------------------------------------------------------------------
// Statistics and comparisons as wire data. Fields are copied one by one, so a field added to the core's
// types does not reach the webview (or the JSON of postMessage) unnoticed.

export function wireLatency(s: LatencyStats): WireLatencyStats {
  return {
    count: s.count,
    errorCount: s.errorCount,
    errorRate: s.errorRate,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    meanMs: s.meanMs,
    totalMs: s.count * s.meanMs,
    tokens: { ...s.tokens },
    costUsd: s.costUsd,
  };
}

/**
 * The comparison the webview shows: matched spans with the largest duration change first (ties keep a's tree
 * order, as Array.prototype.sort is stable), unmatched spans in tree order with their own duration.
 */
export function wireDiff(diff: TraceDiff, a: Trace, b: Trace): WireTraceDiff {
  const unmatched = (trace: Trace, u: UnmatchedSpan): WireUnmatchedSpan => {
    const span = trace.spans[u.span];
    return { path: u.path, span: u.span, durationMs: span ? msBetween(span.startNs, span.endNs) : 0, error: span?.status.code === 'error' };
  };
  return {
    matched: diff.matched
      .map((m) => ({ path: m.path, depth: m.depth, a: { ...m.a }, b: { ...m.b }, durationDeltaMs: m.durationDeltaMs, tokensDelta: m.tokensDelta, costDeltaUsd: m.costDeltaUsd }))
      .sort((x, y) => Math.abs(y.durationDeltaMs) - Math.abs(x.durationDeltaMs)),
    onlyInA: diff.onlyInA.map((u) => unmatched(a, u)),
    onlyInB: diff.onlyInB.map((u) => unmatched(b, u)),
    durationDeltaMs: diff.durationDeltaMs,
    tokensDelta: diff.tokensDelta,
    costDeltaUsd: diff.costDeltaUsd,
  };
}

// ---------------------------------------------------------------------------
// The view model the trace viewer's webview is fed from (converted to wire types here, in the lazy bundle).

export class TraceViewModel {
  private readonly byId = new Map<string, Trace>();
  private readonly summaries = new Map<string, TraceSummary>();
  private readonly costs = new Map<string, Float64Array>();
  private readonly genai = new Map<string, (GenAiSpan | undefined)[]>();
  private statsCache: { operations: WireOperationStats[]; models: WireModelStats[] } | undefined;

  constructor(
    readonly set: TraceSet,
    private readonly prices: PriceTable,
  ) {
    for (const t of set.traces) this.byId.set(t.traceId, t);
  }

  list(): TraceListItem[] {
    return this.set.traces.map((t) => {
      const s = this.summary(t);
      return {
        traceId: s.traceId,
        rootName: s.rootName,
        services: s.services,
        spanCount: s.spanCount,
        errorCount: s.errorCount,
        startMs: epochMs(t.startNs),
        durationMs: s.durationMs,
        tokens: s.tokens,
        costUsd: s.costUsd,
        models: s.models,
      };
    });
  }

  diagnostics(): WireDiagnostic[] {
    return this.set.diagnostics.map((d) => ({ file: d.file, ...(d.line !== undefined ? { line: d.line } : {}), severity: d.severity, message: d.message }));
  }

  trace(traceId: string): Extract<TraceViewerToWebview, { type: 'trace' }> | undefined {
    const trace = this.byId.get(traceId);
    if (!trace) return undefined;
    const depth = depths(trace);
    const costs = this.spanCosts(trace);
    const orphans = new Set(trace.orphans);
    const spans: SpanRow[] = trace.spans.map((span, index) => {
      const g = this.genAi(trace, index);
      const cost = costs[index];
      const tokens = g?.usage ? g.usage.input + g.usage.output : undefined;
      const model = g?.responseModel ?? g?.requestModel;
      return {
        index,
        parent: trace.parent[index] ?? -1,
        depth: depth[index] ?? 0,
        name: span.name,
        service: span.resource.serviceName,
        startMs: msBetween(trace.startNs, span.startNs),
        durationMs: msBetween(span.startNs, span.endNs),
        status: span.status.code,
        type: g?.type ?? 'other',
        childCount: trace.children[index]?.length ?? 0,
        orphan: orphans.has(index),
        ...(tokens !== undefined && tokens > 0 ? { tokens } : {}),
        ...(cost !== undefined && !Number.isNaN(cost) ? { costUsd: cost } : {}),
        ...(model ? { model } : {}),
      };
    });
    const slowest = slowestSpan(trace, 'self');
    const mostExpensive = mostExpensiveLlmSpan(trace, this.prices);
    return {
      type: 'trace',
      traceId,
      spans,
      criticalPath: criticalPath(trace),
      ...(slowest !== undefined ? { slowest } : {}),
      ...(mostExpensive !== undefined ? { mostExpensive } : {}),
    };
  }

  detail(traceId: string, index: number): SpanDetail | undefined {
    const trace = this.byId.get(traceId);
    const span = trace?.spans[index];
    if (!trace || !span) return undefined;
    const g = this.genAi(trace, index);
    const cost = this.spanCosts(trace)[index];
    const code = codeLocation(span.attributes);
    return {
      index,
      traceId,
      spanId: span.spanId,
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
      name: span.name,
      kind: span.kind,
      service: span.resource.serviceName,
      scope: span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name,
      startTime: new Date(epochMs(span.startNs)).toISOString(),
      durationMs: msBetween(span.startNs, span.endNs),
      status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
      attributes: keyValues(span.attributes),
      resource: keyValues(span.resource.attributes),
      events: span.events.map((e) => ({ name: e.name, offsetMs: msBetween(span.startNs, e.timeNs), attributes: keyValues(e.attributes) })),
      links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes) })),
      logs: span.logs.map((l) => ({
        offsetMs: msBetween(span.startNs, l.timeNs),
        severity: l.severityText ?? (l.severityNumber !== undefined ? String(l.severityNumber) : ''),
        body: l.eventName ? `${l.eventName}: ${valueText(l.body)}` : valueText(l.body),
        attributes: keyValues(l.attributes),
      })),
      ...(g && g.type !== 'other' ? { genai: this.genAiDetail(trace, g, cost) } : {}),
      ...(code ? { code } : {}),
      source: span.source,
      json: spanJson(span),
    };
  }

  /** The index of a span in its trace's rows (the order the waterfall shows), for "reveal this span". */
  spanIndex(traceId: string, spanId: string): number | undefined {
    const i = this.byId.get(traceId)?.spans.findIndex((s) => s.spanId === spanId) ?? -1;
    return i >= 0 ? i : undefined;
  }

  search(traceId: string, query: SearchQuery): number[] {
    const trace = this.byId.get(traceId);
    return trace ? searchSpans(trace, query) : [];
  }

  /** Per operation and per model over every trace of the file; computed once, as the file's model is immutable. */
  stats(): { operations: WireOperationStats[]; models: WireModelStats[] } {
    this.statsCache ??= {
      operations: operationStats(this.set.traces, this.prices).map((o) => ({ name: o.name, service: o.service, ...wireLatency(o) })),
      models: modelStats(this.set.traces, this.prices).map((m) => ({ model: m.model, providers: [...m.providers], ...wireLatency(m) })),
    };
    return this.statsCache;
  }

  /** b against a; undefined when either trace is not in the file. */
  compare(a: string, b: string): WireTraceDiff | undefined {
    const ta = this.byId.get(a);
    const tb = this.byId.get(b);
    return ta && tb ? wireDiff(compareTraces(ta, tb, this.prices), ta, tb) : undefined;
  }

  private genAiDetail(trace: Trace, g: GenAiSpan, cost: number | undefined): NonNullable<SpanDetail['genai']> {
    // Tool calls requested by the model, paired with the tool span that ran them (by call id).
    const toolSpans = new Map<string, number>();
    trace.spans.forEach((_s, i) => {
      const id = this.genAi(trace, i)?.tool?.callId;
      if (id) toolSpans.set(id, i);
    });
    const messages: WireMessage[] = [];
    if (g.systemInstructions) messages.push({ direction: 'system', role: 'system', parts: [{ kind: 'text', text: g.systemInstructions }] });
    for (const [direction, list] of [
      ['input', g.inputMessages ?? []],
      ['output', g.outputMessages ?? []],
    ] as const) {
      for (const m of list) messages.push({ direction, role: m.role, parts: m.parts.map((p) => wirePart(p, toolSpans)) });
    }
    return {
      type: g.type,
      ...(g.provider ? { provider: g.provider } : {}),
      ...(g.requestModel ? { requestModel: g.requestModel } : {}),
      ...(g.responseModel ? { responseModel: g.responseModel } : {}),
      ...(g.usage ? { tokens: g.usage } : {}),
      ...(cost !== undefined && !Number.isNaN(cost) ? { costUsd: cost } : {}),
      ...(g.reportedCostUsd !== undefined ? { costNote: 'cost reported by the span itself' } : {}),
      ...(g.finishReasons ? { finishReasons: g.finishReasons } : {}),
      contentCaptured: g.contentCaptured,
      messages,
      ...(g.tool ? { tool: g.tool } : {}),
    };
  }

  private summary(trace: Trace): TraceSummary {
    let s = this.summaries.get(trace.traceId);
    if (!s) {
      s = summarizeTrace(trace, this.prices);
      this.summaries.set(trace.traceId, s);
    }
    return s;
  }

  private spanCosts(trace: Trace): Float64Array {
    let c = this.costs.get(trace.traceId);
    if (!c) {
      c = spanCosts(trace, this.prices);
      this.costs.set(trace.traceId, c);
    }
    return c;
  }

  private genAi(trace: Trace, index: number): GenAiSpan | undefined {
    let list = this.genai.get(trace.traceId);
    if (!list) {
      list = new Array<GenAiSpan | undefined>(trace.spans.length);
      this.genai.set(trace.traceId, list);
    }
    const span = trace.spans[index];
    if (list[index] === undefined && span) list[index] = normalizeGenAi(span);
    return list[index];
  }
}

function wirePart(part: GenAiPart, toolSpans: Map<string, number>): WireMessage['parts'][number] {
  switch (part.type) {
    case 'text':
      return { kind: 'text', text: part.content };
    case 'tool_call': {
      const span = part.id ? toolSpans.get(part.id) : undefined;
      return { kind: 'tool_call', text: part.arguments ?? '', toolName: part.name, ...(part.id ? { toolCallId: part.id } : {}), ...(span !== undefined ? { toolSpan: span } : {}) };
    }
    case 'tool_call_response':
      return { kind: 'tool_result', text: part.result ?? '', ...(part.id ? { toolCallId: part.id } : {}) };
    default:
      return { kind: 'other', text: part.content };
  }
}
