import { promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { readTraceFiles } from '../../otlp/reader';
import type { Span, TraceSet } from '../../otlp/model';
import { substitute, type Guard, type GuardSource } from '../config';
import type { CheckVerdict } from '../ledger/types';

/**
 * Guard analysis: the candidate version's error rate (and optionally latency) from local OTLP trace
 * files or from Prometheus's HTTP API, judged against the environment's guard. No data — an empty
 * result, too few samples, a failed query — is `no-data`, never a pass (research/deploy.md 5.3, 5.4).
 */

/** What the engine asks for one check. */
export interface GuardRequest {
  deployId: string;
  environment: string;
  /** The candidate version whose traffic is judged. */
  version: string;
  /** The canary step index (0-based). */
  step: number;
  /** The candidate's weight while the check runs. */
  weight: number;
  /** The window of traffic judged: spans that ended in [since, until]. */
  since: Date;
  until: Date;
  signal?: AbortSignal;
}

/** One check's result. `rate` is errors / samples (0–1). */
export interface Verdict {
  verdict: CheckVerdict;
  samples?: number;
  errors?: number;
  rate?: number;
  latencyMs?: number;
  /** One line: what was measured against what, or why there is no data. */
  detail: string;
}

export type GuardFn = (request: GuardRequest) => Promise<Verdict>;

// ── the judgement, shared by both sources ───────────────────────────────────

/** Pass, breach or no-data from counts (OTLP): fewer than `minSamples` is no data. */
export function judgeCounts(guard: Guard, samples: number, errors: number, latencyMs?: number): Verdict {
  if (samples < guard.minSamples) {
    return { verdict: 'no-data', samples, errors, ...(samples > 0 ? { rate: errors / samples } : {}), detail: `${samples} span(s) of the version, fewer than minSamples ${guard.minSamples}` };
  }
  const rate = errors / samples;
  return judgeRate(guard, rate, latencyMs, { samples, errors }, `${errors}/${samples} spans with status ERROR`);
}

function judgeRate(guard: Guard, rate: number, latencyMs: number | undefined, counts: { samples?: number; errors?: number }, what: string): Verdict {
  const base = { ...counts, rate, ...(latencyMs !== undefined ? { latencyMs } : {}) };
  const pct = (x: number): string => `${(Math.round(x * 10_000) / 100).toString()}%`;
  if (rate > guard.maxErrorRate) return { verdict: 'breach', ...base, detail: `error rate ${pct(rate)} (${what}) above maxErrorRate ${pct(guard.maxErrorRate)}` };
  if (guard.maxLatency !== undefined && latencyMs !== undefined && latencyMs > guard.maxLatency) {
    return { verdict: 'breach', ...base, detail: `latency ${Math.round(latencyMs)}ms above maxLatency ${guard.maxLatency}ms` };
  }
  return {
    verdict: 'pass',
    ...base,
    detail: `error rate ${pct(rate)} (${what}) within maxErrorRate ${pct(guard.maxErrorRate)}${latencyMs !== undefined ? `, latency ${Math.round(latencyMs)}ms` : ''}`,
  };
}

// ── OTLP trace files ────────────────────────────────────────────────────────

export interface SpanCounts {
  samples: number;
  errors: number;
  /** P95 duration in ms of the matching root spans (one per request), when there are any. */
  p95Ms?: number;
}

/**
 * Counts the spans of `version` (the `versionAttribute` on the span, else on its resource) that ended
 * in [sinceNs, untilNs], and those with status ERROR among them.
 */
export function countSpans(spans: Iterable<{ span: Span; root: boolean }>, versionAttribute: string, version: string, sinceNs: bigint, untilNs: bigint): SpanCounts {
  let samples = 0;
  let errors = 0;
  const rootDurations: number[] = [];
  for (const { span, root } of spans) {
    if (span.endNs < sinceNs || span.endNs > untilNs) continue;
    const v = span.attributes[versionAttribute] ?? span.resource.attributes[versionAttribute];
    if (v === undefined || v === null || String(v) !== version) continue;
    samples++;
    if (span.status.code === 'error') errors++;
    if (root) rootDurations.push(Number(span.endNs - span.startNs) / 1e6);
  }
  const out: SpanCounts = { samples, errors };
  if (rootDurations.length > 0) {
    rootDurations.sort((a, b) => a - b);
    out.p95Ms = rootDurations[Math.min(rootDurations.length - 1, Math.ceil(0.95 * rootDurations.length) - 1)] as number;
  }
  return out;
}

const traceFile = /\.(json|jsonl|ndjson)(\.gz)?$/i;

/** The trace files of an OTLP source: `files` (a `*` / `?` in the file name part is a pattern) or every trace file in `dir`. */
export async function otlpSourceFiles(source: Extract<GuardSource, { type: 'otlp' }>, cwd: string): Promise<string[]> {
  const abs = (p: string): string => (isAbsolute(p) ? p : join(cwd, p));
  const out: string[] = [];
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await fsp.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    } catch {
      return [];
    }
  };
  for (const f of source.files ?? []) {
    const p = abs(f);
    const name = basename(p);
    if (/[*?]/.test(name)) {
      const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      for (const n of await list(dirname(p))) if (re.test(n)) out.push(join(dirname(p), n));
    } else {
      try {
        if ((await fsp.stat(p)).isFile()) out.push(p);
      } catch {
        // A file not written yet is no data, not an error.
      }
    }
  }
  if (source.dir !== undefined) for (const n of await list(abs(source.dir))) if (traceFile.test(n)) out.push(join(abs(source.dir), n));
  return [...new Set(out)];
}

/** A guard over local OTLP trace files (read afresh at each check). */
export function otlpGuard(guard: Guard, cwd: string): GuardFn {
  const source = guard.source;
  if (source.type !== 'otlp') throw new Error('otlpGuard needs an otlp guard source');
  return async (req) => {
    const files = await otlpSourceFiles(source, cwd);
    if (files.length === 0) return { verdict: 'no-data', samples: 0, errors: 0, detail: 'no trace files found' };
    let set: TraceSet;
    try {
      set = await readTraceFiles(files, req.signal ? { signal: req.signal } : {});
    } catch (err) {
      return { verdict: 'no-data', detail: `trace files unreadable: ${err instanceof Error ? err.message : String(err)}` };
    }
    function* all(): Generator<{ span: Span; root: boolean }> {
      for (const t of set.traces) for (let i = 0; i < t.spans.length; i++) yield { span: t.spans[i] as Span, root: t.parent[i] === -1 };
    }
    const ns = (d: Date): bigint => BigInt(d.getTime()) * 1_000_000n;
    const c = countSpans(all(), source.versionAttribute, req.version, ns(req.since), ns(req.until));
    return judgeCounts(guard, c.samples, c.errors, guard.maxLatency !== undefined ? c.p95Ms : undefined);
  };
}

// ── Prometheus ──────────────────────────────────────────────────────────────

/** One instant query's value: the largest sample of a vector, a scalar, or why there is none. */
export type PromValue = { ok: true; value: number; series: number } | { ok: false; reason: string };

/** Reads a Prometheus `/api/v1/query` answer. Empty vectors, NaN and errors are no value. */
export function parsePromResponse(body: unknown): PromValue {
  const b = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (!b || typeof b !== 'object') return { ok: false, reason: 'not a Prometheus API answer' };
  if (b.status !== 'success') return { ok: false, reason: `Prometheus error: ${typeof b.error === 'string' ? b.error : String(b.status)}` };
  const data = b.data;
  const num = (pair: unknown): number => (Array.isArray(pair) && pair.length === 2 && typeof pair[1] === 'string' ? Number(pair[1]) : Number.NaN);
  let values: number[];
  if (data?.resultType === 'scalar') values = [num(data.result)];
  else if (data?.resultType === 'vector' && Array.isArray(data.result)) values = data.result.map((s: { value?: unknown }) => num(s?.value));
  else return { ok: false, reason: `unsupported result type ${String(data?.resultType)} (use an instant vector or scalar query)` };
  if (values.length === 0) return { ok: false, reason: 'empty result (no traffic to the version?)' };
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { ok: false, reason: 'no finite value (NaN: no traffic to the version?)' };
  return { ok: true, value: Math.max(...finite), series: values.length };
}

async function promQuery(base: string, query: string, fetchFn: typeof fetch, signal: AbortSignal | undefined, timeoutMs: number): Promise<PromValue> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchFn(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { accept: 'application/json' } });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, reason: `HTTP ${res.status}: not JSON` };
    }
    const parsed = parsePromResponse(body);
    if (!res.ok && parsed.ok) return { ok: false, reason: `HTTP ${res.status}` };
    return parsed;
  } catch (err) {
    return { ok: false, reason: `query failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface PromGuardOptions {
  fetch?: typeof fetch;
  environ?: Readonly<Record<string, string | undefined>>;
  /** Per query; default 10 s. */
  timeoutMs?: number;
}

/**
 * A guard over Prometheus instant queries (`errorRate` gives the rate, 0–1; `latency` seconds).
 * Prometheus gives a rate, not counts, so `minSamples` cannot apply: write the query so that no
 * traffic gives an empty result or NaN (a 0/0), which is no data.
 */
export function prometheusGuard(guard: Guard, options: PromGuardOptions = {}): GuardFn {
  const source = guard.source;
  if (source.type !== 'prometheus') throw new Error('prometheusGuard needs a prometheus guard source');
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (req) => {
    const values = { version: req.version, weight: req.weight, env: req.environment, environ: options.environ ?? {} };
    const url = substitute(source.url, values, 'guard.source.url');
    const q = substitute(source.errorRate, values, 'guard.source.errorRate');
    if (!url.ok) return { verdict: 'no-data', detail: url.error };
    if (!q.ok) return { verdict: 'no-data', detail: q.error };
    const rate = await promQuery(url.value, q.value, fetchFn, req.signal, timeoutMs);
    if (!rate.ok) return { verdict: 'no-data', detail: `errorRate: ${rate.reason}` };
    let latencyMs: number | undefined;
    if (source.latency !== undefined && guard.maxLatency !== undefined) {
      const lq = substitute(source.latency, values, 'guard.source.latency');
      if (!lq.ok) return { verdict: 'no-data', detail: lq.error };
      const lat = await promQuery(url.value, lq.value, fetchFn, req.signal, timeoutMs);
      if (!lat.ok) return { verdict: 'no-data', rate: rate.value, detail: `latency: ${lat.reason}` };
      latencyMs = lat.value * 1000;
    }
    return judgeRate(guard, rate.value, latencyMs, {}, `Prometheus, ${rate.series} series`);
  };
}

/** The guard function of an environment's guard section. */
export function createGuard(guard: Guard, ctx: { cwd: string } & PromGuardOptions): GuardFn {
  return guard.source.type === 'otlp' ? otlpGuard(guard, ctx.cwd) : prometheusGuard(guard, ctx);
}
