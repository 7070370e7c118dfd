/**
 * The critical path: the chain of spans that determines a trace's end-to-end
 * latency. Jaeger's algorithm (jaeger-ui TraceCriticalPath): from the root's end,
 * walk backwards in time, each time descending into the child that finished last
 * before the point reached, then continuing in the parent from that child's start.
 * It is only meaningful on a sound tree, so it refuses (with the reason) instead of
 * returning a misleading or empty path: cut cycles, clock skew beyond a tolerance,
 * inverted times, no root.
 */
import type { Trace } from './model';

export type CriticalPathResult = { ok: true; spans: number[] } | { ok: false; reason: string };

export interface CriticalPathOptions {
  /** How far a child may start before or end after its parent before it counts as clock skew (default 1 ms). */
  skewToleranceNs?: bigint;
}

const fail = (reason: string): CriticalPathResult => ({ ok: false, reason });

export function criticalPath(trace: Trace, root?: number, options: CriticalPathOptions = {}): CriticalPathResult {
  const tolerance = options.skewToleranceNs ?? 1_000_000n;
  const r = root ?? trace.roots[0];
  if (trace.spans.length === 0) return fail('The trace has no spans.');
  if (r === undefined) return fail('The trace has no root span.');
  if (!Number.isInteger(r) || r < 0 || r >= trace.spans.length) return fail(`Span index ${r} is not in this trace.`);

  // The subtree under the root, parents before children.
  const order: number[] = [r];
  const inTree = new Uint8Array(trace.spans.length);
  inTree[r] = 1;
  for (let k = 0; k < order.length; k++) {
    for (const c of trace.children[order[k] as number] ?? []) {
      if (inTree[c]) return fail('The span tree has a cycle under this root.');
      inTree[c] = 1;
      order.push(c);
    }
  }
  const cut = trace.cutCycles.filter(([child, parent]) => inTree[child] || inTree[parent]);
  if (cut.length > 0) {
    const names = cut.map(([c]) => `"${trace.spans[c]?.name ?? c}"`).join(', ');
    return fail(`The trace's parent links form a cycle (cut at ${names}), so which span waits for which is unknown.`);
  }

  // Times relative to the root, clamped into the parent when within the tolerance.
  const start = new Map<number, bigint>();
  const end = new Map<number, bigint>();
  for (const i of order) {
    const s = trace.spans[i];
    if (!s) continue;
    if (s.endNs < s.startNs) return fail(`Span "${s.name}" ends before it starts.`);
    const p = i === r ? -1 : (trace.parent[i] ?? -1);
    if (p < 0) {
      start.set(i, s.startNs);
      end.set(i, s.endNs);
      continue;
    }
    const ps = start.get(p) as bigint;
    const pe = end.get(p) as bigint;
    if (s.startNs < ps - tolerance) return fail(`Clock skew: span "${s.name}" starts ${ms(ps - s.startNs)} before its parent "${trace.spans[p]?.name}".`);
    if (s.endNs > pe + tolerance) return fail(`Clock skew: span "${s.name}" ends ${ms(s.endNs - pe)} after its parent "${trace.spans[p]?.name}".`);
    const cs = s.startNs < ps ? ps : s.startNs > pe ? pe : s.startNs;
    const ce = s.endNs > pe ? pe : s.endNs < cs ? cs : s.endNs;
    start.set(i, cs);
    end.set(i, ce);
  }

  // Children by end time, latest first: a frame scans them once, as its boundary only moves back.
  const byEnd = (i: number): number[] => [...(trace.children[i] ?? [])].sort((a, b) => cmp(end.get(b) as bigint, end.get(a) as bigint));
  interface Frame {
    span: number;
    until: bigint;
    kids: number[];
    next: number;
  }
  const sections: { span: number; from: bigint }[] = [];
  const stack: Frame[] = [{ span: r, until: end.get(r) as bigint, kids: byEnd(r), next: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    let child: number | undefined;
    while (f.next < f.kids.length) {
      const c = f.kids[f.next++] as number;
      if ((end.get(c) as bigint) <= f.until) {
        child = c;
        break;
      }
    }
    if (child !== undefined) {
      sections.push({ span: f.span, from: end.get(child) as bigint });
      f.until = start.get(child) as bigint;
      stack.push({ span: child, until: end.get(child) as bigint, kids: byEnd(child), next: 0 });
    } else {
      sections.push({ span: f.span, from: start.get(f.span) as bigint });
      stack.pop();
    }
  }
  // Sections were found walking backwards; report each span once, in time order.
  const spans: number[] = [];
  const seen = new Set<number>();
  for (let k = sections.length - 1; k >= 0; k--) {
    const s = (sections[k] as { span: number }).span;
    if (!seen.has(s)) {
      seen.add(s);
      spans.push(s);
    }
  }
  return { ok: true, spans };
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const ms = (ns: bigint): string => `${Number(ns) / 1e6} ms`;
