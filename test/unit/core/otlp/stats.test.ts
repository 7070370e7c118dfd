import * as assert from 'node:assert/strict';
import { modelStats, operationStats, percentile } from '../../../../src/core/otlp/stats';
import { buildTrace, testPrices, type SpanDesc } from './build';

const prices = testPrices();

const chat = (id: string, parent: string, start: number, ms: number, model: string, input: number, error = false): SpanDesc => ({
  id,
  parent,
  name: `chat ${model}`,
  service: 'agent',
  start,
  end: start + ms,
  error,
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 10 },
});

describe('core/otlp/stats', () => {
  it('computes exact nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 95), 95);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  // Two traces of the same agent: operations group across traces by (service, name).
  const t1 = buildTrace([
    { id: 'a', name: 'invoke_agent', service: 'agent', start: 0, end: 100, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 20 } },
    chat('c1', 'a', 0, 10, 'gpt-4o', 100),
    chat('c2', 'a', 20, 30, 'gpt-4o', 200, true),
  ]);
  const t2 = buildTrace(
    [
      { id: 'a', name: 'invoke_agent', service: 'agent', start: 0, end: 50 },
      chat('c1', 'a', 0, 20, 'gpt-4o', 1000),
      chat('c2', 'a', 20, 5, 'mystery-model', 50),
    ],
    'b'.repeat(32),
  );

  it('groups operations by service and name across traces', () => {
    const ops = operationStats([t1, t2], prices);
    const chat4o = ops.find((o) => o.name === 'chat gpt-4o');
    assert.ok(chat4o);
    assert.equal(chat4o.service, 'agent');
    assert.equal(chat4o.count, 3);
    assert.equal(chat4o.errorCount, 1);
    assert.equal(chat4o.errorRate, 1 / 3);
    assert.deepEqual([chat4o.p50Ms, chat4o.p95Ms, chat4o.p99Ms, chat4o.maxMs], [20, 30, 30, 30]);
    assert.equal(chat4o.tokens.input, 1300);
    assert.ok(chat4o.costUsd !== null && Math.abs(chat4o.costUsd - (1300 * 2.5 + 30 * 10) / 1e6) < 1e-12);
    const agent = ops.find((o) => o.name === 'invoke_agent');
    assert.ok(agent);
    // The agent's aggregate usage is not counted again: its children already were.
    assert.equal(agent.tokens.input, 0);
    assert.equal(agent.costUsd, null);
    assert.equal(ops[0]?.name, 'invoke_agent'); // most total time first
  });

  it('groups llm spans by model, with unpriced models kept and costUsd null', () => {
    const models = modelStats([t1, t2], prices);
    assert.deepEqual(
      models.map((m) => [m.model, m.count, m.tokens.input, m.providers]),
      [
        ['gpt-4o', 3, 1300, ['openai']],
        ['mystery-model', 1, 50, ['openai']],
      ],
    );
    assert.equal(models[1]?.costUsd, null);
    assert.equal(models[0]?.errorRate, 1 / 3);
  });

  it('is empty for no traces', () => {
    assert.deepEqual(operationStats([], prices), []);
    assert.deepEqual(modelStats([], prices), []);
  });
});
