/** `max-steps`: the agent took more steps (llm, tool, think and final turns) than `max`. */
import { isAgentStep } from '../model';
import { defaultSeverities } from './defaults';
import { wasteOfSteps } from './context';
import { stepList } from './text';
import { defineRule } from './types';

export const maxStepsRule = defineRule({
  id: 'max-steps',
  defaultSeverity: defaultSeverities['max-steps'],
  summary: 'The agent took more steps than the maximum.',
  check(ctx, s) {
    const t = ctx.trajectory;
    const agentSteps = t.totals.agentSteps;
    if (agentSteps <= s.max) return [];
    // The steps beyond the maximum: what the run spent after it should have stopped.
    const over: number[] = [];
    let seen = 0;
    for (const step of t.steps) {
      if (!isAgentStep(step)) continue;
      if (++seen > s.max) over.push(step.index);
    }
    return [
      {
        rule: 'max-steps',
        severity: s.severity,
        steps: over,
        message: `${agentSteps} agent steps, more than the maximum of ${s.max}${over.length > 0 ? ` (${stepList(over)} ${over.length === 1 ? 'is' : 'are'} beyond it)` : ''}`,
        wasted: wasteOfSteps(ctx, over),
      },
    ];
  },
});
