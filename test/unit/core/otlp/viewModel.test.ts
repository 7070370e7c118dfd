import * as assert from 'node:assert/strict';
import type { Trace, TraceSet } from '../../../../src/core/otlp/model';
import { operationStats } from '../../../../src/core/otlp/stats';
import { TraceViewModel } from '../../../../src/core/otlp/viewModel';
import { isTraceViewerFromWebview, isTraceViewerToWebview } from '../../../../src/shared/traceViewerProtocol';
import { buildTrace, testPrices, type SpanDesc } from './build';

const prices = testPrices();

const chat = (id: string, start: number, ms: number, input: number, error = false): SpanDesc => ({
  id,
  parent: 'agent',
  name: 'chat gpt-4o',
  service: 'agent',
  start,
  end: start + ms,
  error,
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 10 },
});
const tool = (id: string, name: string, start: number, ms: number, error = false): SpanDesc => ({ id, parent: 'agent', name, service: 'agent', start, end: start + ms, error });
const agent = (end: number): SpanDesc => ({ id: 'agent', name: 'invoke_agent', service: 'agent', start: 0, end });

// Two runs of one agent: B's second chat is 40 ms slower, its search 1 ms faster, and the tools differ.
const a = buildTrace([agent(100), chat('c1', 0, 10, 1000), tool('t1', 'search', 10, 5), chat('c2', 20, 10, 2000), tool('t2', 'old_tool', 40, 7, true)]);
const b = buildTrace([agent(140), chat('c1', 0, 10, 1000), tool('t1', 'search', 10, 4), chat('c2', 20, 50, 2500), tool('t3', 'new_tool', 80, 3)], 'b'.repeat(32));

function model(traces: Trace[]): TraceViewModel {
  const set: TraceSet = { traces, diagnostics: [], files: ['mem.json'], logRecords: 0, metricDataPoints: 0 };
  return new TraceViewModel(set, prices);
}

/** Survives postMessage's JSON unchanged: no NaN, bigint, undefined or class instances. */
function assertPlainJson(value: unknown): void {
  assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
}

describe('core/otlp/viewModel statistics and comparison', () => {
  const vm = model([a, b]);

  it('sends per-operation statistics in the core’s order, with the total time the chart ranks by', () => {
    const { operations } = vm.stats();
    const core = operationStats([a, b], prices);
    assert.deepEqual(
      operations.map((o) => `${o.service}/${o.name}`),
      core.map((o) => `${o.service}/${o.name}`),
    );
    const chats = operations.find((o) => o.name === 'chat gpt-4o');
    assert.ok(chats);
    assert.equal(chats.count, 4);
    assert.equal(chats.totalMs, 10 + 10 + 10 + 50);
    assert.equal(chats.p50Ms, 10);
    assert.equal(chats.p99Ms, 50);
    assert.equal(chats.tokens.input, 6500);
    assert.ok(chats.costUsd !== null && chats.costUsd > 0);
    const old = operations.find((o) => o.name === 'old_tool');
    assert.equal(old?.errorRate, 1);
    assert.equal(old?.costUsd, null);
    // Exactly the protocol's fields, nothing the core may add later.
    assert.deepEqual(Object.keys(chats).sort(), ['costUsd', 'count', 'errorCount', 'errorRate', 'maxMs', 'meanMs', 'name', 'p50Ms', 'p95Ms', 'p99Ms', 'service', 'tokens', 'totalMs']);
  });

  it('sends per-model statistics with their providers, computed once', () => {
    const stats = vm.stats();
    assert.deepEqual(
      stats.models.map((m) => [m.model, m.providers, m.count]),
      [['gpt-4o', ['openai'], 4]],
    );
    assert.equal(vm.stats(), stats);
    assertPlainJson(stats);
  });

  it('compares two traces with the largest duration change first and unmatched spans with their duration', () => {
    const diff = vm.compare(a.traceId, b.traceId);
    assert.ok(diff);
    assert.deepEqual(
      diff.matched.map((m) => [m.path, m.durationDeltaMs]),
      [
        ['invoke_agent', 40],
        ['invoke_agent › chat gpt-4o#1', 40],
        ['invoke_agent › search', -1],
        ['invoke_agent › chat gpt-4o', 0],
      ],
    );
    assert.equal(diff.matched[1]?.tokensDelta, 500);
    assert.deepEqual(diff.onlyInA, [{ path: 'invoke_agent › old_tool', span: 4, durationMs: 7, error: true }]);
    assert.deepEqual(diff.onlyInB, [{ path: 'invoke_agent › new_tool', span: 4, durationMs: 3, error: false }]);
    assert.equal(diff.durationDeltaMs, 40);
    assert.equal(diff.tokensDelta, 500);
    assert.ok(diff.costDeltaUsd !== null && Math.abs(diff.costDeltaUsd - (500 * 2.5) / 1e6) < 1e-12);
    assertPlainJson(diff);
  });

  it('answers undefined for a trace that is not in the file', () => {
    assert.equal(vm.compare(a.traceId, 'f'.repeat(32)), undefined);
  });

  it('guards the new messages both ways', () => {
    assert.ok(isTraceViewerFromWebview({ type: 'requestStats' }));
    assert.ok(isTraceViewerFromWebview({ type: 'compare', a: 'x', b: 'y' }));
    assert.ok(!isTraceViewerFromWebview({ type: 'compare', a: 'x' }));
    assert.ok(!isTraceViewerFromWebview({ type: 'compare', a: 1, b: 'y' }));
    assert.ok(isTraceViewerToWebview({ type: 'stats', ...vm.stats() }));
    assert.ok(!isTraceViewerToWebview({ type: 'stats', operations: {}, models: [] }));
    assert.ok(isTraceViewerToWebview({ type: 'comparison', a: 'x', b: 'y', diff: vm.compare(a.traceId, b.traceId) }));
    assert.ok(isTraceViewerToWebview({ type: 'comparison', a: 'x', b: 'y', diff: null }));
    assert.ok(!isTraceViewerToWebview({ type: 'comparison', a: 'x', b: 'y', diff: { matched: 'no' } }));
  });
});
