/**
 * Consistency: do runs given the same input (the same `inputHash`, the canonical input messages)
 * give the same answer? Each group's answers (`outputText`) are compared pairwise, and a group
 * whose mean similarity is below the threshold (default 0.8) is reported; the overall consistency
 * is the mean over the groups (every distinct input weighs the same, however often it ran).
 *
 * Similarity is the Jaccard index of the answers' word sets (lowercased runs of letters and
 * digits): |A ∩ B| / |A ∪ B|. Why this measure: it needs no model or embedding (the core runs in
 * CI and in the editor, offline); it ignores formatting, whitespace and word order, which vary
 * between runs without changing the answer; it is symmetric, in [0, 1], and cheap (linear in the
 * text). What it misses: paraphrases with other words score low, and an answer that reverses its
 * meaning with the same words ("not") scores high — it flags answers that say different things in
 * different words, which is what an unstable agent usually does. Two empty answers are equal (1).
 */
import type { CallRecord } from './types';

export interface ConsistencyOptions {
  /** Groups with a mean similarity below this are inconsistent (default 0.8). */
  threshold?: number;
  /** Inputs run fewer times are not judged (default 2). */
  minRuns?: number;
  /** At most this many runs per input are compared (default 50: 1,225 pairs). */
  maxRuns?: number;
}

export interface ConsistencyGroup {
  inputHash: string;
  runs: number;
  /** Mean and smallest pairwise similarity (0–1). */
  meanSimilarity: number;
  minSimilarity: number;
  /** The models that answered (several models answering one input differ more, by nature). */
  models: string[];
  /** Up to 20 traces of the group's runs. */
  traceIds: string[];
}

export interface ConsistencyReport {
  /** Inputs judged (run at least minRuns times with a captured answer). */
  groups: number;
  runs: number;
  /** Mean of the groups' mean similarity; null when no input was judged. */
  overall: number | null;
  threshold: number;
  /** True when `overall` is below the threshold. */
  belowThreshold: boolean;
  /** The groups below the threshold, least consistent first. */
  inconsistent: ConsistencyGroup[];
}

/** The word set of a text: lowercased runs of letters and digits (any script). */
export function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Jaccard similarity of two word sets; 1 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const w of small) if (large.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

/** The similarity of two answers (see the module comment). */
export function similarity(a: string, b: string): number {
  return jaccard(wordSet(a), wordSet(b));
}

/** Groups the model calls with a captured input and answer by input, and judges each group. */
export function consistency(calls: readonly CallRecord[], options: ConsistencyOptions = {}): ConsistencyReport {
  const threshold = options.threshold ?? 0.8;
  const minRuns = Math.max(2, options.minRuns ?? 2);
  const maxRuns = Math.max(2, options.maxRuns ?? 50);
  const byInput = new Map<string, CallRecord[]>();
  for (const c of calls) {
    if (c.kind !== 'llm' || c.inputHash === undefined || c.outputText === undefined) continue;
    let g = byInput.get(c.inputHash);
    if (!g) byInput.set(c.inputHash, (g = []));
    g.push(c);
  }
  const judged: ConsistencyGroup[] = [];
  let runs = 0;
  for (const [inputHash, all] of byInput) {
    if (all.length < minRuns) continue;
    const group = [...all].sort((a, b) => a.startMs - b.startMs).slice(0, maxRuns);
    const sets = group.map((c) => wordSet(c.outputText ?? ''));
    let sum = 0;
    let min = 1;
    let pairs = 0;
    for (let i = 0; i < sets.length; i++) {
      for (let j = i + 1; j < sets.length; j++) {
        const s = jaccard(sets[i] as Set<string>, sets[j] as Set<string>);
        sum += s;
        if (s < min) min = s;
        pairs++;
      }
    }
    runs += all.length;
    judged.push({
      inputHash,
      runs: all.length,
      meanSimilarity: sum / pairs,
      minSimilarity: min,
      models: [...new Set(group.map((c) => c.model).filter((m): m is string => m !== undefined))].sort(),
      traceIds: [...new Set(group.map((c) => c.traceId))].slice(0, 20),
    });
  }
  const overall = judged.length > 0 ? judged.reduce((s, g) => s + g.meanSimilarity, 0) / judged.length : null;
  return {
    groups: judged.length,
    runs,
    overall,
    threshold,
    belowThreshold: overall !== null && overall < threshold,
    inconsistent: judged.filter((g) => g.meanSimilarity < threshold).sort((a, b) => a.meanSimilarity - b.meanSimilarity || a.inputHash.localeCompare(b.inputHash)),
  };
}
