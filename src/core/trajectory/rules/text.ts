/** Small helpers for findings' messages: step lists, quotes and argument previews. */
import type { CallInfo, RunContext } from './context';

/** "step 4", "steps 3, 7, 11, 15", "steps 30–37", "steps 2, 5–9, 12"; long lists end with "… (n steps)". */
export function stepList(steps: readonly number[], maxItems = 12): string {
  if (steps.length === 0) return 'no step';
  if (steps.length === 1) return `step ${steps[0]}`;
  const parts: string[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j + 1 < steps.length && (steps[j + 1] as number) === (steps[j] as number) + 1) j++;
    if (j - i >= 2) {
      parts.push(`${steps[i]}–${steps[j]}`);
      i = j + 1;
    } else {
      parts.push(String(steps[i]));
      i++;
    }
  }
  if (parts.length > maxItems) return `steps ${parts.slice(0, maxItems).join(', ')}, … (${steps.length} steps)`;
  return `steps ${parts.join(', ')}`;
}

/** A single-line quote of at most `max` characters. */
export function quote(s: string, max = 100): string {
  const one = s.trim().replace(/\s+/g, ' ');
  return `'${one.length > max ? `${one.slice(0, max - 1)}…` : one}'`;
}

/** The canonical arguments of a call for a message, with a leading space; nothing when empty or longer than `max` (a payload is noise). */
export function argsPreview(c: CallInfo, max = 80): string {
  const a = c.call.canonicalArguments ?? '';
  if (a === '' || a === 'null' || a === '{}' || a === '""' || a.length > max || /[\n\r]/.test(a)) return '';
  return ` ${a}`;
}

/** What a step did, for naming a cycle's elements: its tools ("a + b"), or the kind of text. */
export function stepLabel(ctx: RunContext, index: number): string {
  const info = ctx.steps[index];
  if (!info) return '?';
  if (info.calls.length > 0) return info.calls.map((c) => c.call.toolName || '(unnamed tool)').join(' + ');
  if (info.think) return info.step.calls[0]?.toolName ?? 'thinking';
  switch (info.step.kind) {
    case 'error':
      return 'an error';
    case 'final':
      return 'a final answer';
    default:
      return 'a text reply';
  }
}

export const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

export const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** Unique, sorted step indices. */
export function uniqueSteps(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
