import { costDimensions, type CostBar, type CostDimension, type DashboardData, type DashboardSeries, type LatencyRow, type TimeChart, type Trend } from '../../shared/dashboardProtocol';
import { anomalies, groupBy, isModelCall, latencyByModel, latencyByOperation, refsOf, summarize, timeSeries, trend, type CallRef, type PointField, type TimeSeriesPoint } from './aggregate';
import type { DashboardModel, UpdateRequest } from './dashboardSession';
import { boundsOf, topWithRest, windowFor } from './dashboardView';
import type { CallRecord } from './types';

/**
 * CallRecords → what the dashboard shows, through aggregate.ts only (so the dashboard, the report and the
 * alerts agree): the cards, the time charts over the chosen range, their anomaly markers, cost by user,
 * project, agent and model, latency per model and per operation, and the 7- and 30-day trends.
 */

/** Bars per cost chart: the rest are summed into one "other" bar. */
export const maxBars = 12;
/** The key of that bar. */
export const otherKey = '(other)';

/** Which point field each time chart's anomaly markers are computed on. */
const anomalyField: Record<TimeChart, PointField> = {
  requests: 'requestsPerSec',
  tokens: 'tokensPerSec',
  latency: 'p95',
  errorRate: 'errorRate',
  concurrent: 'maxConcurrent',
  cost: 'costUsd',
};

export function buildDashboard(calls: readonly CallRecord[], request: UpdateRequest, meta: { files: number; problems: number }): DashboardModel {
  const { view } = request;
  const bounds = boundsOf(calls);
  const w = windowFor(view.range, bounds, request.nowMs, request.live);
  const window = { startMs: w.startMs, endMs: w.endMs };
  const inWindow = calls.filter((c) => c.endMs >= window.startMs && c.endMs <= window.endMs);
  const summary = summarize(inWindow, window);
  const points = timeSeries(inWindow, { start: w.startMs, end: w.endMs, bucketMs: w.bucketMs });

  const filter = view.latency;
  const latencyCalls = filter.kind === 'all' ? inWindow : inWindow.filter((c) => (filter.kind === 'model' ? c.model === filter.key : c.operation === filter.key));
  // Per operation includes agent and tool spans (latencyByOperation does), which timeSeries leaves out: treat them as requests here.
  const latencyPoints = filter.kind === 'operation' ? timeSeries(latencyCalls.map(asRequest), { start: w.startMs, end: w.endMs, bucketMs: w.bucketMs }) : filter.kind === 'all' ? points : timeSeries(latencyCalls, { start: w.startMs, end: w.endMs, bucketMs: w.bucketMs });

  const series: DashboardSeries = {
    t: points.map((p) => p.startMs),
    requestsPerSecond: points.map((p) => p.requestsPerSec),
    inputTokensPerSecond: points.map((p) => perSecond(p.inputTokens, p)),
    outputTokensPerSecond: points.map((p) => perSecond(p.outputTokens, p)),
    p50: latencyPoints.map((p) => p.p50),
    p95: latencyPoints.map((p) => p.p95),
    p99: latencyPoints.map((p) => p.p99),
    errorRate: points.map((p) => p.errorRate),
    concurrent: points.map((p) => p.maxConcurrent),
    costUsd: points.map((p) => p.costUsd),
  };
  const anomalyIndices: Partial<Record<TimeChart, number[]>> = {};
  // Buckets before the first call hold no data yet, not a drop to zero, and a last bucket still in progress
  // holds part of its calls: neither is scored.
  const firstScored = bounds.firstMs === undefined ? 0 : Math.max(0, Math.floor((bounds.firstMs - w.startMs) / w.bucketMs));
  const last = points[points.length - 1];
  const endScored = last && last.endMs - last.startMs < w.bucketMs ? points.length - 1 : points.length;
  for (const chart of Object.keys(anomalyField) as TimeChart[]) {
    const scored = (chart === 'latency' ? latencyPoints : points).slice(firstScored, endScored);
    const found = anomalies(scored, anomalyField[chart]).map((a) => a.index + firstScored);
    if (found.length > 0) anomalyIndices[chart] = found;
  }

  const costBy = {} as Record<CostDimension, CostBar[]>;
  const barRefs = {} as Record<CostDimension, Record<string, CallRef[]>>;
  for (const dim of costDimensions) {
    const groups = groupBy(inWindow, dim);
    const rows = Object.entries(groups).map(([key, g]) => ({ key, costUsd: g.costUsd, requests: g.requests }));
    costBy[dim] = topWithRest(rows, maxBars, (r) => r.costUsd, (rest) => ({ key: otherKey, costUsd: sum(rest, (r) => r.costUsd), requests: sum(rest, (r) => r.requests) }));
    const refs: Record<string, CallRef[]> = {};
    for (const [key, g] of Object.entries(groups)) refs[key] = g.refs;
    const shown = new Set(costBy[dim].map((b) => b.key));
    const rest = inWindow.filter((c) => isModelCall(c) && !shown.has(c[dim] ?? '(none)'));
    if (shown.has(otherKey)) refs[otherKey] = refsOf(rest);
    barRefs[dim] = refs;
  }

  const latency: LatencyRow[] = [
    ...latencyByModel(inWindow).map((r) => ({ dimension: 'model' as const, key: r.key, count: r.count, errors: r.errors, p50: r.p50, p95: r.p95, p99: r.p99 })),
    ...latencyByOperation(inWindow).map((r) => ({ dimension: 'operation' as const, key: r.key, count: r.count, errors: r.errors, p50: r.p50, p95: r.p95, p99: r.p99 })),
  ];

  // Trends look back from now while collecting, from the last stored call otherwise; over every call, not the range.
  const trendNow = request.live ? request.nowMs : (bounds.lastMs ?? request.nowMs);
  const trends: Trend[] = ([7, 30] as const).map((days) => ({
    days,
    points: trend(calls, days, { now: trendNow }).map((p) => ({ startMs: p.startMs, requests: p.requests, errorRate: p.errorRate, p95: p.p95, tokens: p.inputTokens + p.outputTokens, costUsd: p.costUsd })),
  }));

  const allRefs = points.map((p) => p.refs);
  const latencyRefs = latencyPoints.map((p) => p.refs);
  const data: DashboardData = {
    revision: request.revision,
    source: request.source,
    collecting: request.collecting,
    collectorRunning: request.collectorRunning,
    files: meta.files,
    window,
    bucketMs: w.bucketMs,
    cards: {
      requests: summary.requests,
      errors: summary.errors,
      errorRate: summary.errorRate,
      p50: summary.latencyMs.p50,
      p95: summary.latencyMs.p95,
      p99: summary.latencyMs.p99,
      inputTokens: summary.tokens.input,
      outputTokens: summary.tokens.output,
      costUsd: summary.costUsd,
    },
    series,
    anomalies: anomalyIndices,
    models: [...new Set(inWindow.filter(isModelCall).flatMap((c) => (c.model !== undefined ? [c.model] : [])))].sort(),
    operations: [...new Set(inWindow.map((c) => c.operation))].sort(),
    latency,
    costBy,
    trends,
    problems: meta.problems,
  };
  return {
    data,
    pointRefs: { requests: allRefs, tokens: allRefs, latency: latencyRefs, errorRate: allRefs, concurrent: allRefs, cost: allRefs },
    barRefs,
  };
}

function perSecond(value: number, p: TimeSeriesPoint): number {
  const seconds = (p.endMs - p.startMs) / 1000;
  return seconds > 0 ? value / seconds : 0;
}

function asRequest(c: CallRecord): CallRecord {
  return isModelCall(c) ? c : { ...c, kind: 'llm' };
}

function sum<T>(rows: readonly T[], value: (r: T) => number): number {
  return rows.reduce((n, r) => n + value(r), 0);
}
