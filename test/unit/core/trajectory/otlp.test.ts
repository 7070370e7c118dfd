import * as assert from 'node:assert/strict';
import { readTraceFiles, readTraceText } from '../../../../src/core/otlp/reader';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';
import { readTrajectoryFile, readTrajectoryText } from '../../../../src/core/trajectory/read';
import { trajectoriesFromTrace, trajectoriesFromTraceSet } from '../../../../src/core/trajectory/otlp';
import type { Trajectory } from '../../../../src/core/trajectory/model';
import { corpusFile } from '../../corpus';
import { buildTrace, type SpanDesc } from '../otlp/build';
import { agentRunShape, sdkAgentRun } from '../otlp/sdkAgentRun';
import { calls, kinds, step, toolNames } from './helpers';

const chat = (id: string, start: number, end: number, attrs: SpanDesc['attrs'] = {}, parent = 'agent'): SpanDesc => ({
  id,
  parent,
  name: 'chat gpt-4o',
  start,
  end,
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, ...attrs },
});
const tool = (id: string, name: string, start: number, end: number, attrs: SpanDesc['attrs'] = {}, parent = 'agent'): SpanDesc => ({
  id,
  parent,
  name: `execute_tool ${name}`,
  start,
  end,
  attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, ...attrs },
});
const agent = (id = 'agent', start = 0, end = 10_000): SpanDesc => ({ id, name: 'invoke_agent bot', start, end, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bot' } });
const output = (parts: object[]): string => JSON.stringify([{ role: 'assistant', parts }]);

describe('core/trajectory: runs from OTLP traces', () => {
  it('the SDK-made agent run: one run per invoke_agent, id = trace id, one step per model turn, its call joined by id', async () => {
    const text = new TextDecoder().decode(await sdkAgentRun());
    const set = readTraceText(text, 'sdk.json');
    const [t, ...rest] = trajectoriesFromTraceSet(set, bundledPriceTable());
    assert.ok(t);
    assert.equal(rest.length, 0);
    const trace = set.traces[0];
    assert.ok(trace);
    assert.equal(t.format, 'otlp');
    assert.equal(t.id, trace.traceId);
    assert.equal(t.source.traceId, trace.traceId);
    assert.equal(t.source.file, 'sdk.json');
    assert.equal(t.source.line, 1);
    assert.equal(trace.spans.find((s) => s.spanId === t.source.spanId)?.name, 'invoke_agent support-bot');

    // The router model answers "billing" (no tool call), then two sequential tool calls of the app,
    // then a model turn asking for send_email (joined with that call by id), then the answer.
    assert.deepEqual(kinds(t), ['llm', 'tool', 'tool', 'tool', 'final']);
    assert.deepEqual(toolNames(t), ['search_kb', 'get_invoice', 'send_email']);
    assert.equal(calls(t).length, agentRunShape.toolSpans);
    assert.deepEqual(step(t, 1).calls[0]?.arguments, { query: 'resend invoice' });
    assert.equal(step(t, 1).calls[0]?.rawArguments, '{"query":"resend invoice"}');
    const failed = step(t, 2).calls[0];
    assert.equal(failed?.isError, true);
    assert.equal(failed?.result, 'invoice service returned 503');
    const send = step(t, 3);
    assert.equal(send.calls.length, 1);
    assert.equal(send.calls[0]?.id, 'call_3');
    assert.deepEqual(send.calls[0]?.arguments, { to: 'u-1042', template: 'invoice-resend' });
    assert.equal(send.calls[0]?.result, 'queued');
    assert.equal(send.spanIds?.length, 2, 'the model span and the tool span');
    assert.deepEqual(send.tokens, { input: 1880, output: 212 });
    assert.equal(send.model, 'gpt-4o-2024-08-06');
    assert.equal(step(t, 4).text, 'I have re-sent your March invoice to the address on file.');

    assert.equal(t.outcome.status, 'final-answer');
    assert.equal(t.outcome.step, 4);
    assert.deepEqual(t.totals.tokens, { input: agentRunShape.tokens.input, output: agentRunShape.tokens.output });
    assert.ok((t.totals.costUsd ?? 0) > 0, 'priced with the table');
    assert.equal(t.totals.durationMs, 6030);
    assert.equal(step(t, 0).startMs, Date.UTC(2026, 10, 26, 10, 0, 0) + 15);
    assert.equal(step(t, 0).durationMs, 595);
    assert.equal(step(t, 3).durationMs, 4620 - 1850);

    // Without a price table only self-reported costs count: none here.
    const [plain] = trajectoriesFromTraceSet(set);
    assert.equal(plain?.totals.costUsd, undefined);
  });

  it('the CONVERTED GenAI trace: one run (the summarizer agent inside a tool is part of that call), parallel tools share a step', async () => {
    const file = corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json');
    const r = await readTrajectoryFile(file);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.trajectories.length, 1);
    const t = r.trajectories[0] as Trajectory;
    assert.equal(t.id, '4a1b2c3d4e5f60718293a4b5c6d7e8f9');
    assert.equal(t.format, 'otlp');
    assert.equal(t.model, 'model-a');
    assert.deepEqual(kinds(t), ['llm', 'tool', 'llm', 'tool', 'llm', 'tool', 'final']);
    assert.deepEqual(step(t, 1).calls.map((c) => c.toolName), ['list_dashboards', 'search_traces', 'retrieval vector-search']);
    assert.deepEqual(step(t, 5).calls.map((c) => c.toolName), ['list_dashboards', 'search_traces', 'retrieval vector-search', 'summarize_findings']);
    assert.deepEqual(step(t, 1).calls[0]?.arguments, { window: '1h' });
    assert.equal(step(t, 1).calls[0]?.id, 'call_list_dashboards');
    // model-b ran inside summarize_findings: its usage is that step's.
    assert.deepEqual(step(t, 5).tokens, { input: 920, output: 140 });
    assert.deepEqual(t.totals.tokens, { input: 4 * 1840 + 920, output: 4 * 260 + 140 });
    assert.equal(t.totals.toolCalls, 10);
    assert.equal(t.outcome.status, 'final-answer');
    assert.equal(t.outcome.step, 6);
    assert.ok(t.steps.every((s) => s.line !== undefined && s.spanIds && s.spanIds.length > 0));
    assert.equal(t.totals.durationMs, 42_000);

    // The same through the trace reader directly.
    const set = await readTraceFiles([file]);
    assert.deepEqual(trajectoriesFromTraceSet(set).map((x) => x.steps.length), [7]);
  });

  it('reads an SDK trace file through the façade, detected by content', async () => {
    const text = new TextDecoder().decode(await sdkAgentRun());
    const r = readTrajectoryText(text, 'anything.log');
    assert.equal(r.trajectories.length, 1);
    assert.equal(r.trajectories[0]?.format, 'otlp');
  });

  it('parallel tool calls the model asked for in one turn are one step, results by call id in any order', () => {
    const trace = buildTrace([
      agent(),
      chat('c1', 10, 100, { 'gen_ai.output.messages': output([{ type: 'tool_call', id: 'a', name: 'weather', arguments: { city: 'Paris' } }, { type: 'tool_call', id: 'b', name: 'weather', arguments: { city: 'Rome' } }]) }),
      tool('t2', 'weather', 110, 150, { 'gen_ai.tool.call.id': 'b', 'gen_ai.tool.call.result': 'sunny' }),
      tool('t1', 'weather', 112, 180, { 'gen_ai.tool.call.id': 'a', 'gen_ai.tool.call.result': 'rain' }),
      chat('c2', 200, 300, { 'gen_ai.output.messages': output([{ type: 'text', content: 'Rain in Paris, sun in Rome.' }]) }),
    ]);
    const [t] = trajectoriesFromTrace(trace);
    assert.ok(t);
    assert.deepEqual(kinds(t), ['tool', 'final']);
    assert.deepEqual(step(t, 0).calls.map((c) => [c.id, (c.arguments as { city: string }).city, c.result]), [
      ['a', 'Paris', 'rain'],
      ['b', 'Rome', 'sunny'],
    ]);
    assert.equal(step(t, 0).durationMs, 170);
    assert.deepEqual(step(t, 0).spanIds, ['c1', 't2', 't1']);
  });

  it('without captured content: tools after a model call (until the next one) are its turn; overlapping app tools share a step', () => {
    const trace = buildTrace([
      agent(),
      chat('c1', 10, 100),
      tool('t1', 'a', 110, 150),
      tool('t2', 'b', 160, 200),
      chat('c2', 210, 300),
    ]);
    const [t] = trajectoriesFromTrace(trace);
    assert.deepEqual(t && kinds(t), ['tool', 'final']);
    assert.deepEqual(t && toolNames(t), ['a', 'b']);

    const app = buildTrace([agent(), tool('x1', 'fetch', 10, 100), tool('x2', 'fetch', 20, 90), tool('x3', 'store', 120, 130)]);
    const [u] = trajectoriesFromTrace(app);
    assert.ok(u);
    assert.deepEqual(u.steps.map((s) => s.calls.length), [2, 1]);
    assert.equal(u.outcome.status, 'no-final-answer');
  });

  it('several top-level agents in one trace are several runs; a trace with no agent span is one run; an errored agent span is an error', () => {
    const two = buildTrace([agent('ag1', 0, 1000), chat('c1', 10, 100, {}, 'ag1'), agent('ag2', 2000, 3000), chat('c2', 2010, 2100, {}, 'ag2')], 'b'.repeat(32));
    const runs = trajectoriesFromTrace(two);
    assert.deepEqual(
      runs.map((r) => r.id),
      [`${'b'.repeat(32)}/ag1`, `${'b'.repeat(32)}/ag2`],
    );

    const bare = buildTrace([{ id: 'root', name: 'POST /ask', start: 0, end: 500 }, chat('c1', 10, 100, {}, 'root'), tool('t1', 'search', 120, 200, {}, 'root')]);
    const [b] = trajectoriesFromTrace(bare);
    assert.equal(b?.id, 'a'.repeat(32));
    assert.equal(b?.source.spanId, undefined);
    assert.equal(b?.steps.length, 1);

    const none = buildTrace([{ id: 'root', name: 'GET /health', start: 0, end: 5 }]);
    assert.deepEqual(trajectoriesFromTrace(none), []);

    const failed = buildTrace([{ ...agent(), error: true }, chat('c1', 10, 100)]);
    const [f] = trajectoriesFromTrace(failed);
    assert.equal(f?.outcome.status, 'error');
    assert.equal(f?.outcome.error, 'boom');

    const empty = buildTrace([agent()]);
    assert.equal(trajectoriesFromTrace(empty)[0]?.outcome.status, 'empty');
  });
});
