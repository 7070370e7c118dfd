/**
 * `repeated-call`: the same step (the same tool calls with the same canonical arguments) several
 * times in a row. Think steps between the repeats are transparent (`call → think → call` is two
 * in a row); a user message, a reply or any other call ends the streak. Polling tools are exempt.
 * Warning at `warnAt`, error at `errorAt`.
 */
import type { Finding } from '../findings';
import { defaultSeverities } from './defaults';
import { wasteOfSteps, type RunContext } from './context';
import { argsPreview, stepLabel, stepList } from './text';
import { defineRule, type SettingsOf } from './types';

/** Streaks of equal keys in the action sequence: [start, end) positions in ctx.seq. */
export function streaks(ctx: RunContext, minLength: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const { seq } = ctx;
  let start = 0;
  for (let i = 1; i <= seq.length; i++) {
    if (i < seq.length && seq[i] === seq[start] && (seq[i] as number) >= 0) continue;
    if (i - start >= minLength && (seq[start] as number) >= 0) out.push({ start, end: i });
    start = i;
  }
  return out;
}

export const repeatedCallRule = defineRule({
  id: 'repeated-call',
  defaultSeverity: defaultSeverities['repeated-call'],
  summary: 'The same call, with the same arguments, several times in a row.',
  check(ctx: RunContext, s: SettingsOf<'repeated-call'>): Finding[] {
    const findings: Finding[] = [];
    for (const { start, end } of streaks(ctx, Math.max(2, s.warnAt))) {
      const first = ctx.stepOf[start] as number;
      const info = ctx.steps[first];
      if (!info || info.calls.length === 0 || info.polling) continue;
      const n = end - start;
      const repeats: number[] = [];
      for (let i = start; i < end; i++) repeats.push(ctx.stepOf[i] as number);
      const last = repeats[repeats.length - 1] as number;
      // The span includes the think steps between the repeats: the loop spent them too.
      const span: number[] = [];
      for (let k = first; k <= last; k++) span.push(k);
      const thinks = span.length > repeats.length;
      const only = info.calls.length === 1 ? info.calls[0] : undefined;
      const call = ` with the same arguments${only ? argsPreview(only) : ''}`;
      findings.push({
        rule: 'repeated-call',
        severity: s.errorAt > 0 && n >= s.errorAt ? 'error' : s.severity,
        steps: span,
        message: `${stepLabel(ctx, first)} called ${n} times in a row${call}${thinks ? ', only thinking between' : ''} (${stepList(repeats)})`,
        wasted: wasteOfSteps(ctx, span.slice(1)),
      });
    }
    return findings;
  },
});
