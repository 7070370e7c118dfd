import * as assert from 'node:assert/strict';
import { assemble } from '../../../../src/core/otlp/assemble';
import type { Span, Trace } from '../../../../src/core/otlp/model';
import { readTraceText } from '../../../../src/core/otlp/reader';

const resource = { attributes: {}, serviceName: 'svc' };

function span(spanId: string, parentSpanId: string | undefined, start: number, opts: { traceId?: string; line?: number; end?: number } = {}): Span {
  const s: Span = {
    traceId: opts.traceId ?? 't1',
    spanId,
    name: spanId,
    kind: 'internal',
    startNs: BigInt(start),
    endNs: BigInt(opts.end ?? start + 10),
    attributes: {},
    resource,
    scope: { name: '' },
    events: [],
    links: [],
    status: { code: 'unset' },
    logs: [],
    source: { file: 'f.jsonl', line: opts.line ?? 1 },
  };
  if (parentSpanId !== undefined) s.parentSpanId = parentSpanId;
  return s;
}

const names = (t: Trace, idx: number[]): string[] => idx.map((i) => (t.spans[i] as Span).spanId);

/** Checks the invariants every Trace keeps. */
function checkTrace(t: Trace): void {
  const n = t.spans.length;
  assert.equal(t.parent.length, n);
  assert.equal(t.children.length, n);
  for (let i = 1; i < n; i++) assert.ok((t.spans[i - 1] as Span).startNs <= (t.spans[i] as Span).startNs);
  let childCount = 0;
  t.children.forEach((c, p) => {
    childCount += c.length;
    for (const k of c) assert.equal(t.parent[k], p);
  });
  assert.equal(childCount + t.roots.length, n);
  for (const r of t.roots) assert.equal(t.parent[r], -1);
}

describe('core/otlp/assemble', () => {
  it('links children written before their parents, sorts by start, and puts equal starts in tree order', () => {
    const { traces, diagnostics } = assemble([span('c', 'b', 100, { line: 1 }), span('b', 'a', 100, { line: 2 }), span('d', 'a', 50, { line: 3 }), span('a', undefined, 100, { line: 4, end: 300 })]);
    assert.deepEqual(diagnostics, []);
    const [t] = traces;
    assert.ok(t);
    checkTrace(t);
    assert.deepEqual(names(t, [0, 1, 2, 3]), ['d', 'a', 'b', 'c']);
    assert.deepEqual(names(t, t.roots), ['a']);
    assert.deepEqual(names(t, t.children[1] as number[]), ['d', 'b']);
    assert.deepEqual(names(t, t.children[2] as number[]), ['c']);
    assert.equal(t.startNs, 50n);
    assert.equal(t.endNs, 300n);
  });

  it('keeps the first of duplicate spans and names both lines', () => {
    const { traces, diagnostics } = assemble([span('a', undefined, 1, { line: 3 }), span('a', undefined, 2, { line: 9 })]);
    assert.equal(traces[0]?.spans.length, 1);
    assert.equal(traces[0]?.spans[0]?.startNs, 1n);
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d?.code, 'duplicate-span');
    assert.equal(d?.severity, 'warning');
    assert.equal(d?.line, 9);
    assert.match(d?.message ?? '', /f\.jsonl:9.*f\.jsonl:3/);
  });

  it('shows orphans as roots after the true roots, with one diagnostic per trace', () => {
    const { traces, diagnostics } = assemble([span('o1', 'missing', 1), span('r', undefined, 5), span('o2', 'gone', 2), span('x', 'r', 6)]);
    const [t] = traces;
    assert.ok(t);
    checkTrace(t);
    assert.deepEqual(names(t, t.roots), ['r', 'o1', 'o2']);
    assert.deepEqual(names(t, t.orphans), ['o1', 'o2']);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['orphan', 'info']],
    );
  });

  it('cuts the link that closes a 3-span cycle and a self-parent', () => {
    const { traces, diagnostics } = assemble([span('a', 'c', 1), span('b', 'a', 2), span('c', 'b', 3), span('s', 's', 4)]);
    const [t] = traces;
    assert.ok(t);
    checkTrace(t);
    assert.equal(t.cutCycles.length, 2);
    assert.deepEqual(
      t.cutCycles.map(([c, p]) => [t.spans[c]?.spanId, t.spans[p]?.spanId]),
      [
        ['b', 'a'],
        ['s', 's'],
      ],
    );
    // Walking up from a (a → c → b → a), the link b → a is the one that closes the cycle.
    assert.deepEqual(names(t, t.roots), ['b', 's']);
    assert.deepEqual(names(t, t.children[t.spans.findIndex((s) => s.spanId === 'b')] as number[]), ['c']);
    assert.deepEqual(t.orphans, []);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['parent-cycle', 'parent-cycle'],
    );
  });

  it('groups by trace id and sorts traces by start', () => {
    const { traces } = assemble([span('a', undefined, 50, { traceId: 'late' }), span('b', undefined, 10, { traceId: 'early' }), span('c', 'b', 20, { traceId: 'early' })]);
    assert.deepEqual(
      traces.map((t) => [t.traceId, t.spans.length]),
      [
        ['early', 2],
        ['late', 1],
      ],
    );
  });

  it('never treats spans without an id as duplicates', () => {
    const { traces, diagnostics } = assemble([span('', undefined, 1, { traceId: '' }), span('', undefined, 1, { traceId: '' })]);
    assert.equal(traces[0]?.spans.length, 2);
    assert.deepEqual(diagnostics, []);
  });

  describe('100,000 spans in one trace, built as OTLP JSON', () => {
    const n = 100_000;
    const traceId = 'ab'.repeat(16);
    const hex = (i: number): string => i.toString(16).padStart(16, '0');
    const doc = (parentOf: (i: number) => number): string => {
      const spans: string[] = [];
      // Written children first, as batching exporters do.
      for (let i = n - 1; i >= 0; i--) {
        const p = parentOf(i);
        spans.push(`{"traceId":"${traceId}","spanId":"${hex(i + 1)}","parentSpanId":"${p < 0 ? '' : hex(p + 1)}","name":"s${i}","startTimeUnixNano":"${1000 + i}","endTimeUnixNano":"${1000 + 2 * n - i}"}`);
      }
      return `{"resourceSpans":[{"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}`;
    };

    it('assembles a 100k-deep chain without recursion', () => {
      const set = readTraceText(doc((i) => i - 1), 'chain.json');
      const [t] = set.traces;
      assert.ok(t);
      assert.equal(t.spans.length, n);
      assert.deepEqual(t.roots, [0]);
      for (let i = 1; i < n; i++) assert.equal(t.parent[i], i - 1);
      assert.deepEqual(t.children[n - 1], []);
      assert.equal(t.endNs, BigInt(1000 + 2 * n));
      assert.deepEqual(set.diagnostics, []);
    });

    it('assembles a 100k-wide fan-out with children in start order', () => {
      const set = readTraceText(doc((i) => (i === 0 ? -1 : 0)), 'wide.json');
      const [t] = set.traces;
      assert.ok(t);
      assert.equal(t.spans.length, n);
      assert.deepEqual(t.roots, [0]);
      const kids = t.children[0] as number[];
      assert.equal(kids.length, n - 1);
      for (let k = 0; k < kids.length; k++) assert.equal(kids[k], k + 1);
    });
  });
});
