/**
 * One problem, one finding. Several repetition rules can describe the same steps (a call that
 * fails the same way four times in a row is a repeated call, an error retry and a high error
 * rate at once), so findings are kept in this order of precedence, and a finding is dropped
 * when every one of its steps (think steps aside) is already named by kept findings at least
 * as severe:
 *
 *   loop > error-retry > no-progress > repeated-call > tool-error
 *
 * - loop first: it names the whole cycle, and its message says which of its calls fail.
 * - error-retry before no-progress: the same failure repeated is the more specific story.
 * - repeated-call after them: "in a row" adds nothing once the repeats are reported, unless it is
 *   more severe (5 in a row escalates to error while, say, error-retry was set to warning).
 * - tool-error last: a high error rate made only of the retries already reported is no news.
 *
 * Every other rule (max-steps, no-final-answer, empty-trajectory, budgets, expected-trajectory)
 * is about the run as a whole and is always kept.
 */
import type { Finding, FindingSeverity, RuleId } from '../findings';

export const precedence: readonly RuleId[] = ['loop', 'error-retry', 'no-progress', 'repeated-call', 'tool-error'];

const rank: Record<FindingSeverity, number> = { info: 0, warning: 1, error: 2 };
const family: ReadonlySet<RuleId> = new Set(precedence);

/** Drops findings that repeat what a finding of higher precedence already says. */
export function applyPrecedence(findings: readonly Finding[], isThink: (step: number) => boolean): Finding[] {
  if (findings.length < 2) return [...findings];
  const covered = new Map<number, number>(); // step → highest severity rank of kept findings naming it
  const dropped = new Set<Finding>();
  for (const rule of precedence) {
    for (const f of findings) {
      if (f.rule !== rule) continue;
      const own = rank[f.severity];
      const steps = f.steps.filter((s) => !isThink(s));
      if (steps.length > 0 && steps.every((s) => (covered.get(s) ?? -1) >= own)) {
        dropped.add(f);
        continue;
      }
      for (const s of steps) covered.set(s, Math.max(covered.get(s) ?? -1, own));
    }
  }
  return findings.filter((f) => !family.has(f.rule) || !dropped.has(f));
}
