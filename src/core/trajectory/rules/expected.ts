/**
 * `expected-trajectory`: the run's tool calls against a reference list (agentevals' trajectory
 * match, ADK's tool trajectory). Silent unless `calls` is set.
 *
 * Order (`order`):
 * - strict: the same calls in the same order, nothing more, nothing less;
 * - unordered: the same calls as a multiset (order ignored);
 * - subset: every call of the run is in the reference (the agent did nothing extra);
 * - superset: every reference call is in the run (extra calls are fine).
 * Arguments (`arguments`), compared after dropping volatile fields:
 * - exact: equal as canonical JSON; ignore: only the tool name counts;
 * - subset: the run's arguments are contained in the expected ones;
 * - superset: the run's arguments contain the expected ones (extra fields are fine).
 * An expected call without `args` matches any arguments. Think-tool calls are left out of the
 * run's calls unless the reference names a think tool. Matching is one-to-one (a maximum
 * bipartite matching), so a repeated reference call needs as many run calls.
 */
import type { ArgumentMatch, ExpectedCall, Finding } from '../findings';
import { canonicalJson, isObject } from '../json';
import type { JsonValue } from '../model';
import { dropPath, wasteOfCalls, type CallInfo, type RunContext } from './context';
import { defaultSeverities } from './defaults';
import { stepList, uniqueSteps } from './text';
import { defineRule, type SettingsOf } from './types';

interface Actual {
  info: CallInfo;
  tool: string;
  args: JsonValue;
}

export const expectedTrajectoryRule = defineRule({
  id: 'expected-trajectory',
  defaultSeverity: defaultSeverities['expected-trajectory'],
  summary: 'The tool calls do not match the expected trajectory (off unless `calls` is set).',
  check(ctx: RunContext, s: SettingsOf<'expected-trajectory'>): Finding[] {
    const expected = s.calls;
    if (!expected) return [];
    const named = new Set(expected.map((e) => e.tool));
    const actual: Actual[] = [];
    for (const info of ctx.steps) {
      const share = 1 / Math.max(1, info.step.calls.length);
      for (const call of info.step.calls) {
        if (ctx.cfg.thinkTools.has(call.toolName) && !named.has(call.toolName)) continue;
        const ci = info.calls.find((c) => c.call === call) ?? { step: info.step.index, call, key: -1, result: -1, polling: false, share };
        actual.push({ info: ci, tool: call.toolName, args: parseCanonical(call.canonicalArguments) });
      }
    }
    const exp = expected.map((e) => ({ tool: e.tool, args: e.args === undefined ? undefined : dropVolatile(ctx, e.tool, e.args as JsonValue) }));
    const ok = (a: Actual, e: (typeof exp)[number]): boolean => a.tool === e.tool && argsMatch(a.args, e.args, s.arguments);

    const missing: ExpectedCall[] = [];
    const extra: Actual[] = [];
    let mismatch: string | undefined;
    if (s.order === 'strict') {
      const n = Math.min(actual.length, exp.length);
      for (let i = 0; i < n; i++) {
        const a = actual[i] as Actual;
        const e = exp[i] as (typeof exp)[number];
        if (!ok(a, e)) {
          mismatch = `call ${i + 1} (step ${a.info.step}) is ${describe(a.tool, a.args)}, expected ${describe(e.tool, e.args)}`;
          extra.push(...actual.slice(i));
          break;
        }
      }
      if (!mismatch) {
        extra.push(...actual.slice(n));
        missing.push(...(expected.slice(n) as ExpectedCall[]));
      }
    } else {
      const { matchOfActual, matchOfExpected } = maximumMatching(actual, exp, ok);
      if (s.order !== 'superset') actual.forEach((a, i) => matchOfActual[i] === -1 && extra.push(a));
      if (s.order !== 'subset') expected.forEach((e, j) => matchOfExpected[j] === -1 && missing.push(e));
    }
    if (!mismatch && missing.length === 0 && extra.length === 0) return [];

    const parts: string[] = [];
    if (mismatch) parts.push(mismatch);
    if (missing.length > 0) parts.push(`missing ${list(missing.map((e) => describe(e.tool, e.args as JsonValue | undefined)))}`);
    if (extra.length > 0 && !mismatch) parts.push(`unexpected ${list(extra.map((a) => `${describe(a.tool, a.args)} at step ${a.info.step}`))}`);
    const steps = uniqueSteps(extra.map((a) => a.info.step));
    return [
      {
        rule: 'expected-trajectory',
        severity: s.severity,
        steps,
        message: `the tool calls do not match the expected trajectory (${s.order}, arguments ${s.arguments}): ${parts.join('; ')}${mismatch && steps.length > 0 ? ` (${stepList(steps)})` : ''}`,
        wasted: wasteOfCalls(
          ctx,
          extra.map((a) => a.info),
        ),
      },
    ];
  },
});

function dropVolatile(ctx: RunContext, tool: string, v: JsonValue): JsonValue {
  for (const key of [tool, '*']) for (const p of ctx.cfg.volatile.get(key) ?? []) v = dropPath(v, p, 0);
  return v;
}

function parseCanonical(s: string | undefined): JsonValue {
  if (s === undefined) return null;
  try {
    return JSON.parse(s) as JsonValue;
  } catch {
    return s;
  }
}

/** Whether a run's arguments match an expected call's (absent = any). */
export function argsMatch(actual: JsonValue, expected: JsonValue | undefined, mode: ArgumentMatch): boolean {
  if (expected === undefined || mode === 'ignore') return true;
  if (mode === 'exact') return canonicalJson(actual) === canonicalJson(expected);
  return mode === 'subset' ? contained(actual, expected) : contained(expected, actual);
}

/** `a` is contained in `b`: every field of `a` is in `b` with a contained value; arrays element by element. */
function contained(a: JsonValue, b: JsonValue): boolean {
  if (isObject(a)) {
    if (!isObject(b)) return false;
    for (const k of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !contained(a[k] as JsonValue, b[k] as JsonValue)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => contained(x, b[i] as JsonValue));
  return canonicalJson(a) === canonicalJson(b);
}

/** Kuhn's augmenting paths: small inputs (a run's calls, a reference list). */
function maximumMatching<A, E>(as: readonly A[], es: readonly E[], ok: (a: A, e: E) => boolean): { matchOfActual: number[]; matchOfExpected: number[] } {
  const adj = as.map((a) => es.map((e, j) => (ok(a, e) ? j : -1)).filter((j) => j >= 0));
  const matchOfExpected = es.map(() => -1);
  const matchOfActual = as.map(() => -1);
  const tryAugment = (i: number, seen: boolean[]): boolean => {
    for (const j of adj[i] ?? []) {
      if (seen[j]) continue;
      seen[j] = true;
      const other = matchOfExpected[j] as number;
      if (other === -1 || tryAugment(other, seen)) {
        matchOfExpected[j] = i;
        matchOfActual[i] = j;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < as.length; i++) tryAugment(i, es.map(() => false));
  return { matchOfActual, matchOfExpected };
}

function describe(tool: string, args: JsonValue | undefined): string {
  if (args === undefined) return tool;
  const a = canonicalJson(args);
  return `${tool}(${a.length > 60 ? `${a.slice(0, 59)}…` : a})`;
}

function list(xs: string[], max = 3): string {
  return xs.length > max ? `${xs.slice(0, max).join(', ')} and ${xs.length - max} more` : xs.join(', ');
}
