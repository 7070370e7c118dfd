/** Rules about how the run went as a whole: tool-error, no-final-answer, empty-trajectory. */
import type { Finding } from '../findings';
import { noWaste, wasteOfCalls, type CallInfo, type RunContext } from './context';
import { defaultSeverities } from './defaults';
import { percent, stepList, uniqueSteps } from './text';
import { defineRule, type SettingsOf } from './types';

export const toolErrorRule = defineRule({
  id: 'tool-error',
  defaultSeverity: defaultSeverities['tool-error'],
  summary: 'More tool calls failed than the allowed error rate.',
  check(ctx: RunContext, s: SettingsOf<'tool-error'>): Finding[] {
    const calls = ctx.calls;
    if (calls.length === 0 || calls.length < s.minCalls) return [];
    const failed = calls.filter((c) => c.call.isError);
    const rate = failed.length / calls.length;
    if (rate <= s.maxErrorRate || failed.length === 0) return [];
    const byTool = new Map<string, number>();
    for (const c of failed) byTool.set(c.call.toolName, (byTool.get(c.call.toolName) ?? 0) + 1);
    const tools = [...byTool]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => (n === 1 ? name : `${name} ×${n}`))
      .join(', ');
    const steps = uniqueSteps(failed.map((c: CallInfo) => c.step));
    return [
      {
        rule: 'tool-error',
        severity: s.severity,
        steps,
        message: `${failed.length} of ${calls.length} tool calls failed (${percent(rate)}, above ${percent(s.maxErrorRate)}): ${tools} (${stepList(steps)})`,
        wasted: wasteOfCalls(ctx, failed),
      },
    ];
  },
});

export const noFinalAnswerRule = defineRule({
  id: 'no-final-answer',
  defaultSeverity: defaultSeverities['no-final-answer'],
  summary: 'The run ended without a final answer, a submit or a finish.',
  check(ctx: RunContext, s: SettingsOf<'no-final-answer'>): Finding[] {
    const t = ctx.trajectory;
    const o = t.outcome;
    if (o.status === 'final-answer' || o.status === 'submitted' || o.status === 'empty' || t.totals.agentSteps === 0) return [];
    const lead = o.status === 'limit' ? 'the run was stopped by a limit before a final answer' : o.status === 'error' ? 'the run failed before a final answer' : 'the run ended without a final answer';
    const last = t.steps.length - 1;
    return [
      {
        rule: 'no-final-answer',
        severity: s.severity,
        steps: last >= 0 ? [last] : [],
        message: `${lead}: ${o.reason}${o.error && !o.reason.includes(o.error) ? ` (${o.error})` : ''}`,
        wasted: noWaste(),
      },
    ];
  },
});

export const emptyTrajectoryRule = defineRule({
  id: 'empty-trajectory',
  defaultSeverity: defaultSeverities['empty-trajectory'],
  summary: 'The run has no agent step at all.',
  check(ctx: RunContext, s: SettingsOf<'empty-trajectory'>): Finding[] {
    const t = ctx.trajectory;
    if (t.outcome.status !== 'empty' && t.totals.agentSteps > 0) return [];
    const steps = t.steps.map((x) => x.index);
    const why = t.outcome.reason || (t.outcome.error ? `it crashed (${t.outcome.error})` : 'no agent step');
    return [
      {
        rule: 'empty-trajectory',
        severity: s.severity,
        steps,
        message: `empty trajectory: ${why}${steps.length > 0 ? ` (${stepList(steps)})` : ''}`,
        wasted: noWaste(),
      },
    ];
  },
});
