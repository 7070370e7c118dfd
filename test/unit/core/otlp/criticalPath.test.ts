import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { criticalPath } from '../../../../src/core/otlp/criticalPath';
import { at, buildTrace, tracesFromOtlp } from './build';

const ids = (trace: ReturnType<typeof buildTrace>, r: ReturnType<typeof criticalPath>) => {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.spans.map((i) => trace.spans[i]?.spanId);
};

describe('core/otlp/criticalPath', () => {
  it('follows the last-finishing child backwards in time', () => {
    //  root 0────────────100
    //   a   5──30                (overlapped by b: not critical)
    //   b   10─────50
    //     b1 12──45
    //   c          50──────90
    //   d   60─70               (finishes under c: not critical)
    const trace = buildTrace([
      { id: 'root', name: 'root', start: 0, end: 100 },
      { id: 'a', parent: 'root', name: 'a', start: 5, end: 30 },
      { id: 'b', parent: 'root', name: 'b', start: 10, end: 50 },
      { id: 'b1', parent: 'b', name: 'b1', start: 12, end: 45 },
      { id: 'c', parent: 'root', name: 'c', start: 50, end: 90 },
      { id: 'd', parent: 'root', name: 'd', start: 60, end: 70 },
    ]);
    assert.deepEqual(ids(trace, criticalPath(trace)), ['root', 'b', 'b1', 'c']);
  });

  it('walks sequential children and a single span', () => {
    const trace = buildTrace([
      { id: 'r', name: 'r', start: 0, end: 30 },
      { id: 'x', parent: 'r', name: 'x', start: 0, end: 10 },
      { id: 'y', parent: 'r', name: 'y', start: 10, end: 20 },
      { id: 'z', parent: 'r', name: 'z', start: 20, end: 30 },
    ]);
    assert.deepEqual(ids(trace, criticalPath(trace)), ['r', 'x', 'y', 'z']);
    const one = buildTrace([{ id: 'only', name: 'only', start: 0, end: 0 }]);
    assert.deepEqual(ids(one, criticalPath(one)), ['only']);
  });

  it('computes from a given root (a subtree)', () => {
    const trace = buildTrace([
      { id: 'r', name: 'r', start: 0, end: 100 },
      { id: 's', parent: 'r', name: 's', start: 10, end: 60 },
      { id: 's1', parent: 's', name: 's1', start: 20, end: 50 },
    ]);
    assert.deepEqual(ids(trace, criticalPath(trace, at(trace, 's'))), ['s', 's1']);
    const bad = criticalPath(trace, 99);
    assert.equal(bad.ok, false);
  });

  it('tolerates a child overrunning its parent by less than the tolerance', () => {
    const trace = buildTrace([
      { id: 'r', name: 'r', start: 0, end: 100 },
      { id: 'c', parent: 'r', name: 'c', start: 50, end: 100.5 },
    ]);
    assert.deepEqual(ids(trace, criticalPath(trace)), ['r', 'c']);
  });

  it('refuses with a reason on clock skew', () => {
    const late = buildTrace([
      { id: 'r', name: 'root', start: 0, end: 100 },
      { id: 'c', parent: 'r', name: 'late child', start: 50, end: 180 },
    ]);
    const r = criticalPath(late);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /Clock skew: span "late child" ends 80 ms after its parent "root"/);
    const early = buildTrace([
      { id: 'r', name: 'root', start: 10, end: 100 },
      { id: 'c', parent: 'r', name: 'early', start: 0, end: 50 },
    ]);
    assert.match((criticalPath(early) as { reason: string }).reason, /starts 10 ms before its parent/);
    assert.equal(criticalPath(late, undefined, { skewToleranceNs: 100_000_000n }).ok, true);
  });

  it('refuses with a reason when the tree had a cycle cut', () => {
    const trace = buildTrace([
      { id: 'a', parent: 'b', name: 'A', start: 0, end: 10 },
      { id: 'b', parent: 'a', name: 'B', start: 1, end: 9 },
    ]);
    assert.equal(trace.cutCycles.length, 1);
    const r = criticalPath(trace);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /cycle/);
  });

  it('refuses with a reason when there is no root or no span, or times are inverted', () => {
    const empty = buildTrace([]);
    assert.deepEqual(criticalPath(empty), { ok: false, reason: 'The trace has no spans.' });
    const inverted = buildTrace([{ id: 'r', name: 'r', start: 10, end: 5 }]);
    assert.match((criticalPath(inverted) as { reason: string }).reason, /ends before it starts/);
    const noRoot = { ...buildTrace([{ id: 'r', name: 'r', start: 0, end: 1 }]), roots: [] };
    assert.deepEqual(criticalPath(noRoot), { ok: false, reason: 'The trace has no root span.' });
  });

  it('finds the critical path of the Jaeger UI GenAI fixture', () => {
    const doc = JSON.parse(readFileSync('/work/shared/fixtures/otlp/jaeger-ui_genaiTestTrace.CONVERTED.otlp.json', 'utf8')) as Parameters<typeof tracesFromOtlp>[0];
    const [trace] = tracesFromOtlp(doc);
    assert.ok(trace);
    const r = criticalPath(trace);
    assert.ok(r.ok);
    const names = r.spans.map((i) => trace.spans[i]?.name);
    // graphql.execution (a sibling of the agent in this synthetic trace) ends last, so it, not the agent, is critical.
    assert.deepEqual(names, ['POST /api/graphql', 'Query.assistantReply', 'graphql.execution']);
    // Under the agent, the long summarize_findings tool call and its MCP hop are.
    const agent = trace.spans.findIndex((s) => s.name === 'invoke_agent triage-agent');
    const sub = criticalPath(trace, agent);
    assert.ok(sub.ok);
    assert.ok(sub.spans.map((i) => trace.spans[i]?.name).includes('execute_tool summarize_findings'));
  });
});
