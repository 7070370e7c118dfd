/**
 * What every rule needs from a run, computed once per run in one pass: the canonical key of
 * each tool call (tool + canonical JSON of its arguments, volatile fields dropped), the key of
 * each step, interned to small integers so rules compare numbers in hash maps and arrays, and
 * the "action sequence" the repetition rules scan (think steps skipped, user steps as breaks).
 */
import type { TrajectoryConfig, Wasted } from '../findings';
import { canonicalJson, isObject } from '../json';
import type { JsonValue, Step, ToolCall, Trajectory } from '../model';

/** The configuration turned into lookups, once per config object. */
export interface CompiledConfig {
  config: TrajectoryConfig;
  thinkTools: ReadonlySet<string>;
  pollingTools: ReadonlySet<string>;
  /** Per tool (and `*` for every tool): the volatile paths, split into segments. */
  volatile: ReadonlyMap<string, readonly string[][]>;
}

const compiled = new WeakMap<TrajectoryConfig, CompiledConfig>();

export function compileConfig(config: TrajectoryConfig): CompiledConfig {
  let c = compiled.get(config);
  if (!c) {
    const volatile = new Map<string, string[][]>();
    for (const [tool, paths] of Object.entries(config.volatileFields)) {
      volatile.set(
        tool,
        paths.filter((p) => p.trim() !== '').map((p) => p.trim().split('.')),
      );
    }
    c = { config, thinkTools: new Set(config.thinkTools), pollingTools: new Set(config.pollingTools), volatile };
    compiled.set(config, c);
  }
  return c;
}

/** A tool call with its interned keys. */
export interface CallInfo {
  /** Index of the step holding the call. */
  step: number;
  call: ToolCall;
  /** Interned (tool, canonical arguments). */
  key: number;
  /**
   * Interned normalised result text; -1 when the file recorded no result, or when the call
   * (its key) occurs only once in the run: results are only ever compared between repeats.
   */
  result: number;
  polling: boolean;
  /** Share of its step's tokens, cost and time this call stands for (1 / the step's non-think calls). */
  share: number;
}

export interface StepInfo {
  step: Step;
  /** A thinking step (kind think, or only calls to think tools): skipped when matching repeats. */
  think: boolean;
  /** A user step: repeats never span it (new input is a reason to do the same thing again). */
  isBreak: boolean;
  /** Interned key of the whole step (its calls as a multiset, or its text); -1 for think and user steps. */
  key: number;
  /** Every non-think call of the step is to a polling tool. */
  polling: boolean;
  /** The step's calls other than calls to think tools. */
  calls: CallInfo[];
}

export interface RunContext {
  trajectory: Trajectory;
  cfg: CompiledConfig;
  steps: StepInfo[];
  /** Every non-think call, in order. */
  calls: CallInfo[];
  /**
   * The action sequence: one entry per non-think step, user steps included as unique negative
   * values (so they never match anything). `stepOf[i]` is the step index of entry i.
   */
  seq: Int32Array;
  stepOf: Int32Array;
  /** Interned key → its text (tool + NUL + canonical arguments for calls; an internal key for steps). */
  keyText: string[];
}

/** Fills `canonicalArguments` of every call (the model's contract) and builds the context. */
export function prepareRun(t: Trajectory, cfg: CompiledConfig): RunContext {
  // Keys are interned per run into one id space: calls by (tool, canonical arguments), steps with
  // several calls by their sorted call ids, text steps by kind and text. Two-level maps: no long
  // concatenated strings to build and hash.
  const keyText: string[] = [];
  const byTool = new Map<string, Map<string, number>>();
  const callKey = (tool: string, args: string): number => {
    let m = byTool.get(tool);
    if (!m) byTool.set(tool, (m = new Map()));
    let id = m.get(args);
    if (id === undefined) {
      id = keyText.length;
      m.set(args, id);
      keyText.push(`${tool}\u0000${args}`);
    }
    return id;
  };
  const byKind = new Map<string, Map<string, number>>();
  const otherKey = (kind: string, s: string): number => {
    let m = byKind.get(kind);
    if (!m) byKind.set(kind, (m = new Map()));
    let id = m.get(s);
    if (id === undefined) {
      id = keyText.length;
      m.set(s, id);
      keyText.push(`${kind}\u0002${s}`);
    }
    return id;
  };

  const steps: StepInfo[] = [];
  const calls: CallInfo[] = [];
  const seq = new Int32Array(t.steps.length);
  const stepOf = new Int32Array(t.steps.length);
  let n = 0;
  let breaks = 0;
  for (const step of t.steps) {
    const think = step.kind === 'think' || (step.calls.length > 0 && step.calls.every((c) => cfg.thinkTools.has(c.toolName)));
    const isBreak = step.kind === 'user';
    const info: StepInfo = { step, think, isBreak, key: -1, polling: false, calls: [] };
    let real = 0;
    for (const c of step.calls) {
      c.canonicalArguments = canonicalArguments(c, cfg);
      if (!cfg.thinkTools.has(c.toolName)) real++;
    }
    if (!think && !isBreak) {
      const share = real > 0 ? 1 / real : 1;
      let polling = real > 0;
      for (const c of step.calls) {
        if (cfg.thinkTools.has(c.toolName)) continue;
        const ci: CallInfo = { step: step.index, call: c, key: callKey(c.toolName, c.canonicalArguments as string), result: -1, polling: cfg.pollingTools.has(c.toolName), share };
        if (!ci.polling) polling = false;
        info.calls.push(ci);
        calls.push(ci);
      }
      info.polling = polling;
      if (info.calls.length === 1) info.key = (info.calls[0] as CallInfo).key;
      else if (info.calls.length > 1)
        info.key = otherKey(
          'calls',
          info.calls
            .map((c) => c.key)
            .sort((a, b) => a - b)
            .join(','),
        );
      else info.key = otherKey(step.kind, step.text ?? '');
    }
    steps.push(info);
    if (!think) {
      seq[n] = isBreak ? -1 - breaks++ : info.key;
      stepOf[n] = step.index;
      n++;
    }
  }

  // Results matter only for calls made more than once: intern those (normalised), leave the rest -1.
  const count = new Int32Array(keyText.length);
  for (const c of calls) count[c.key] = (count[c.key] as number) + 1;
  const results = new Map<string, number>();
  for (const c of calls) {
    if ((count[c.key] as number) < 2 || c.call.result === undefined) continue;
    const norm = normaliseText(c.call.result);
    let id = results.get(norm);
    if (id === undefined) {
      id = results.size;
      results.set(norm, id);
    }
    c.result = id;
  }
  return { trajectory: t, cfg, steps, calls, seq: seq.subarray(0, n), stepOf: stepOf.subarray(0, n), keyText };
}

/** Trimmed, runs of whitespace made one space: what "the same text" means for results and replies. */
export function normaliseText(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

/**
 * Canonical JSON of a call's arguments: a string holding JSON is parsed first (so the same
 * payload with other spacing or key order is the same), volatile fields configured for the
 * tool (or for `*`) are dropped, keys are sorted. A non-JSON string (a shell command) is
 * compared trimmed.
 */
export function canonicalArguments(c: ToolCall, cfg: CompiledConfig): string {
  let v: JsonValue = c.arguments;
  if (typeof v === 'string') {
    const t = v.trim();
    v = t;
    const first = t.charCodeAt(0);
    if (first === 123 || first === 91 || first === 34) {
      try {
        v = JSON.parse(t) as JsonValue;
      } catch {
        // text that only looks like JSON: compare it as text
      }
    }
  }
  const own = cfg.volatile.get(c.toolName);
  const all = cfg.volatile.get('*');
  if (own) for (const p of own) v = dropPath(v, p, 0);
  if (all) for (const p of all) v = dropPath(v, p, 0);
  return canonical(v);
}

/**
 * The same text as json.ts's canonicalJson (sorted keys, no insignificant whitespace), written for
 * speed: a copy with its keys inserted in sorted order, serialised by the native JSON.stringify
 * (measured about 3x canonicalJson's speed on tau-bench-like arguments). Objects own integer-like
 * keys ("0", "12") in ascending numeric order whatever the insertion order, so a value with a key
 * starting with a digit takes the slow path.
 */
export function canonical(v: JsonValue): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  digitKey = false;
  const copy = sortedCopy(v);
  return digitKey ? canonicalJson(v) : JSON.stringify(copy);
}

let digitKey = false;

function sortedCopy(v: JsonValue): JsonValue {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array<JsonValue>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = sortedCopy(v[i] as JsonValue);
    return out;
  }
  const keys = Object.keys(v);
  if (keys.length > 1) keys.sort();
  const out: { [key: string]: JsonValue } = {};
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57) digitKey = true;
    setOwn(out, k, sortedCopy(v[k] as JsonValue));
  }
  return out;
}

/** `o[k] = x`, also for the key `__proto__` (JSON.parse makes it an ordinary own property; assigning it would set the prototype). */
function setOwn(o: { [key: string]: JsonValue }, k: string, x: JsonValue): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  else o[k] = x;
}

/**
 * The value without the field at `path` (segments of a dotted path). Arrays are transparent (the
 * path applies to each element), `*` matches any key, and `**` any depth (`**.timestamp` drops
 * every `timestamp`). Copies only what changes.
 */
export function dropPath(v: JsonValue, path: readonly string[], i: number): JsonValue {
  if (Array.isArray(v)) {
    let out: JsonValue[] | undefined;
    for (let k = 0; k < v.length; k++) {
      const x = v[k] as JsonValue;
      const y = dropPath(x, path, i);
      if (y !== x) {
        out ??= v.slice();
        out[k] = y;
      }
    }
    return out ?? v;
  }
  if (!isObject(v) || i >= path.length) return v;
  const seg = path[i] as string;
  if (seg === '**') {
    // Either the rest of the path matches here, or somewhere below.
    let out = dropPath(v, path, i + 1);
    if (!isObject(out)) return out;
    let copy: { [key: string]: JsonValue } | undefined;
    for (const k of Object.keys(out)) {
      const x = out[k] as JsonValue;
      const y = dropPath(x, path, i);
      if (y !== x) {
        copy ??= { ...out };
        setOwn(copy, k, y);
      }
    }
    if (copy) out = copy;
    return out;
  }
  const last = i === path.length - 1;
  if (seg === '*') {
    if (last) return Object.keys(v).length === 0 ? v : {};
    let copy: { [key: string]: JsonValue } | undefined;
    for (const k of Object.keys(v)) {
      const x = v[k] as JsonValue;
      const y = dropPath(x, path, i + 1);
      if (y !== x) {
        copy ??= { ...v };
        setOwn(copy, k, y);
      }
    }
    return copy ?? v;
  }
  if (!Object.prototype.hasOwnProperty.call(v, seg)) return v;
  if (last) {
    const copy: { [key: string]: JsonValue } = {};
    for (const k of Object.keys(v)) if (k !== seg) setOwn(copy, k, v[k] as JsonValue);
    return copy;
  }
  const x = v[seg] as JsonValue;
  const y = dropPath(x, path, i + 1);
  if (y === x) return v;
  const copy = { ...v };
  setOwn(copy, seg, y);
  return copy;
}

// ---------------------------------------------------------------------------
// What steps cost

export const noWaste = (): Wasted => ({ tokens: 0, costUsd: 0, ms: 0 });

/** Adds `share` of a step's tokens, cost and time to `w`. */
export function addStep(w: Wasted, step: Step, share = 1): Wasted {
  if (step.tokens) w.tokens += (step.tokens.input + step.tokens.output) * share;
  if (step.costUsd !== undefined) w.costUsd += step.costUsd * share;
  let ms = step.durationMs;
  if (ms === undefined) {
    for (const c of step.calls) if (c.durationMs !== undefined) ms = (ms ?? 0) + c.durationMs;
  }
  if (ms !== undefined) w.ms += ms * share;
  return w;
}

/** Rounds a sum of shares: whole tokens and milliseconds, cost to 1e-9 dollars. */
export function roundWaste(w: Wasted): Wasted {
  return { tokens: Math.round(w.tokens), costUsd: Math.round(w.costUsd * 1e9) / 1e9, ms: Math.round(w.ms) };
}

/** The steps' tokens, cost and time (each counted once). */
export function wasteOfSteps(ctx: RunContext, steps: Iterable<number>): Wasted {
  const w = noWaste();
  for (const s of steps) {
    const info = ctx.steps[s];
    if (info) addStep(w, info.step);
  }
  return roundWaste(w);
}

/** The calls' shares of their steps' tokens, cost and time. */
export function wasteOfCalls(ctx: RunContext, calls: Iterable<CallInfo>): Wasted {
  const w = noWaste();
  for (const c of calls) {
    const info = ctx.steps[c.step];
    if (info) addStep(w, info.step, c.share);
  }
  return roundWaste(w);
}
