import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normalizeGenAi } from '../../../../src/core/otlp/genai';
import { priceProvider, rollupTrace, spanCost, spanCosts, summarizeTrace, totalsOf } from '../../../../src/core/otlp/rollup';
import { bundledPriceTable, withOverrides } from '../../../../src/core/tokens/pricing/priceTable';
import { at, buildTrace, makeSpan, spanOf, testPrices, tracesFromOtlp, type SpanDesc } from './build';

const prices = testPrices();
const close = (actual: number | null, expected: number) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≈ ${expected}`);
};

const chat = (id: string, parent: string, start: number, input: number | string, output: number | string, extra: SpanDesc['attrs'] = {}): SpanDesc => ({
  id,
  parent,
  name: 'chat gpt-4o',
  service: 'agent',
  start,
  end: start + 10,
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, ...extra },
});

describe('core/otlp/rollup', () => {
  it('does not double count an agent span that carries its chats’ aggregated usage', () => {
    const trace = buildTrace([
      { id: 'a', name: 'invoke_agent copilot', service: 'agent', start: 0, end: 100, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 3000, 'gen_ai.usage.output_tokens': 300 } },
      chat('c1', 'a', 1, 1000, 100),
      { id: 't', parent: 'a', name: 'execute_tool readFile', start: 20, end: 30, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'readFile' } },
      chat('c2', 'a', 40, '2000', '200'),
    ]);
    const s = summarizeTrace(trace, prices);
    assert.deepEqual(s.tokens, { input: 3000, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    close(s.costUsd, (3000 * 2.5 + 300 * 10) / 1e6);
    const r = rollupTrace(trace, prices);
    assert.equal(r.counted[at(trace, 'a')], 0);
    assert.equal(r.counted[at(trace, 'c1')], 1);
    // The agent names no model: its own aggregate is not priced.
    assert.ok(Number.isNaN(r.costs[at(trace, 'a')]));
  });

  it('counts an agent span’s own usage when nothing below it reports usage, innermost first', () => {
    const trace = buildTrace([
      { id: 'outer', name: 'invoke_agent outer', start: 0, end: 100, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 90 } },
      { id: 'inner', parent: 'outer', name: 'invoke_agent inner', start: 5, end: 50, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 400, 'gen_ai.usage.output_tokens': 40 } },
      { id: 'solo', name: 'invoke_agent solo', start: 0, end: 10, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 } },
    ]);
    const s = summarizeTrace(trace, prices);
    assert.equal(s.tokens.input, 407);
    assert.equal(s.tokens.output, 43);
    assert.deepEqual(s.models, []); // models list llm/embedding spans only
  });

  it('counts a Vercel generateText wrapper only through its doGenerate children', () => {
    const vercel = (id: string, parent: string | undefined, op: string, start: number, tokens: number): SpanDesc => ({
      id,
      ...(parent ? { parent } : {}),
      name: op,
      start,
      end: start + 20,
      attrs: { 'ai.operationId': op, 'ai.model.id': 'gpt-4o', 'ai.model.provider': 'openai.chat', 'ai.usage.promptTokens': tokens, 'ai.usage.completionTokens': 1 },
    });
    const trace = buildTrace([vercel('g', undefined, 'ai.generateText', 0, 30), vercel('d1', 'g', 'ai.generateText.doGenerate', 1, 10), vercel('d2', 'g', 'ai.generateText.doGenerate', 5, 20)]);
    const s = summarizeTrace(trace, prices);
    assert.equal(s.tokens.input, 30);
    assert.equal(s.tokens.output, 2);
    assert.deepEqual(s.models, ['gpt-4o']);
  });

  it('prices cache reads and writes at their own rates (input includes them)', () => {
    const g = normalizeGenAi(
      makeSpan({
        id: 'x',
        name: 'chat',
        start: 0,
        end: 1,
        attrs: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.usage.input_tokens': '3510',
          'gen_ai.usage.output_tokens': '80',
          'gen_ai.usage.cache_read.input_tokens': '3000',
          'gen_ai.usage.cache_creation.input_tokens': '500',
        },
      }),
    );
    const c = spanCost(g, prices);
    assert.equal(c?.source, 'priced');
    assert.equal(c?.model, 'claude-sonnet-4-5');
    close(c?.usd ?? null, (10 * 3 + 3000 * 0.3 + 500 * 3.75 + 80 * 15) / 1e6);
    // OpenAI has no cache-write price: a reported cache write is billed as input.
    const o = normalizeGenAi(makeSpan({ id: 'y', name: 'chat', start: 0, end: 1, attrs: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 2048, 'gen_ai.usage.output_tokens': 10, 'gen_ai.usage.cache_read.input_tokens': 1024 } }));
    close(spanCost(o, prices)?.usd ?? null, (1024 * 2.5 + 1024 * 1.25 + 10 * 10) / 1e6);
  });

  it('uses the long-context rates for cached parts above the threshold', () => {
    const g = normalizeGenAi(
      makeSpan({ id: 'x', name: 'chat', start: 0, end: 1, attrs: { 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 250000, 'gen_ai.usage.output_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 200000 } }),
    );
    close(spanCost(g, prices)?.usd ?? null, (50000 * 6 + 200000 * 0.6 + 1000 * 22.5) / 1e6);
  });

  it('prefers a cost the span reports itself, and says so', () => {
    const trace = buildTrace([
      { id: 'l', name: 'ChatOpenAI', start: 0, end: 5, attrs: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 100, 'llm.token_count.completion': 10, 'llm.cost.total': 0.5 } },
    ]);
    const c = spanCost(normalizeGenAi(spanOf(trace, 0)), prices);
    assert.equal(c?.source, 'reported');
    assert.equal(c?.usd, 0.5);
    assert.equal(summarizeTrace(trace, prices).costUsd, 0.5);
  });

  it('falls back from an unknown response model to the request model, and maps GenAI provider names', () => {
    const trace = buildTrace([chat('c', 'none', 0, 1000, 0, { 'gen_ai.response.model': 'gpt-4o-custom-deploy', 'gen_ai.provider.name': 'azure.ai.openai' })]);
    close(spanCosts(trace, prices)[0] ?? NaN, (1000 * 2.5) / 1e6);
    assert.equal(priceProvider('aws.bedrock'), 'aws');
    assert.equal(priceProvider('gcp.vertex_ai'), 'google');
    assert.equal(priceProvider('OpenAI'), 'openai');
  });

  it('reports costUsd null when no LLM span can be priced, NaN per unpriced span', () => {
    const trace = buildTrace([{ id: 'c', name: 'chat m', start: 0, end: 1, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'no-such-model', 'gen_ai.usage.input_tokens': 5 } }]);
    const s = summarizeTrace(trace, prices);
    assert.equal(s.costUsd, null);
    assert.equal(s.tokens.input, 5);
    assert.ok(Number.isNaN(spanCosts(trace, prices)[0]));
  });

  it('summarizes trace metadata: services in order, errors, start as decimal nanoseconds, duration', () => {
    const trace = buildTrace([
      { id: 'r', name: 'POST /run', service: 'edge', start: 0, end: 250.5 },
      chat('c', 'r', 10, 10, 10),
      { id: 'e', parent: 'r', name: 'db', service: 'store', start: 20, end: 30, error: true },
    ]);
    const s = summarizeTrace(trace, prices);
    assert.deepEqual(Object.keys(s), ['traceId', 'rootName', 'services', 'spanCount', 'errorCount', 'startTimeUnixNano', 'durationMs', 'tokens', 'costUsd', 'models']);
    assert.equal(s.rootName, 'POST /run');
    assert.deepEqual(s.services, ['edge', 'agent', 'store']);
    assert.equal(s.spanCount, 3);
    assert.equal(s.errorCount, 1);
    assert.equal(s.startTimeUnixNano, '1770000000000000000');
    assert.equal(s.durationMs, 250.5);
    assert.deepEqual(s.models, ['gpt-4o']);
    assert.doesNotThrow(() => JSON.stringify(s));

    const t = totalsOf([s, { ...s, costUsd: null, models: ['x'], tokens: { input: 1, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } }]);
    assert.equal(t.traces, 2);
    assert.equal(t.spans, 6);
    assert.equal(t.errors, 2);
    assert.equal(t.tokens.input, 11);
    close(t.costUsd, s.costUsd ?? NaN);
    assert.deepEqual(t.models, ['gpt-4o', 'x']);
    assert.equal(totalsOf([]).costUsd, null);
  });

  describe('the Jaeger UI GenAI fixture', () => {
    const doc = JSON.parse(readFileSync('/work/shared/fixtures/otlp/jaeger-ui_genaiTestTrace.CONVERTED.otlp.json', 'utf8')) as Parameters<typeof tracesFromOtlp>[0];
    const [trace] = tracesFromOtlp(doc);
    if (!trace) throw new Error('fixture has no trace');

    it('classifies its spans and finds its models', () => {
      const types = trace.spans.map((s) => normalizeGenAi(s).type);
      const countOf = (t: string) => types.filter((x) => x === t).length;
      assert.equal(trace.spans.length, 57);
      assert.equal(countOf('agent'), 2);
      assert.equal(countOf('llm'), 5);
      assert.equal(countOf('tool'), 7);
      assert.equal(countOf('retrieval'), 3);
      assert.equal(countOf('other'), 40);
      const chat = normalizeGenAi(spanOf(trace, trace.spans.findIndex((s) => s.name === 'chat model-b')));
      assert.equal(chat.contentCaptured, true);
      assert.equal(chat.systemInstructions, 'You are a triage assistant. Use the available tools before answering.');
      assert.equal(chat.inputMessages?.[0]?.parts[0]?.type, 'text');
    });

    it('rolls up tokens, marks exactly one error, and prices only what the table knows', () => {
      const s = summarizeTrace(trace, prices);
      assert.equal(s.rootName, 'POST /api/graphql');
      assert.deepEqual(s.models, ['model-a', 'model-b']);
      assert.deepEqual(s.tokens, { input: 4 * 1840 + 920, output: 4 * 260 + 140, cacheRead: 4 * 920 + 460, cacheWrite: 0, reasoning: 0 });
      assert.equal(s.errorCount, 1);
      assert.equal(trace.spans.filter((x) => x.status.code === 'error').length, 1);
      assert.equal(s.services.length, 10);
      assert.equal(s.costUsd, null); // "example-ai" models are in no table
      const priced = summarizeTrace(trace, withOverrides(prices, { 'model-a': { inputPerMTok: 1, outputPerMTok: 2, cacheReadPerMTok: 0.5 } }));
      close(priced.costUsd, (4 * (920 * 1 + 920 * 0.5 + 260 * 2)) / 1e6);
      // The bundled table loads and leaves unknown models unpriced.
      assert.equal(summarizeTrace(trace, bundledPriceTable()).costUsd, null);
    });
  });
});
