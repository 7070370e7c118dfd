import * as assert from 'node:assert/strict';
import { compareTraces } from '../../../../src/core/otlp/compare';
import { buildTrace, testPrices, type SpanDesc } from './build';

const prices = testPrices();
const chat = (id: string, start: number, ms: number, input: number): SpanDesc => ({
  id,
  parent: 'agent',
  name: 'chat gpt-4o',
  start,
  end: start + ms,
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 0 },
});
const tool = (id: string, name: string, start: number): SpanDesc => ({ id, parent: 'agent', name, start, end: start + 5, attrs: { 'gen_ai.operation.name': 'execute_tool' } });
const agent = (end: number): SpanDesc => ({ id: 'agent', name: 'invoke_agent', start: 0, end });

describe('core/otlp/compare', () => {
  const a = buildTrace([agent(100), chat('c1', 0, 10, 1000), tool('t1', 'execute_tool search', 10), chat('c2', 20, 10, 2000), tool('t2', 'execute_tool old', 40)]);
  const b = buildTrace([agent(150), chat('x1', 0, 15, 1000), tool('x2', 'execute_tool search', 15), chat('x3', 20, 30, 4000), chat('x4', 60, 10, 500), tool('x5', 'execute_tool new', 80)], 'b'.repeat(32));
  const diff = compareTraces(a, b, prices);

  it('matches spans by name path and occurrence among same-named siblings', () => {
    assert.deepEqual(
      diff.matched.map((m) => m.path),
      ['invoke_agent', 'invoke_agent › chat gpt-4o', 'invoke_agent › execute_tool search', 'invoke_agent › chat gpt-4o#1'],
    );
    assert.deepEqual(
      diff.onlyInA.map((u) => u.path),
      ['invoke_agent › execute_tool old'],
    );
    assert.deepEqual(
      diff.onlyInB.map((u) => u.path),
      ['invoke_agent › chat gpt-4o#2', 'invoke_agent › execute_tool new'],
    );
  });

  it('gives duration, token and cost deltas; tokens and cost include the subtree', () => {
    const second = diff.matched.find((m) => m.path === 'invoke_agent › chat gpt-4o#1');
    assert.ok(second);
    assert.equal(second.durationDeltaMs, 20);
    assert.equal(second.tokensDelta, 2000);
    assert.ok(second.costDeltaUsd !== null && Math.abs(second.costDeltaUsd - (2000 * 2.5) / 1e6) < 1e-12);
    const root = diff.matched[0];
    assert.ok(root);
    assert.equal(root.a.tokens, 3000);
    assert.equal(root.b.tokens, 5500);
    assert.equal(diff.tokensDelta, 2500);
    assert.equal(diff.durationDeltaMs, 50);
    assert.ok(diff.costDeltaUsd !== null && Math.abs(diff.costDeltaUsd - (2500 * 2.5) / 1e6) < 1e-12);
    const search = diff.matched.find((m) => m.path.endsWith('search'));
    assert.equal(search?.costDeltaUsd, null); // a tool has no priced usage on either side
  });

  it('compares a trace with itself as all-zero deltas', () => {
    const same = compareTraces(a, a, prices);
    assert.equal(same.onlyInA.length + same.onlyInB.length, 0);
    assert.ok(same.matched.every((m) => m.durationDeltaMs === 0 && m.tokensDelta === 0));
  });
});
