/**
 * Drift between two sets of CallRecords (before/after a deploy, version A vs B, last week vs this
 * week): the input and output token lengths and the latency of the model calls compared with PSI
 * and the two-sample Kolmogorov–Smirnov test; the tool-usage mix, the finish reasons and the error
 * types compared with a categorical PSI. Pure functions.
 *
 * PSI (population stability index) = Σ (a − e) · ln(a / e) over bins, e the baseline's share of a
 * bin and a the current one's. The numeric bins are the baseline's deciles (so each holds about a
 * tenth of it; tied edges merge, token counts have many ties); an empty bin's share is epsilon, so
 * the logarithm stays finite. Customary reading: below 0.1 no shift, 0.1–0.2 moderate, above 0.2
 * drift. KS looks at the largest gap between the two empirical CDFs; its p-value is the asymptotic
 * Kolmogorov distribution with Stephens' small-sample correction (Numerical Recipes §14.3).
 */
import { isModelCall } from './calls';
import { defaultDriftThresholds, type DriftThresholds } from './config';
import type { CallRecord } from './types';
import { percentile } from '../otlp/stats';

export type DriftLevel = 'none' | 'moderate' | 'drift' | 'no-data';

export interface PsiBin {
  /** The bin is (lower, upper]; the first has lower −Infinity, the last upper +Infinity (null in JSON). */
  lower: number;
  upper: number;
  /** Shares (0–1) before epsilon. */
  expected: number;
  actual: number;
}

export interface PsiResult {
  psi: number;
  bins: PsiBin[];
}

export const defaultEpsilon = 1e-4;

const psiTerm = (a: number, e: number, eps: number): number => {
  const aa = Math.max(a, eps);
  const ee = Math.max(e, eps);
  return (aa - ee) * Math.log(aa / ee);
};

/**
 * PSI of `current` against `baseline` over `bins` quantile bins of the baseline (default 10).
 * NaN when either side is empty.
 */
export function psi(baseline: readonly number[], current: readonly number[], options: { bins?: number; epsilon?: number } = {}): PsiResult {
  const eps = options.epsilon ?? defaultEpsilon;
  const nb = options.bins ?? 10;
  if (baseline.length === 0 || current.length === 0) return { psi: NaN, bins: [] };
  const sorted = Float64Array.from(baseline).sort();
  // Inner edges at the baseline's quantiles (nearest rank); ties merge bins.
  const edges: number[] = [];
  for (let i = 1; i < nb; i++) {
    const q = percentile(sorted, (100 * i) / nb);
    if (edges.length === 0 || q > (edges[edges.length - 1] as number)) edges.push(q);
  }
  const binOf = (v: number): number => {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= (edges[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const e = new Float64Array(edges.length + 1);
  const a = new Float64Array(edges.length + 1);
  for (const v of baseline) {
    const k = binOf(v);
    e[k] = (e[k] as number) + 1;
  }
  for (const v of current) {
    const k = binOf(v);
    a[k] = (a[k] as number) + 1;
  }
  let total = 0;
  const bins: PsiBin[] = [];
  for (let i = 0; i <= edges.length; i++) {
    const es = (e[i] as number) / baseline.length;
    const as = (a[i] as number) / current.length;
    total += psiTerm(as, es, eps);
    bins.push({ lower: i === 0 ? -Infinity : (edges[i - 1] as number), upper: i === edges.length ? Infinity : (edges[i] as number), expected: es, actual: as });
  }
  return { psi: total, bins };
}

/** Categorical PSI over the union of the categories of two count tables. NaN when either is empty. */
export function categoricalPsi(baseline: Readonly<Record<string, number>>, current: Readonly<Record<string, number>>, epsilon = defaultEpsilon): number {
  const nb = Object.values(baseline).reduce((s, v) => s + v, 0);
  const nc = Object.values(current).reduce((s, v) => s + v, 0);
  if (nb === 0 || nc === 0) return NaN;
  let total = 0;
  for (const k of new Set([...Object.keys(baseline), ...Object.keys(current)])) total += psiTerm((current[k] ?? 0) / nc, (baseline[k] ?? 0) / nb, epsilon);
  return total;
}

export interface KsResult {
  /** D: the largest distance between the two empirical CDFs (0–1). */
  statistic: number;
  /** Asymptotic two-sided p-value. */
  pValue: number;
}

/**
 * Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}: the probability that the Kolmogorov statistic exceeds
 * λ (the survival function of Kolmogorov's distribution). 1 for small λ, where the series does not
 * converge fast and the answer is 1 to double precision anyway.
 */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = sign * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-12 * Math.abs(sum) || Math.abs(term) <= 1e-300) return Math.min(1, Math.max(0, 2 * sum));
    sign = -sign;
  }
  return 1;
}

/** Two-sample KS: statistic D and the asymptotic p-value Q_KS((√Ne + 0.12 + 0.11/√Ne) · D), Ne = nm/(n+m). NaN when a side is empty. */
export function ks2(a: readonly number[], b: readonly number[]): KsResult {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { statistic: NaN, pValue: NaN };
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const xi = x[i] as number;
    const yj = y[j] as number;
    // Step past every copy of the smaller value in both samples: ties move the CDFs together.
    const v = Math.min(xi, yj);
    while (i < n && (x[i] as number) <= v) i++;
    while (j < m && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovQ((en + 0.12 + 0.11 / en) * d) };
}

// ── comparing two sets of calls ─────────────────────────────────────────────

export interface NumericDrift {
  psi: number | null;
  level: DriftLevel;
  ks: { statistic: number | null; pValue: number | null; significant: boolean };
  baseline: { n: number; p50: number | null; p95: number | null };
  current: { n: number; p50: number | null; p95: number | null };
}

export interface CategoricalDrift {
  psi: number | null;
  level: DriftLevel;
  /** Counts per category. */
  baseline: Record<string, number>;
  current: Record<string, number>;
}

export interface DriftReport {
  baseline: { calls: number; requests: number };
  current: { calls: number; requests: number };
  inputTokens: NumericDrift;
  outputTokens: NumericDrift;
  latencyMs: NumericDrift;
  tools: CategoricalDrift;
  finishReasons: CategoricalDrift;
  errorTypes: CategoricalDrift;
  /** The measures whose level is drift, or whose KS p-value is below the threshold. Empty: no drift. */
  drifted: string[];
  thresholds: { psiModerate: number; psiDrift: number; ksPValue: number };
}

function levelOf(v: number, t: DriftThresholds): DriftLevel {
  if (!Number.isFinite(v)) return 'no-data';
  return v > t.psiDrift ? 'drift' : v >= t.psiModerate ? 'moderate' : 'none';
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function quantiles(values: readonly number[]): { n: number; p50: number | null; p95: number | null } {
  const s = Float64Array.from(values).sort();
  return { n: values.length, p50: finiteOrNull(percentile(s, 50)), p95: finiteOrNull(percentile(s, 95)) };
}

function numeric(a: readonly number[], b: readonly number[], t: DriftThresholds): NumericDrift {
  const p = psi(a, b).psi;
  const k = ks2(a, b);
  return {
    psi: finiteOrNull(p),
    level: levelOf(p, t),
    ks: { statistic: finiteOrNull(k.statistic), pValue: finiteOrNull(k.pValue), significant: Number.isFinite(k.pValue) && k.pValue < t.ksPValue },
    baseline: quantiles(a),
    current: quantiles(b),
  };
}

function counts(values: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function categorical(a: Record<string, number>, b: Record<string, number>, t: DriftThresholds): CategoricalDrift {
  const p = categoricalPsi(a, b);
  return { psi: finiteOrNull(p), level: levelOf(p, t), baseline: a, current: b };
}

function* finishReasonsOf(calls: readonly CallRecord[]): Generator<string> {
  for (const c of calls) {
    if (c.finishReasons.length === 0) yield '(none)';
    else yield* c.finishReasons;
  }
}

/** Drift of `current` against `baseline`, with the thresholds of agentops.yaml's `drift:` section. */
export function compareCalls(baseline: readonly CallRecord[], current: readonly CallRecord[], thresholds: Partial<DriftThresholds> = {}): DriftReport {
  const t: DriftThresholds = { ...defaultDriftThresholds, ...thresholds };
  const ra = baseline.filter(isModelCall);
  const rb = current.filter(isModelCall);
  const tools = (cs: readonly CallRecord[]) => counts(cs.filter((c) => c.kind === 'tool').map((c) => c.tool ?? c.operation));
  const errors = (cs: readonly CallRecord[]) => counts(cs.filter((c) => c.error).map((c) => c.errorType ?? '(unknown)'));
  const report: DriftReport = {
    baseline: { calls: baseline.length, requests: ra.length },
    current: { calls: current.length, requests: rb.length },
    inputTokens: numeric(
      ra.map((c) => c.inputTokens),
      rb.map((c) => c.inputTokens),
      t,
    ),
    outputTokens: numeric(
      ra.map((c) => c.outputTokens),
      rb.map((c) => c.outputTokens),
      t,
    ),
    latencyMs: numeric(
      ra.map((c) => c.durationMs),
      rb.map((c) => c.durationMs),
      t,
    ),
    tools: categorical(tools(baseline), tools(current), t),
    finishReasons: categorical(counts(finishReasonsOf(ra)), counts(finishReasonsOf(rb)), t),
    // The mix of error types among the failed calls of every kind (a new error type is drift even at an unchanged error rate).
    errorTypes: categorical(errors(baseline), errors(current), t),
    drifted: [],
    thresholds: { psiModerate: t.psiModerate, psiDrift: t.psiDrift, ksPValue: t.ksPValue },
  };
  for (const k of ['inputTokens', 'outputTokens', 'latencyMs'] as const) if (report[k].level === 'drift' || report[k].ks.significant) report.drifted.push(k);
  for (const k of ['tools', 'finishReasons', 'errorTypes'] as const) if (report[k].level === 'drift') report.drifted.push(k);
  return report;
}
