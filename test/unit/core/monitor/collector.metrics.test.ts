import * as assert from 'node:assert/strict';
import { CollectorMetrics, durationBuckets } from '../../../../src/core/monitor/collector/metrics/collectorMetrics';
import { Registry, escapeLabel } from '../../../../src/core/monitor/collector/metrics/registry';
import { ids, tracesRequest, type TestSpan } from './collectorHelpers';

/** The /metrics exposition text itself, without a server. */

describe('collector /metrics exposition', () => {
  it('escapes label values per the text format (backslash, double quote, newline)', () => {
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const r = new Registry();
    r.counter('x_total', 'Help with \\ and\nnewline.', ['l']).inc(['va"l\n'], 2);
    assert.equal(r.render(), '# HELP x_total Help with \\\\ and\\nnewline.\n# TYPE x_total counter\nx_total{l="va\\"l\\n"} 2\n');
  });

  it('histograms are cumulative with le="+Inf", _sum and _count', () => {
    const r = new Registry();
    const h = r.histogram('d_seconds', 'D.', ['m'], [0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe(['a'], v);
    assert.equal(
      r.render(),
      ['# HELP d_seconds D.', '# TYPE d_seconds histogram', 'd_seconds_bucket{m="a",le="0.1"} 2', 'd_seconds_bucket{m="a",le="1"} 3', 'd_seconds_bucket{m="a",le="+Inf"} 4', 'd_seconds_sum{m="a"} 3.65', 'd_seconds_count{m="a"} 4', ''].join('\n'),
    );
  });

  it('caps label cardinality: past maxSeries, new label sets fold into "other"', () => {
    const r = new Registry(3);
    const c = r.counter('c_total', 'C.', ['model']);
    for (let i = 0; i < 10; i++) c.inc([`m${i}`]);
    assert.equal(c.size, 4); // three real series and "other"
    assert.equal(c.value(['other']), 7);
    c.inc(['x'.repeat(5000)]);
    assert.ok(r.render().length < 1000, 'long label values are cut');
  });

  it('GenAI figures from spans: requests by status, errors by error.type, tokens, duration buckets, version from the resource or the span', () => {
    const m = new CollectorMetrics('service.version', 10_000);
    const spans: TestSpan[] = [
      { ...ids(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 }, durationMs: 300 },
      { ...ids(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'error.type': 'timeout' }, error: true, durationMs: 5000 },
      { ...ids(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'service.version': 'v9' }, durationMs: 10 },
      { ...ids(), name: 'GET /health', attributes: { 'http.method': 'GET' } },
    ];
    m.spans(tracesRequest(spans, { 'service.name': 'bot', 'service.version': 'v2' }) as never);
    const text = m.render();
    assert.match(text, /^agentops_gen_ai_requests_total\{model="gpt-4o",operation="chat",version="v2",status="ok"\} 1$/m);
    assert.match(text, /^agentops_gen_ai_requests_total\{model="gpt-4o",operation="chat",version="v2",status="error"\} 1$/m);
    assert.match(text, /^agentops_gen_ai_requests_total\{model="gpt-4o",operation="chat",version="v9",status="ok"\} 1$/m);
    assert.doesNotMatch(text, /GET \/health|operation="other"/);
    assert.match(text, /^agentops_gen_ai_errors_total\{model="gpt-4o",version="v2",error_type="timeout"\} 1$/m);
    assert.match(text, /^agentops_gen_ai_tokens_total\{model="gpt-4o",version="v2",type="input"\} 100$/m);
    assert.match(text, /^agentops_gen_ai_tokens_total\{model="gpt-4o",version="v2",type="output"\} 20$/m);
    assert.match(text, /^agentops_gen_ai_operation_duration_seconds_bucket\{model="gpt-4o",operation="chat",version="v2",le="0.32"\} 1$/m);
    assert.match(text, /^agentops_gen_ai_operation_duration_seconds_bucket\{model="gpt-4o",operation="chat",version="v2",le="5.12"\} 2$/m);
    assert.match(text, /^agentops_gen_ai_operation_duration_seconds_count\{model="gpt-4o",operation="chat",version="v2"\} 2$/m);
    assert.equal(text.match(/^agentops_gen_ai_operation_duration_seconds_bucket\{model="gpt-4o",operation="chat",version="v2",/gm)?.length, durationBuckets.length + 1);
    assert.ok(text.endsWith('\n'));
  });
});
