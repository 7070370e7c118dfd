import { DiagnosticSink } from '../diagnostics';
import type { Span, Trace, TraceDiagnostic } from './model';
import type { PendingLog } from './normalize';

/**
 * Builds Traces from the spans of every line and file, in the order read:
 * groups by trace id, drops duplicates, links parents (children may come
 * before them), cuts parent cycles, and sorts. Every step is linear or a
 * single sort, and every walk is iterative, so a 100k-span chain is fine.
 */

export interface Assembled {
  traces: Trace[];
  diagnostics: TraceDiagnostic[];
}

export function assemble(spans: Span[], logs: PendingLog[] = []): Assembled {
  const sinks = new Map<string, DiagnosticSink>();
  const sink = (file: string): DiagnosticSink => {
    let s = sinks.get(file);
    if (!s) sinks.set(file, (s = new DiagnosticSink(file)));
    return s;
  };

  const groups = new Map<string, Span[]>();
  for (const s of spans) {
    const g = groups.get(s.traceId);
    if (g) g.push(s);
    else groups.set(s.traceId, [s]);
  }
  const traces: Trace[] = [];
  for (const [traceId, group] of groups) traces.push(buildTrace(traceId, group, sink));
  traces.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
  attachLogs(traces, logs);

  const diagnostics: TraceDiagnostic[] = [];
  for (const s of sinks.values()) diagnostics.push(...s.finish());
  return { traces, diagnostics };
}

function where(s: Span): string {
  return `${s.source.file}:${s.source.line}`;
}

function buildTrace(traceId: string, group: Span[], sink: (file: string) => DiagnosticSink): Trace {
  // 1. Duplicates (same trace and span id): keep the first. Spans without an id are never duplicates.
  const byId = new Map<string, number>();
  const kept: Span[] = [];
  for (const s of group) {
    if (s.spanId === '') {
      kept.push(s);
      continue;
    }
    const first = byId.get(s.spanId);
    if (first !== undefined) {
      const f = kept[first] as Span;
      sink(s.source.file).add('warning', 'duplicate-span', `span ${s.spanId} ("${s.name}") of trace ${traceId} appears again at ${where(s)} (first at ${where(f)}); the first was kept`, s.source.line);
      continue;
    }
    byId.set(s.spanId, kept.length);
    kept.push(s);
  }
  const n = kept.length;

  // 2. Parent links by index; a parent id not in the trace makes an orphan.
  const parentOf = new Int32Array(n).fill(-1);
  const orphan = new Uint8Array(n);
  let firstOrphan = -1;
  let orphanCount = 0;
  for (let i = 0; i < n; i++) {
    const pid = (kept[i] as Span).parentSpanId;
    if (pid === undefined) continue;
    const p = byId.get(pid);
    if (p === undefined) {
      orphan[i] = 1;
      orphanCount++;
      if (firstOrphan < 0) firstOrphan = i;
    } else parentOf[i] = p;
  }
  if (firstOrphan >= 0) {
    const s = kept[firstOrphan] as Span;
    sink(s.source.file).add('info', 'orphan', `trace ${traceId}: ${orphanCount} span(s) whose parent is not in the file(s), shown as roots (first: "${s.name}", parent ${s.parentSpanId ?? ''})`, s.source.line);
  }

  // 3. Cycles: walk up from each unvisited span; meeting the current path again closes a cycle, whose last link is cut.
  const state = new Uint8Array(n); // 0 unvisited, 1 on the current path, 2 done
  const cut = new Uint8Array(n);
  const cutLinks: [number, number][] = [];
  const path: number[] = [];
  for (let i = 0; i < n; i++) {
    if (state[i] !== 0) continue;
    path.length = 0;
    let j = i;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      path.push(j);
      j = parentOf[j] as number;
    }
    if (j !== -1 && state[j] === 1) {
      const child = path[path.length - 1] as number;
      cutLinks.push([child, j]);
      parentOf[child] = -1;
      cut[child] = 1;
      const s = kept[child] as Span;
      sink(s.source.file).add('warning', 'parent-cycle', `trace ${traceId}: the parent links of span ${s.spanId} ("${s.name}") form a cycle; its link to ${s.parentSpanId ?? ''} was cut and it is shown as a root`, s.source.line);
    }
    for (const k of path) state[k] = 2;
  }

  // 4. Order by start (then arrival), and children / roots in that order.
  const order = Array.from({ length: n }, (_, i) => i);
  const start = kept.map((s) => s.startNs);
  order.sort((a, b) => {
    const x = start[a] as bigint;
    const y = start[b] as bigint;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const kids: number[][] = Array.from({ length: n }, () => []);
  const trueRoots: number[] = [];
  const otherRoots: number[] = [];
  for (const i of order) {
    const p = parentOf[i] as number;
    if (p >= 0) (kids[p] as number[]).push(i);
    else if (orphan[i] || cut[i]) otherRoots.push(i);
    else trueRoots.push(i);
  }

  // 5. Equal starts go in tree order (a parent before its child): rank by an iterative preorder walk.
  const rank = new Int32Array(n);
  let next = 0;
  const stack: number[] = [];
  const rootsOld = trueRoots.concat(otherRoots);
  for (let r = rootsOld.length - 1; r >= 0; r--) stack.push(rootsOld[r] as number);
  while (stack.length > 0) {
    const i = stack.pop() as number;
    rank[i] = next++;
    const c = kids[i] as number[];
    for (let k = c.length - 1; k >= 0; k--) stack.push(c[k] as number);
  }
  for (let a = 0; a < n; ) {
    let b = a + 1;
    while (b < n && start[order[b] as number] === start[order[a] as number]) b++;
    if (b - a > 1) {
      const run = order.slice(a, b).sort((x, y) => (rank[x] as number) - (rank[y] as number));
      for (let k = 0; k < run.length; k++) order[a + k] = run[k] as number;
    }
    a = b;
  }

  // 6. Re-index everything to the sorted order.
  const pos = new Int32Array(n);
  order.forEach((old, p) => (pos[old] = p));
  const sorted = order.map((old) => kept[old] as Span);
  const parent = new Int32Array(n);
  const children: number[][] = Array.from({ length: n }, () => []);
  const roots: number[] = [];
  const others: number[] = [];
  const orphans: number[] = [];
  let endNs = n > 0 ? (sorted[0] as Span).endNs : 0n;
  for (let p = 0; p < n; p++) {
    const old = order[p] as number;
    const op = parentOf[old] as number;
    const np = op >= 0 ? (pos[op] as number) : -1;
    parent[p] = np;
    if (np >= 0) (children[np] as number[]).push(p);
    else if (orphan[old] || cut[old]) others.push(p);
    else roots.push(p);
    if (orphan[old]) orphans.push(p);
    const e = (sorted[p] as Span).endNs;
    if (e > endNs) endNs = e;
  }
  return {
    traceId,
    spans: sorted,
    parent,
    children,
    roots: roots.concat(others),
    orphans,
    cutCycles: cutLinks.map(([c, p]) => [pos[c] as number, pos[p] as number]),
    startNs: n > 0 ? (sorted[0] as Span).startNs : 0n,
    endNs,
  };
}

/** Log records go to their span by span id (GenAI events often arrive as logs); the others are only counted. */
function attachLogs(traces: Trace[], logs: PendingLog[]): void {
  const bySpanId = new Map<string, Span>();
  const byBoth = new Map<string, Span>();
  for (const t of traces) {
    for (const s of t.spans) {
      // A followed file's spans are assembled again after each read: start from none.
      if (s.logs.length > 0) s.logs = [];
      if (s.spanId === '' || logs.length === 0) continue;
      if (!bySpanId.has(s.spanId)) bySpanId.set(s.spanId, s);
      byBoth.set(`${s.traceId}/${s.spanId}`, s);
    }
  }
  const touched = new Set<Span>();
  for (const { traceId, spanId, log } of logs) {
    if (spanId === '') continue;
    // The trace id disambiguates a (rare) span id shared by two traces; logs often leave it empty.
    const s = byBoth.get(`${traceId}/${spanId}`) ?? bySpanId.get(spanId);
    if (!s) continue;
    s.logs.push(log);
    touched.add(s);
  }
  for (const s of touched) s.logs.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
}
