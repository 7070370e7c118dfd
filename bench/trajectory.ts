import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TrajectoryConfig } from '../src/core/trajectory/findings';
import type { JsonValue, Step, ToolCall, Trajectory } from '../src/core/trajectory/model';
import { defaultTrajectoryConfig, validateTrajectories, validateTrajectory } from '../src/core/trajectory/validate';
import { seededRandom } from '../test/unit/core/tokens/mixedCorpus';
import { median } from './measure';

/**
 * Trajectory validator benchmarks: every rule over 10,000 generated runs of 50 steps (tau-bench-like
 * tool calls, think steps, user turns; a fifth with a planted loop, a tenth with a stuck retry),
 * measured against two loop detectors in the same run:
 * - a naive all-pairs check (compare every pair of steps' JSON.stringify keys, sorted keys, then test
 *   the period): what "find repeated calls" looks like when written directly; quadratic in steps;
 * - the Gemini CLI tool-call check (packages/core/src/services/loopDetectionService.ts, re-implemented
 *   from research/trajectory.md §3): sha256 of `name:JSON.stringify(args)` per call, the last 25 keys,
 *   a k-cycle (k = 1..5) repeated 5 times at the end of the window. Streaming and linear, but it does
 *   not sort keys or skip think steps, and needs 5 repeats.
 * Target: ≥ 100k steps/s, time per step flat from 25 to 100 steps per run.
 */
export async function benchTrajectory(): Promise<void> {
  console.log('Trajectory validator (all 12 rules, default settings)\n');
  const config = defaultTrajectoryConfig();
  benchThroughput(config);
  benchLinearity(config);
  benchLongRun(config);
  benchDetection(config);
  await Promise.resolve();
}

// ---------------------------------------------------------------------------
// Generated runs

const tools = ['get_user_details', 'get_reservation_details', 'search_direct_flight', 'search_onestop_flight', 'book_reservation', 'update_reservation_flights', 'cancel_reservation', 'calculate', 'list_all_airports', 'send_certificate'];
const airports = ['JFK', 'SFO', 'SEA', 'LAX', 'ORD', 'ATL', 'DFW', 'BOS'];

interface Planted {
  /** Index of the first and last step of the planted pattern. */
  first: number;
  last: number;
  kind: 'loop' | 'retry';
  period: number;
  repeats: number;
}

interface GeneratedRun {
  t: Trajectory;
  planted?: Planted;
}

/** Arguments of the i-th distinct call: 3–7 fields, a nested list sometimes, like tau-bench's. */
function argsFor(r: () => number, tool: string, i: number): { [key: string]: JsonValue } {
  const a: { [key: string]: JsonValue } = { user_id: `user_${Math.floor(r() * 1000)}`, nonce: i };
  if (tool.startsWith('search')) Object.assign(a, { origin: airports[i % 8] as string, destination: airports[(i + 3) % 8] as string, date: `2024-05-${10 + (i % 20)}` });
  else if (tool === 'book_reservation') {
    Object.assign(a, {
      cabin: 'business',
      flights: [
        { flight_number: `HAT${100 + (i % 50)}`, date: '2024-05-26' },
        { flight_number: `HAT${200 + (i % 40)}`, date: '2024-05-28' },
      ],
      payment_methods: [{ payment_id: `credit_card_${i}`, amount: 100 + i }],
      total_baggages: i % 4,
    });
  } else if (tool === 'calculate') a.expression = `${i} + ${i * 3}`;
  else a.reservation_id = `R${(i * 7919) % 100000}`;
  return a;
}

/** JSON text of the value with the model's spacing habits (", " and ": " or none), keys shuffled sometimes. */
function rawJson(r: () => number, v: { [key: string]: JsonValue }, shuffle: boolean): string {
  const keys = Object.keys(v);
  if (shuffle) keys.sort(() => r() - 0.5);
  const spaced = r() < 0.5;
  const sep = spaced ? ', ' : ',';
  const colon = spaced ? ': ' : ':';
  return `{${keys.map((k) => `${JSON.stringify(k)}${colon}${JSON.stringify(v[k])}`).join(sep)}}`;
}

function makeCall(r: () => number, tool: string, args: { [key: string]: JsonValue }, result: string, isError: boolean, shuffle = false): ToolCall {
  const raw = rawJson(r, args, shuffle);
  return { toolName: tool, arguments: JSON.parse(raw) as JsonValue, rawArguments: raw, result, isError };
}

function resultFor(r: () => number, tool: string, i: number): string {
  const n = 2 + Math.floor(r() * 6);
  const rows = Array.from({ length: n }, (_, k) => `{"flight_number": "HAT${i}${k}", "origin": "${airports[k % 8]}", "status": "available", "price": ${100 + k * i}}`);
  return tool.startsWith('search') ? `[${rows.join(', ')}]` : `{"status": "ok", "id": "${tool}-${i}", "details": ${rows[0]}}`;
}

/** One run of `n` steps: mostly distinct calls, some think and user steps; maybe a planted loop or stuck retry. */
export function generateRun(seed: number, n: number, plant?: 'loop' | 'retry'): GeneratedRun {
  const r = seededRandom(seed);
  const steps: Step[] = [];
  let distinct = 0;
  let tokenSeed = 0;
  const push = (s: Omit<Step, 'index'>): number => {
    const step: Step = { ...s, index: steps.length };
    if (step.kind !== 'user') {
      step.tokens = { input: 2000 + ((tokenSeed * 37) % 3000), output: 50 + ((tokenSeed * 13) % 200) };
      step.costUsd = step.tokens.input * 2.5e-6 + step.tokens.output * 1e-5;
      step.durationMs = 400 + ((tokenSeed * 101) % 2000);
      tokenSeed++;
    }
    steps.push(step);
    return step.index;
  };
  const distinctCall = (): void => {
    const tool = tools[Math.floor(r() * tools.length)] as string;
    const i = distinct++ + seed * 1000;
    push({ kind: 'tool', calls: [makeCall(r, tool, argsFor(r, tool, i), resultFor(r, tool, i), r() < 0.05)] });
  };
  const think = (): void => {
    push({ kind: 'think', calls: [makeCall(r, 'think', { thought: `considering option ${Math.floor(r() * 1e6)}` }, '', false)] });
  };
  push({ kind: 'user', calls: [], text: 'I would like to change my reservation.' });

  let planted: Planted | undefined;
  // The planted pattern: a cycle of `period` calls (period 1 for a stuck retry) repeated, with think
  // steps after some calls, JSON spacing and key order varying between repeats. Sized to fit the run.
  let period = plant === 'retry' ? 1 : 2 + Math.floor(r() * 4);
  let repeats = 3 + Math.floor(r() * 3);
  while (period * repeats * 2 > n - 3 && repeats > 3) repeats--;
  while (period * repeats * 2 > n - 3 && period > 2) period--;
  const plantAt = plant ? 1 + Math.floor(r() * Math.max(1, n - 2 - period * repeats * 2)) : -1;
  while (steps.length < n - 1) {
    if (plant && !planted && steps.length >= plantAt) {
      const unit = Array.from({ length: period }, (_, k) => {
        const tool = tools[(seed + k) % tools.length] as string;
        const i = 900_000 + k + seed * 1000;
        const fails = plant === 'retry' || k === 0;
        return { tool, args: argsFor(r, tool, i), result: fails ? 'Error: payment amount does not add up' : resultFor(r, tool, i), fails };
      });
      const first = steps.length;
      let last = first;
      for (let rep = 0; rep < repeats; rep++) {
        for (const u of unit) {
          last = push({ kind: 'tool', calls: [makeCall(r, u.tool, u.args, u.result, u.fails, true)] });
          if (r() < 0.5) think();
        }
      }
      planted = { first, last, kind: plant, period, repeats };
      continue;
    }
    const x = r();
    if (x < 0.12) think();
    else if (x < 0.2) push({ kind: 'user', calls: [], text: `Yes, please go ahead (${Math.floor(r() * 1e6)}).` });
    else if (x < 0.25) push({ kind: 'llm', calls: [], text: `Here is what I found: option ${Math.floor(r() * 1e6)}.` });
    else distinctCall();
  }
  push({ kind: 'final', calls: [], text: 'Your reservation has been updated.' });
  const agentSteps = steps.filter((s) => s.kind !== 'user' && s.kind !== 'error').length;
  const t: Trajectory = {
    id: `run-${seed}`,
    source: { file: 'generated.json', index: seed },
    format: 'generic',
    steps,
    outcome: { status: 'final-answer', reason: 'the agent answered', step: steps.length - 1 },
    totals: { steps: steps.length, agentSteps, toolCalls: steps.reduce((k, s) => k + s.calls.length, 0) },
  };
  return planted ? { t, planted } : { t };
}

/** `count` runs of `n` steps: every 5th with a planted loop, every 10th (offset) with a stuck retry. */
export function generateRuns(count: number, n: number, seed0 = 1): GeneratedRun[] {
  return Array.from({ length: count }, (_, i) => generateRun(seed0 + i, n, i % 5 === 0 ? 'loop' : i % 10 === 3 ? 'retry' : undefined));
}

// ---------------------------------------------------------------------------
// Peers

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o: { [key: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k] as JsonValue);
    return o;
  }
  return v;
}

/** Naive all-pairs loop check: a step key per step, then every pair (i, j) compared; equal keys at distance 2–5 are tested for 3 repeats. */
export function naiveAllPairsLoops(t: Trajectory): number {
  const keys = t.steps.map((s) => (s.kind === 'user' ? `user:${s.index}` : s.calls.map((c) => `${c.toolName}:${JSON.stringify(sortKeys(c.arguments))}`).join('|') || `text:${s.text ?? ''}`));
  let loops = 0;
  let coveredUntil = -1;
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      if (keys[i] !== keys[j]) continue;
      const p = j - i;
      if (p < 2 || p > 5 || i <= coveredUntil) continue;
      let reps = 1;
      while (i + (reps + 1) * p <= keys.length && keys.slice(i + reps * p, i + (reps + 1) * p).join('\u0001') === keys.slice(i, i + p).join('\u0001')) reps++;
      if (reps >= 3) {
        loops++;
        coveredUntil = i + reps * p - 1;
      }
    }
  }
  return loops;
}

/** Gemini CLI's tool-call loop check, fed every call of the run in order; returns the number of times it fired. */
export function geminiToolCallLoops(t: Trajectory): number {
  const window: string[] = [];
  let fired = 0;
  let cooldown = 0;
  for (const s of t.steps) {
    for (const c of s.calls) {
      window.push(createHash('sha256').update(`${c.toolName}:${JSON.stringify(c.arguments)}`).digest('hex'));
      if (window.length > 25) window.shift();
      if (cooldown > 0) {
        cooldown--;
        continue;
      }
      for (let k = 1; k <= 5; k++) {
        const need = 5 * k;
        if (window.length < need) break;
        let periodic = true;
        for (let x = window.length - need + k; x < window.length && periodic; x++) periodic = window[x] === window[x - k];
        if (periodic) {
          fired++;
          cooldown = need; // one report per loop, not one per call
          break;
        }
      }
    }
  }
  return fired;
}

// ---------------------------------------------------------------------------
// Measurements

/** A full garbage collection before each timed section, so one side does not pay for the other's (or the generator's) garbage. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function time(fn: () => void): number {
  collect();
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Median of `n` timings of each function, taken in turns (a, b, c, a, b, c, …) so that load on the machine hits all alike. */
function interleaved(n: number, fns: (() => void)[]): number[] {
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < n; i++) fns.forEach((fn, k) => times[k]?.push(time(fn)));
  return times.map(median);
}

function benchThroughput(config: TrajectoryConfig): void {
  const runs = generateRuns(10_000, 50);
  const ts = runs.map((r) => r.t);
  const steps = ts.reduce((n, t) => n + t.steps.length, 0);
  validateTrajectories(ts.slice(0, 500), config); // warm-up
  const loopOnly = defaultTrajectoryConfig();
  for (const id of Object.keys(loopOnly.rules) as (keyof TrajectoryConfig['rules'])[]) if (id !== 'loop') loopOnly.rules[id].severity = 'off';
  const [ours = NaN, oursLoop = NaN, naive = NaN, gemini = NaN] = interleaved(5, [
    () => validateTrajectories(ts, config),
    () => validateTrajectories(ts, loopOnly),
    () => ts.forEach(naiveAllPairsLoops),
    () => ts.forEach(geminiToolCallLoops),
  ]);
  const rate = (ms: number): string => `${((steps / ms) * 1000 / 1000).toFixed(0).padStart(6)}k steps/s`;
  console.log(`10,000 runs × 50 steps (${steps.toLocaleString('en-US')} steps), median of 5, taken in turns:`);
  console.log(`  ours: all 12 rules              ${rate(ours)}  (${ours.toFixed(0)} ms)${steps / ours * 1000 >= 100_000 ? '' : '  BELOW the 100k steps/s target'}`);
  console.log(`  ours: the loop rule alone       ${rate(oursLoop)}  (${oursLoop.toFixed(0)} ms)`);
  console.log(`  naive all-pairs loop check      ${rate(naive)}  (${naive.toFixed(0)} ms)`);
  console.log(`  Gemini CLI tool-call loop check ${rate(gemini)}  (${gemini.toFixed(0)} ms)`);
  console.log(`  ratio: the loop rule alone ${(naive / oursLoop).toFixed(2)}x the naive check's speed, ${(gemini / oursLoop).toFixed(2)}x Gemini CLI's; all 12 rules ${(naive / ours).toFixed(2)}x and ${(gemini / ours).toFixed(2)}x\n`);
}

function benchLinearity(config: TrajectoryConfig): void {
  console.log('Time per run at 25, 50 and 100 steps per run (500,000 steps each, median of 5):');
  const rows: { n: number; usPerRun: number; nsPerStep: number; naiveUs: number }[] = [];
  for (const n of [25, 50, 100]) {
    const ts = generateRuns(500_000 / n, n, 7).map((r) => r.t);
    const steps = ts.reduce((k, t) => k + t.steps.length, 0);
    validateTrajectories(ts.slice(0, 200), config);
    const [ms = NaN, naive = NaN] = interleaved(5, [() => validateTrajectories(ts, config), () => ts.forEach(naiveAllPairsLoops)]);
    rows.push({ n, usPerRun: (ms * 1000) / ts.length, nsPerStep: (ms * 1e6) / steps, naiveUs: (naive * 1000) / ts.length });
  }
  for (const r of rows) console.log(`  ${String(r.n).padStart(3)} steps/run  ours ${r.usPerRun.toFixed(1).padStart(6)} µs/run (${r.nsPerStep.toFixed(0)} ns/step)   naive all-pairs ${r.naiveUs.toFixed(1).padStart(6)} µs/run`);
  const [a, , c] = rows;
  if (a && c) console.log(`  4x the steps: ours ${(c.usPerRun / a.usPerRun).toFixed(2)}x the time per run (linear: 4), naive ${(c.naiveUs / a.naiveUs).toFixed(2)}x\n`);
}

/** One long run (an agent left running overnight): linear vs quadratic shows. */
function benchLongRun(config: TrajectoryConfig): void {
  console.log('One long run, median of 3:');
  for (const n of [1_000, 10_000, 100_000]) {
    const { t } = generateRun(42, n, 'loop');
    const [ours = NaN, naive = NaN] = interleaved(3, n <= 10_000 ? [() => validateTrajectory(t, config), () => naiveAllPairsLoops(t)] : [() => validateTrajectory(t, config)]);
    console.log(`  ${n.toLocaleString('en-US').padStart(7)} steps  ours ${ours.toFixed(1).padStart(7)} ms   naive all-pairs ${Number.isNaN(naive) ? '(skipped)' : `${naive.toFixed(1)} ms`}`);
  }
  console.log('');
}

/** Planted loops and retries found (every think-interleaved, re-spaced, key-shuffled repeat), and false alarms on clean runs. */
function benchDetection(config: TrajectoryConfig): void {
  const runs = generateRuns(10_000, 50, 99);
  let plantedLoops = 0;
  let plantedRetries = 0;
  let oursLoops = 0;
  let oursRetries = 0;
  let geminiFound = 0;
  let oursFalse = 0;
  let geminiFalse = 0;
  let clean = 0;
  for (const { t, planted } of runs) {
    const findings = validateTrajectory(t, config).filter((f) => f.rule === 'loop' || f.rule === 'error-retry' || f.rule === 'repeated-call' || f.rule === 'no-progress');
    const gemini = geminiToolCallLoops(t);
    if (!planted) {
      clean++;
      if (findings.length > 0) oursFalse++;
      if (gemini > 0) geminiFalse++;
      continue;
    }
    const covers = findings.some((f) => f.steps[0] !== undefined && f.steps[0] <= planted.first + planted.period && (f.steps[f.steps.length - 1] ?? -1) >= planted.last - planted.period);
    if (planted.kind === 'loop') {
      plantedLoops++;
      if (covers && findings.some((f) => f.rule === 'loop')) oursLoops++;
    } else {
      plantedRetries++;
      if (covers) oursRetries++;
    }
    if (gemini > 0) geminiFound++;
  }
  console.log(`Detection on 10,000 generated runs (${plantedLoops} planted loops of 2–5 calls × 3–5, ${plantedRetries} stuck retries × 3–5; think steps between repeats half the time; JSON spacing and key order vary):`);
  console.log(`  ours        loops ${oursLoops}/${plantedLoops}, retries ${oursRetries}/${plantedRetries}, false alarms ${oursFalse}/${clean} clean runs`);
  console.log(`  Gemini CLI  ${geminiFound}/${plantedLoops + plantedRetries} planted patterns, false alarms ${geminiFalse}/${clean} clean runs\n`);
}
