import * as assert from 'node:assert/strict';
import { readTraceText } from '../../../../src/core/otlp/reader';
import { normalizeGenAi } from '../../../../src/core/otlp/genai';
import { summarizeTrace } from '../../../../src/core/otlp/rollup';
import { criticalPath } from '../../../../src/core/otlp/criticalPath';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';
import { agentRunShape, sdkAgentRun } from './sdkAgentRun';

describe('core/otlp: traces written by the OpenTelemetry JS SDK', () => {
  it('reads an SDK-serialized agent run with its tree, GenAI spans, tokens, cost and error', async () => {
    const text = new TextDecoder().decode(await sdkAgentRun());
    const set = readTraceText(text, 'sdk.json');
    assert.deepEqual(set.diagnostics, []);
    assert.equal(set.traces.length, 1);
    const [trace] = set.traces;
    assert.ok(trace);
    assert.equal(trace.spans.length, agentRunShape.spans);
    assert.equal(trace.roots.length, 1);
    assert.equal(trace.spans[trace.roots[0] ?? -1]?.name, 'invoke_agent support-bot');
    const types = trace.spans.map((s) => normalizeGenAi(s).type);
    assert.equal(types.filter((t) => t === 'llm').length, agentRunShape.llmSpans);
    assert.equal(types.filter((t) => t === 'tool').length, agentRunShape.toolSpans);

    const summary = summarizeTrace(trace, bundledPriceTable());
    assert.equal(summary.spanCount, agentRunShape.spans);
    assert.equal(summary.errorCount, agentRunShape.errors);
    assert.equal(summary.tokens.input, agentRunShape.tokens.input);
    assert.equal(summary.tokens.output, agentRunShape.tokens.output);
    assert.equal(summary.tokens.cacheRead, agentRunShape.tokens.cacheRead);
    assert.deepEqual([...summary.models].sort(), ['gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18']);
    assert.ok(summary.costUsd !== null && summary.costUsd > 0, 'priced from the bundled table');
    assert.equal(summary.durationMs, 6030);
    assert.equal(summary.startTimeUnixNano, String(BigInt(Date.UTC(2026, 10, 26, 10, 0, 0)) * 1_000_000n));

    const path = criticalPath(trace);
    assert.ok(path.ok, path.ok ? '' : path.reason);
    assert.deepEqual(
      path.spans.map((i) => trace.spans[i]?.name),
      ['invoke_agent support-bot', 'chat gpt-4o-mini', 'execute_tool search_kb', 'execute_tool get_invoice', 'chat gpt-4o', 'execute_tool send_email', 'chat gpt-4o'],
    );
  });
});
