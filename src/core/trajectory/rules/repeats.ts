/**
 * `error-retry` and `no-progress`: the same call (tool + canonical arguments) anywhere in the run,
 * failing `minRepeats` times or more (error-retry), or succeeding with the same result
 * `minRepeats` times or more (no-progress). Counting is by call, with hash maps: linear.
 */
import type { Finding } from '../findings';
import { defaultSeverities } from './defaults';
import { wasteOfCalls, type CallInfo, type RunContext } from './context';
import { argsPreview, quote, stepList, uniqueSteps } from './text';
import { defineRule, type SettingsOf } from './types';

/** Groups of calls by a numeric key, in order of first occurrence. */
function groupBy(calls: readonly CallInfo[], keyOf: (c: CallInfo) => number | string | undefined): CallInfo[][] {
  const groups = new Map<number | string, CallInfo[]>();
  for (const c of calls) {
    const k = keyOf(c);
    if (k === undefined) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  return [...groups.values()];
}

export const errorRetryRule = defineRule({
  id: 'error-retry',
  defaultSeverity: defaultSeverities['error-retry'],
  summary: 'The same call, with the same arguments, failing three or more times.',
  check(ctx: RunContext, s: SettingsOf<'error-retry'>): Finding[] {
    const findings: Finding[] = [];
    const total = new Map<number, number>();
    for (const c of ctx.calls) total.set(c.key, (total.get(c.key) ?? 0) + 1);
    for (const g of groupBy(ctx.calls, (c) => (c.call.isError ? c.key : undefined))) {
      if (g.length < s.minRepeats) continue;
      const first = g[0] as CallInfo;
      const n = total.get(first.key) ?? g.length;
      const distinct = new Set(g.map((c) => c.result));
      const steps = uniqueSteps(g.map((c) => c.step));
      const how =
        distinct.size === 1
          ? first.call.result !== undefined && first.call.result.trim() !== ''
            ? `with ${quote(first.call.result)}`
            : ''
          : `with ${distinct.size} different errors, the last ${quote((g[g.length - 1] as CallInfo).call.result ?? '')}`;
      const failing = n === g.length ? `failing each time${how ? ` ${how}` : ''}` : `failing ${g.length} of them${how ? ` ${how}` : ''}`;
      findings.push({
        rule: 'error-retry',
        severity: s.severity,
        steps,
        message: `${first.call.toolName} called ${n} times with the same arguments${argsPreview(first)}, ${failing} (${stepList(steps)})`,
        wasted: wasteOfCalls(ctx, g.slice(1)),
      });
    }
    return findings;
  },
});

export const noProgressRule = defineRule({
  id: 'no-progress',
  defaultSeverity: defaultSeverities['no-progress'],
  summary: 'The same call returning the same result three or more times.',
  check(ctx: RunContext, s: SettingsOf<'no-progress'>): Finding[] {
    const findings: Finding[] = [];
    // Failing calls are error-retry's; calls with no recorded result cannot show progress or its absence.
    const key = (c: CallInfo): string | undefined => (c.call.isError || c.polling || c.result < 0 ? undefined : `${c.key}:${c.result}`);
    for (const g of groupBy(ctx.calls, key)) {
      if (g.length < s.minRepeats) continue;
      const first = g[0] as CallInfo;
      const steps = uniqueSteps(g.map((c) => c.step));
      const result = first.call.result ?? '';
      findings.push({
        rule: 'no-progress',
        severity: s.severity,
        steps,
        message: `${first.call.toolName} called ${g.length} times with the same arguments${argsPreview(first)}, returning the same result each time${result.trim() === '' ? ' (empty)' : `: ${quote(result, 60)}`} (${stepList(steps)})`,
        wasted: wasteOfCalls(ctx, g.slice(1)),
      });
    }
    return findings;
  },
});
