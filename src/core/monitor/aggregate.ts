/**
 * Figures over CallRecords: the summary (report head, dashboard cards), groups by a dimension
 * (cost by user / project / model / agent), time series (charts), latency per model and per
 * operation, anomaly markers and 7/30-day trends. Everything here is pure: plain records in, plain
 * data out, no clock (pass `now`), no I/O; the dashboard, the report and the alerts share it.
 *
 * Conventions, the same in every function:
 * - "requests" are model calls (kind `llm` or `embedding`, see isModelCall); tokens, cost, errors
 *   and the latency percentiles are theirs. Agent and tool spans only feed latency per operation.
 * - A call belongs to the window, or to the bucket, in which it ENDED (`endMs`): a call is counted
 *   once it has a result, and a long call is never counted twice.
 * - Percentiles are nearest-rank (otlp/stats.ts `percentile`), exact over the calls.
 * - Times are epoch milliseconds.
 */
import { percentile } from '../otlp/stats';
import { isModelCall } from './calls';
import type { CallRecord, Dimension, LatencyPercentiles, Summary } from './types';

export { isModelCall } from './calls';

/** A time range in epoch ms. Summaries include both ends; buckets are half-open `[startMs, endMs)`. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** Where to find the call behind a figure: "click a point → open the traces". */
export interface CallRef {
  traceId: string;
  spanId: string;
  file?: string;
  line?: number;
}

/** The most refs kept per point or group: enough to open, small enough to post to a webview. */
export const maxRefs = 20;

const sortedOf = (values: readonly number[]): Float64Array => Float64Array.from(values).sort();

function percentilesOf(durations: readonly number[]): LatencyPercentiles {
  if (durations.length === 0) return { p50: 0, p95: 0, p99: 0 };
  const s = sortedOf(durations);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

const inWindow = (c: CallRecord, w: TimeWindow): boolean => c.endMs >= w.startMs && c.endMs <= w.endMs;

/** The calls that ended in `window` (both ends included); all of them without a window. */
export function callsInWindow(calls: readonly CallRecord[], window?: TimeWindow): CallRecord[] {
  return window ? calls.filter((c) => inWindow(c, window)) : [...calls];
}

/**
 * The summary of the model calls that ended in `window` (all calls when absent). The window
 * reported is the one given, else first start to last end of the calls (the epoch when there are
 * none). Latency percentiles are 0 when there are no requests (`requests` says so).
 */
export function summarize(calls: readonly CallRecord[], window?: TimeWindow): Summary {
  let requests = 0;
  let errors = 0;
  let input = 0;
  let output = 0;
  let cost = 0;
  const durations: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const c of calls) {
    if (window && !inWindow(c, window)) continue;
    if (!window) {
      first = Math.min(first, c.startMs);
      last = Math.max(last, c.endMs);
    }
    if (!isModelCall(c)) continue;
    requests++;
    if (c.error) errors++;
    input += c.inputTokens;
    output += c.outputTokens;
    if (c.costUsd !== undefined) cost += c.costUsd;
    durations.push(c.durationMs);
  }
  const w = window ?? (Number.isFinite(first) ? { startMs: first, endMs: last } : { startMs: 0, endMs: 0 });
  return {
    window: { start: new Date(w.startMs).toISOString(), end: new Date(w.endMs).toISOString() },
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    latencyMs: percentilesOf(durations),
    tokens: { input, output },
    costUsd: cost,
  };
}

// ── groups ──────────────────────────────────────────────────────────────────

/** One group of `groupBy`: the summary's figures without the window, plus refs to its calls. */
export interface GroupStats {
  requests: number;
  errors: number;
  /** 0–1. */
  errorRate: number;
  tokens: { input: number; output: number };
  costUsd: number;
  /** Latency percentiles of the group's requests, ms (0 when none). */
  latencyMs: LatencyPercentiles;
  /** Up to maxRefs calls of the group, errors first, then the slowest. */
  refs: CallRef[];
}

/** The key of calls without a value for the dimension. */
export const noValue = '(none)';

/** The value of a dimension on a call (`noValue` when it has none). */
export function dimensionValue(c: CallRecord, dim: Dimension): string {
  return c[dim] ?? noValue;
}

/**
 * The model calls grouped by `dim` (user, project, model, agent, operation, version, session),
 * each group summarised; calls without the attribute go to `(none)`. The groups' requests, tokens
 * and cost add up to summarize()'s. Keys in descending cost, then requests, then name.
 */
export function groupBy(calls: readonly CallRecord[], dim: Dimension): Record<string, GroupStats> {
  const groups = new Map<string, CallRecord[]>();
  for (const c of calls) {
    if (!isModelCall(c)) continue;
    const k = dimensionValue(c, dim);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  const rows = [...groups.entries()].map(([k, g]) => [k, groupStats(g)] as const);
  rows.sort((a, b) => b[1].costUsd - a[1].costUsd || b[1].requests - a[1].requests || a[0].localeCompare(b[0]));
  const out: Record<string, GroupStats> = {};
  for (const [k, s] of rows) out[k] = s;
  return out;
}

function groupStats(calls: readonly CallRecord[]): GroupStats {
  let errors = 0;
  let input = 0;
  let output = 0;
  let cost = 0;
  for (const c of calls) {
    if (c.error) errors++;
    input += c.inputTokens;
    output += c.outputTokens;
    if (c.costUsd !== undefined) cost += c.costUsd;
  }
  return {
    requests: calls.length,
    errors,
    errorRate: calls.length > 0 ? errors / calls.length : 0,
    tokens: { input, output },
    costUsd: cost,
    latencyMs: percentilesOf(calls.map((c) => c.durationMs)),
    refs: refsOf(calls),
  };
}

/** Up to maxRefs refs, errors first, then the slowest: the calls worth opening. */
export function refsOf(calls: readonly CallRecord[], max = maxRefs): CallRef[] {
  return [...calls]
    .sort((a, b) => Number(b.error) - Number(a.error) || b.durationMs - a.durationMs || a.startMs - b.startMs)
    .slice(0, max)
    .map(refOf);
}

function refOf(c: CallRecord): CallRef {
  const r: CallRef = { traceId: c.traceId, spanId: c.spanId };
  if (c.file !== undefined) r.file = c.file;
  if (c.line !== undefined) r.line = c.line;
  return r;
}

// ── latency per model and per operation ─────────────────────────────────────

export interface LatencyRow extends LatencyPercentiles {
  /** The model, or the operation. */
  key: string;
  count: number;
  errors: number;
  maxMs: number;
}

function latencyRows(calls: readonly CallRecord[], keyOf: (c: CallRecord) => string | undefined): LatencyRow[] {
  const groups = new Map<string, { d: number[]; errors: number }>();
  for (const c of calls) {
    const k = keyOf(c);
    if (k === undefined) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { d: [], errors: 0 }));
    g.d.push(c.durationMs);
    if (c.error) g.errors++;
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, count: g.d.length, errors: g.errors, maxMs: Math.max(...g.d), ...percentilesOf(g.d) }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Latency percentiles of the model calls per model (calls without a model are left out); most calls first. */
export function latencyByModel(calls: readonly CallRecord[]): LatencyRow[] {
  return latencyRows(calls, (c) => (isModelCall(c) ? c.model : undefined));
}

/** Latency percentiles per operation over every kind (chat, embeddings, invoke_agent, execute_tool, …); most calls first. */
export function latencyByOperation(calls: readonly CallRecord[]): LatencyRow[] {
  return latencyRows(calls, (c) => c.operation);
}

// ── time series ─────────────────────────────────────────────────────────────

export interface TimeSeriesOptions {
  start: number;
  end: number;
  /** Bucket width in ms (> 0). A range of more than 10,000 buckets is refused (RangeError). */
  bucketMs: number;
}

/** One bucket `[startMs, endMs)` of a time series (the last one also holds calls ending exactly at `end`). */
export interface TimeSeriesPoint {
  startMs: number;
  endMs: number;
  requests: number;
  errors: number;
  /** 0–1; null without requests (a gap in a chart, not a 0%). */
  errorRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Requests per second and (input + output) tokens per second over the bucket. */
  requestsPerSec: number;
  tokensPerSec: number;
  /** Latency percentiles in ms of the bucket's requests; null without requests. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** The most model calls in flight at once during the bucket (an interval sweep over every request, whatever its bucket). */
  maxConcurrent: number;
  /** Up to maxRefs calls behind the point, errors first, then the slowest. */
  refs: CallRef[];
}

/** The numeric fields of a point, for anomalies(). */
export type PointField = 'requests' | 'errors' | 'errorRate' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'requestsPerSec' | 'tokensPerSec' | 'p50' | 'p95' | 'p99' | 'maxConcurrent';

const maxBuckets = 10_000;

/** Buckets of `bucketMs` from `start` to `end` over the model calls; a call goes to the bucket it ended in. */
export function timeSeries(calls: readonly CallRecord[], options: TimeSeriesOptions): TimeSeriesPoint[] {
  const { start, end, bucketMs } = options;
  if (!(bucketMs > 0) || !Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('timeSeries: start and end must be finite and bucketMs positive');
  if (end <= start) return [];
  const n = Math.ceil((end - start) / bucketMs);
  if (n > maxBuckets) throw new RangeError(`timeSeries: ${n} buckets, more than ${maxBuckets}; use a wider bucket`);
  const members: CallRecord[][] = Array.from({ length: n }, () => []);
  const requests = calls.filter(isModelCall);
  for (const c of requests) {
    if (c.endMs < start || c.endMs > end) continue;
    const i = Math.min(n - 1, Math.floor((c.endMs - start) / bucketMs));
    (members[i] as CallRecord[]).push(c);
  }
  const concurrency = maxConcurrentPerBucket(requests, start, bucketMs, n);
  return members.map((m, i) => {
    const s = start + i * bucketMs;
    const e = Math.min(end, s + bucketMs);
    let errors = 0;
    let input = 0;
    let output = 0;
    let cost = 0;
    for (const c of m) {
      if (c.error) errors++;
      input += c.inputTokens;
      output += c.outputTokens;
      if (c.costUsd !== undefined) cost += c.costUsd;
    }
    const seconds = (e - s) / 1000;
    const p = m.length > 0 ? percentilesOf(m.map((c) => c.durationMs)) : undefined;
    return {
      startMs: s,
      endMs: e,
      requests: m.length,
      errors,
      errorRate: m.length > 0 ? errors / m.length : null,
      inputTokens: input,
      outputTokens: output,
      costUsd: cost,
      requestsPerSec: seconds > 0 ? m.length / seconds : 0,
      tokensPerSec: seconds > 0 ? (input + output) / seconds : 0,
      p50: p ? p.p50 : null,
      p95: p ? p.p95 : null,
      p99: p ? p.p99 : null,
      maxConcurrent: concurrency[i] as number,
      refs: refsOf(m),
    };
  });
}

/**
 * Sweep over start (+1) and end (−1) events: the peak of calls in flight in each bucket. Intervals
 * are half-open `[start, end)`, so a call ending when another starts does not overlap it.
 */
function maxConcurrentPerBucket(calls: readonly CallRecord[], start: number, bucketMs: number, n: number): Int32Array {
  const events: [number, number][] = [];
  for (const c of calls) {
    if (c.endMs <= c.startMs) continue;
    events.push([c.startMs, 1], [c.endMs, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Int32Array(n);
  let level = 0;
  let j = 0;
  // Events before the series: only the level they leave matters.
  while (j < events.length && (events[j] as [number, number])[0] < start) level += (events[j++] as [number, number])[1];
  for (let bucket = 0; bucket < n; bucket++) {
    const bEnd = start + (bucket + 1) * bucketMs;
    let peak = level;
    while (j < events.length && (events[j] as [number, number])[0] < bEnd) {
      level += (events[j++] as [number, number])[1];
      if (level > peak) peak = level;
    }
    out[bucket] = peak;
  }
  return out;
}

// ── anomalies ───────────────────────────────────────────────────────────────

/** The median of finite values (NaN when none). */
export function median(values: readonly number[]): number {
  const s = sortedOf(values.filter((v) => Number.isFinite(v)));
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * Robust z-scores (Iglewicz & Hoaglin's modified z): 0.6745 · (x − median) / MAD, where MAD is the
 * median absolute deviation; the median and MAD are not dragged by the outliers they look for, as
 * a mean and standard deviation are. When MAD is 0 (more than half the values equal), the mean
 * absolute deviation stands in: (x − median) / (1.253314 · meanAD). All 0 when every value is the
 * same. A null or non-finite value gets NaN and is left out of the median.
 */
export function robustZ(values: readonly (number | null)[]): number[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const m = median(finite);
  const mad = median(finite.map((v) => Math.abs(v - m)));
  let scale: number;
  if (mad > 0) scale = mad / 0.6745;
  else {
    const meanAd = finite.length > 0 ? finite.reduce((s, v) => s + Math.abs(v - m), 0) / finite.length : 0;
    scale = 1.253314 * meanAd;
  }
  return values.map((v) => (v === null || !Number.isFinite(v) ? NaN : scale > 0 ? (v - m) / scale : 0));
}

export interface Anomaly {
  /** The index of the point in the series. */
  index: number;
  startMs: number;
  value: number;
  z: number;
}

/** The points whose `field` has |robust z| above `threshold` (3.5, Iglewicz & Hoaglin's cut-off). */
export function anomalies(points: readonly TimeSeriesPoint[], field: PointField, threshold = 3.5): Anomaly[] {
  const values = points.map((p) => p[field]);
  const z = robustZ(values);
  const out: Anomaly[] = [];
  z.forEach((zi, i) => {
    const v = values[i];
    if (Number.isFinite(zi) && Math.abs(zi) > threshold && v !== null && v !== undefined) out.push({ index: i, startMs: (points[i] as TimeSeriesPoint).startMs, value: v, z: zi });
  });
  return out;
}

// ── trends ──────────────────────────────────────────────────────────────────

const dayMs = 86_400_000;

export interface TrendOptions {
  /** The clock (epoch ms); default Date.now(). Pass it for reproducible results. */
  now?: number;
  /** Minutes east of UTC of the days' boundaries (e.g. 120 for UTC+2); default 0 (UTC days). */
  utcOffsetMinutes?: number;
}

/**
 * One point per day over the last `days` days, today included: the day buckets start at midnight
 * (UTC, or the given offset) and today's bucket ends at the next midnight.
 */
export function trend(calls: readonly CallRecord[], days: 7 | 30, options: TrendOptions = {}): TimeSeriesPoint[] {
  const now = options.now ?? Date.now();
  const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
  const todayStart = Math.floor((now + offset) / dayMs) * dayMs - offset;
  const start = todayStart - (days - 1) * dayMs;
  return timeSeries(calls, { start, end: todayStart + dayMs, bucketMs: dayMs });
}
