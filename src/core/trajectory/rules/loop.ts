/**
 * `loop`: a cycle of `minCycle`..`maxCycle` different actions repeated `minRepeats` times or more
 * in a row (A B A B A B; A B C A B C A B C), compared by canonical keys. Think steps are skipped
 * for matching, so `A think B A B think A B` is A B three times; and a think step may also be one of
 * the cycle's actions (`A think A think A think`); a user message breaks a cycle.
 * Cycles made only of polling calls are exempt.
 *
 * One pass per period p over the action sequence: `seq[i] === seq[i - p]` for a stretch of
 * i means the stretch (plus its first p entries) repeats with period p. O(n · maxCycle).
 * A stretch is reported only when its unit is primitive (ABAB with p = 4 is p = 2's business),
 * and overlapping stretches of different periods are resolved longest first.
 */
import type { Finding } from '../findings';
import { defaultSeverities } from './defaults';
import { wasteOfSteps, type CallInfo, type RunContext } from './context';
import { quote, stepLabel, stepList, times } from './text';
import { defineRule, type SettingsOf } from './types';

/** A periodic stretch of the action sequence: positions [start, start + length), period `period`. */
export interface Cycle {
  start: number;
  length: number;
  period: number;
}

export interface CycleOptions {
  minCycle: number;
  maxCycle: number;
  minRepeats: number;
  /** Stretches whose unit (positions [start, start + period)) should not be reported. */
  exempt?(start: number, period: number): boolean;
}

/**
 * Periodic stretches in `seq`, where negative entries match nothing (breaks). Disjoint, sorted
 * by start. Every returned stretch holds at least `minRepeats` whole repeats of a primitive unit.
 */
export function findCycles(seq: ArrayLike<number>, o: CycleOptions): Cycle[] {
  const n = seq.length;
  const minRepeats = Math.max(2, Math.floor(o.minRepeats));
  const candidates: Cycle[] = [];
  for (let p = Math.max(1, Math.floor(o.minCycle)); p <= o.maxCycle && p * minRepeats <= n; p++) {
    let run = 0;
    for (let i = p; i <= n; i++) {
      if (i < n) {
        const x = seq[i] as number;
        if (x >= 0 && x === seq[i - p]) {
          run++;
          continue;
        }
      }
      if (run > 0) {
        const length = run + p;
        const start = i - length;
        if (length >= p * minRepeats && isPrimitive(seq, start, p) && !o.exempt?.(start, p)) candidates.push({ start, length, period: p });
        run = 0;
      }
    }
  }
  if (candidates.length <= 1) return candidates;

  // Longest first (then the shorter period); a later candidate keeps its largest part that no
  // accepted stretch covers, if that part still holds minRepeats repeats.
  candidates.sort((a, b) => b.length - a.length || a.period - b.period || a.start - b.start);
  const accepted: Cycle[] = []; // disjoint, sorted by start
  for (const c of candidates) {
    let best: { start: number; end: number } | undefined;
    let from = c.start;
    const end = c.start + c.length;
    // The accepted stretches overlapping [c.start, end), in order.
    let k = firstEndingAfter(accepted, c.start);
    for (; k < accepted.length && from < end; k++) {
      const a = accepted[k] as Cycle;
      if (a.start >= end) break;
      if (a.start > from && (!best || a.start - from > best.end - best.start)) best = { start: from, end: a.start };
      from = Math.max(from, a.start + a.length);
    }
    if (from < end && (!best || end - from > best.end - best.start)) best = { start: from, end };
    if (!best || best.end - best.start < c.period * minRepeats) continue;
    const kept: Cycle = { start: best.start, length: best.end - best.start, period: c.period };
    accepted.splice(firstEndingAfter(accepted, kept.start), 0, kept);
  }
  return accepted;
}

/** Index of the first stretch (sorted, disjoint) that ends after `pos`. */
function firstEndingAfter(xs: readonly Cycle[], pos: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = xs[mid] as Cycle;
    if (c.start + c.length <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The unit seq[start, start + p) is not itself a repetition of a shorter unit. */
function isPrimitive(seq: ArrayLike<number>, start: number, p: number): boolean {
  for (let d = 1; d < p; d++) {
    if (p % d !== 0) continue;
    let periodic = true;
    for (let k = d; k < p; k++) {
      if (seq[start + k] !== seq[start + k - d]) {
        periodic = false;
        break;
      }
    }
    if (periodic) return false;
  }
  return true;
}

export const loopRule = defineRule({
  id: 'loop',
  defaultSeverity: defaultSeverities['loop'],
  summary: 'A cycle of actions (2–5 by default) repeated three or more times in a row.',
  check(ctx: RunContext, s: SettingsOf<'loop'>): Finding[] {
    const options = (stepOf: Int32Array): CycleOptions => ({
      minCycle: s.minCycle,
      maxCycle: s.maxCycle,
      minRepeats: s.minRepeats,
      exempt: (start, p) => {
        for (let k = start; k < start + p; k++) if (!ctx.steps[stepOf[k] as number]?.polling) return false;
        return true;
      },
    });
    const findings = findCycles(ctx.seq, options(ctx.stepOf)).map((c) => loopFinding(ctx, c, s, ctx.stepOf));
    // A thinking step can be part of the cycle itself (call → same error → think, again and again: tau-bench's
    // classic). With think steps skipped that is one call repeated, which a 2–5 cycle never matches; with them
    // kept as one action they make the cycle. Stretches already found above are not reported twice.
    const withThinks = thinkingSequence(ctx);
    if (withThinks) {
      const covered = new Set(findings.flatMap((f) => f.steps));
      for (const c of findCycles(withThinks.seq, options(withThinks.stepOf))) {
        const f = loopFinding(ctx, c, s, withThinks.stepOf);
        if (!f.steps.some((k) => covered.has(k))) findings.push(f);
      }
      findings.sort((a, b) => (a.steps[0] ?? 0) - (b.steps[0] ?? 0));
    }
    return findings;
  },
});

/** The action sequence with every think step as one and the same action; undefined when the run has none. */
function thinkingSequence(ctx: RunContext): { seq: Int32Array; stepOf: Int32Array } | undefined {
  if (!ctx.steps.some((info) => info.think)) return undefined;
  const thinkKey = ctx.keyText.length; // no call or text key has it
  const seq = new Int32Array(ctx.steps.length);
  const stepOf = new Int32Array(ctx.steps.length);
  let breaks = 0;
  ctx.steps.forEach((info, i) => {
    seq[i] = info.think ? thinkKey : info.isBreak ? -1 - breaks++ : info.key;
    stepOf[i] = info.step.index;
  });
  return { seq, stepOf };
}

function loopFinding(ctx: RunContext, c: Cycle, s: SettingsOf<'loop'>, stepOf: Int32Array): Finding {
  const at = (pos: number): number => stepOf[pos] as number;
  const first = at(c.start);
  const last = at(c.start + c.length - 1);
  const span: number[] = [];
  for (let k = first; k <= last; k++) span.push(k);
  const endOfFirst = at(c.start + c.period - 1);
  const repeats = Math.floor(c.length / c.period);
  const unit: string[] = [];
  for (let k = 0; k < c.period; k++) unit.push(stepLabel(ctx, at(c.start + k)));
  const thinks = span.length > c.length;

  // Elements failing the same way every time, or returning the same result every time.
  const notes: string[] = [];
  for (let k = 0; k < c.period; k++) {
    const occurrences: CallInfo[][] = [];
    for (let pos = c.start + k; pos < c.start + c.length; pos += c.period) occurrences.push(ctx.steps[at(pos)]?.calls ?? []);
    const calls = occurrences.map((cs) => (cs.length === 1 ? cs[0] : undefined));
    if (calls.some((x) => x === undefined)) continue;
    const cs = calls as CallInfo[];
    const c0 = cs[0] as CallInfo;
    if (!cs.every((x) => x.result === c0.result)) continue;
    if (cs.every((x) => x.call.isError)) notes.push(`${c0.call.toolName} failing each time${c0.call.result?.trim() ? ` with ${quote(c0.call.result)}` : ''}`);
    else if (c0.result >= 0 && cs.every((x) => !x.call.isError)) notes.push(`${c0.call.toolName} returning the same result each time`);
  }
  const what = `the cycle ${unit.join(' → ')} ran ${times(repeats)} in a row with the same arguments`;
  return {
    rule: 'loop',
    severity: s.severity,
    steps: span,
    message: `${what}${thinks ? ', thinking in between' : ''}${notes.length > 0 ? `, ${notes.join(', ')}` : ''} (${stepList(span)})`,
    wasted: wasteOfSteps(
      ctx,
      span.filter((k) => k > endOfFirst),
    ),
  };
}
