import * as assert from 'node:assert/strict';
import { mostExpensiveLlmSpan, nextError, searchSpans, selfTimeNs, slowestSpan, treeOrder } from '../../../../src/core/otlp/search';
import { at, buildTrace, testPrices } from './build';

describe('core/otlp/search', () => {
  //  root ──────────────── 0..100
  //   ├ chat gpt-4o  (error)  1..20      start order: root, chatA, tool, db(err), chatB, http(err)
  //   │  └ http (error)       2..19  ← tree order puts it before tool
  //   ├ execute_tool lookup   5..40
  //   │  └ db (error)         6..30
  //   └ chat claude          50..90
  const trace = buildTrace([
    { id: 'r', name: 'POST /agent', service: 'edge', start: 0, end: 100 },
    { id: 'ca', parent: 'r', name: 'chat gpt-4o', service: 'agent', start: 1, end: 20, error: true, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10 } },
    { id: 'h', parent: 'ca', name: 'http', service: 'agent', start: 2, end: 19, error: true, attrs: { 'http.status_code': 500 } },
    { id: 't', parent: 'r', name: 'execute_tool lookup', service: 'agent', start: 5, end: 40, attrs: { 'gen_ai.tool.name': 'lookup', 'customer.tier': 'Gold' } },
    { id: 'db', parent: 't', name: 'SELECT users', service: 'store', start: 6, end: 30, error: true },
    { id: 'cb', parent: 'r', name: 'chat claude', service: 'agent', start: 50, end: 90, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10 } },
  ]);
  const ids = (list: number[]) => list.map((i) => trace.spans[i]?.spanId);

  it('searches text in names, services, attribute keys and values, case-insensitively', () => {
    assert.deepEqual(ids(searchSpans(trace, { text: 'CHAT' })), ['ca', 'cb']);
    assert.deepEqual(ids(searchSpans(trace, { text: 'store' })), ['db']);
    assert.deepEqual(ids(searchSpans(trace, { text: 'gold' })), ['t']);
    assert.deepEqual(ids(searchSpans(trace, { text: 'http.status' })), ['h']);
    assert.deepEqual(ids(searchSpans(trace, { text: '500' })), ['h']);
    assert.equal(searchSpans(trace, {}).length, 6);
  });

  it('filters by attribute key and value, and errors only', () => {
    assert.deepEqual(ids(searchSpans(trace, { attributeKey: 'gen_ai.request.model' })), ['ca', 'cb']);
    assert.deepEqual(ids(searchSpans(trace, { attributeKey: 'gen_ai.request.model', attributeValue: 'CLAUDE' })), ['cb']);
    assert.deepEqual(ids(searchSpans(trace, { attributeValue: 'gold' })), ['t']);
    assert.deepEqual(ids(searchSpans(trace, { attributeKey: 'service.name', attributeValue: 'edge' })), ['r']);
    assert.deepEqual(ids(searchSpans(trace, { errorsOnly: true })), ['ca', 'h', 'db']);
    assert.deepEqual(ids(searchSpans(trace, { errorsOnly: true, text: 'select' })), ['db']);
  });

  it('walks errors in tree order, both ways, without wrapping', () => {
    assert.deepEqual(ids(treeOrder(trace)), ['r', 'ca', 'h', 't', 'db', 'cb']);
    const first = nextError(trace, -1, 1);
    assert.equal(first, at(trace, 'ca'));
    assert.equal(nextError(trace, at(trace, 'ca'), 1), at(trace, 'h'));
    assert.equal(nextError(trace, at(trace, 'h'), 1), at(trace, 'db'));
    assert.equal(nextError(trace, at(trace, 'db'), 1), undefined);
    assert.equal(nextError(trace, at(trace, 'db'), -1), at(trace, 'h'));
    assert.equal(nextError(trace, -1, -1), at(trace, 'db'));
    assert.equal(nextError(trace, at(trace, 'r'), -1), undefined);
  });

  it('finds the slowest span by duration or by self time', () => {
    assert.equal(slowestSpan(trace), at(trace, 'r'));
    assert.equal(selfTimeNs(trace, at(trace, 'r')), 21_000_000n); // 100 − (1..40 ∪ 50..90)
    assert.equal(slowestSpan(trace, 'self'), at(trace, 'cb'));
    assert.equal(slowestSpan(buildTrace([])), undefined);
  });

  it('finds the most expensive LLM call', () => {
    assert.equal(mostExpensiveLlmSpan(trace, testPrices()), at(trace, 'cb')); // Sonnet's $3/MTok beats gpt-4o's $2.5
    const unpriced = buildTrace([{ id: 'x', name: 'chat', start: 0, end: 1, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'nope', 'gen_ai.usage.input_tokens': 1 } }]);
    assert.equal(mostExpensiveLlmSpan(unpriced, testPrices()), undefined);
  });
});
