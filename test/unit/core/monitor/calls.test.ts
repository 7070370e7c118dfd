import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { callsFromSpans, inputHash, listTraceFiles, maxOutputText, readCalls } from '../../../../src/core/monitor/calls';
import type { CallRecord } from '../../../../src/core/monitor/types';
import { costOfCall } from '../../../../src/core/tokens/pricing/cost';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';
import { corpusFile } from '../../corpus';
import { makeSpan, type SpanDesc } from '../otlp/build';
import { chatSpan, otlpLine } from './callsHelpers';

const chat = (id: string, attrs: SpanDesc['attrs'] = {}, extra: Partial<SpanDesc> = {}) =>
  makeSpan({ id, name: 'chat gpt-4o-mini', start: 0, end: 250, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 200, ...attrs }, ...extra });

const only = (calls: CallRecord[]): CallRecord => {
  assert.equal(calls.length, 1);
  return calls[0] as CallRecord;
};

describe('core/monitor/calls', () => {
  describe('callsFromSpans', () => {
    it('makes one record per GenAI span: kind, operation, model, tokens, times, source; skips plain HTTP spans', () => {
      const calls = callsFromSpans([
        chat('01', { 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.provider.name': 'openai', 'gen_ai.response.finish_reasons': ['stop'] }),
        makeSpan({ id: '02', name: 'GET /health', start: 0, end: 5, attrs: { 'http.request.method': 'GET' } }),
      ]);
      const c = only(calls);
      assert.equal(c.kind, 'llm');
      assert.equal(c.operation, 'chat');
      assert.equal(c.model, 'gpt-4o-mini-2024-07-18');
      assert.equal(c.provider, 'openai');
      assert.equal(c.inputTokens, 1000);
      assert.equal(c.outputTokens, 200);
      assert.equal(c.durationMs, 250);
      assert.equal(c.endMs - c.startMs, 250);
      assert.equal(c.startMs, 1_770_000_000_000);
      assert.deepEqual(c.finishReasons, ['stop']);
      assert.equal(c.error, false);
      assert.equal(c.file, 'mem.json');
      assert.equal(c.line, 1);
      assert.equal(c.spanId, '01');
    });

    it('kinds: embedding, agent, tool (with its name), and other for chains', () => {
      const kinds = callsFromSpans([
        makeSpan({ id: '01', name: 'embeddings', start: 0, end: 1, attrs: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small' } }),
        makeSpan({ id: '02', name: 'invoke_agent bot', start: 0, end: 1, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bot' } }),
        makeSpan({ id: '03', name: 'execute_tool search', start: 0, end: 1, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }),
        makeSpan({ id: '04', name: 'workflow', start: 0, end: 1, attrs: { 'traceloop.span.kind': 'workflow' } }),
      ]);
      assert.deepEqual(
        kinds.map((c) => [c.kind, c.operation, c.tool]),
        [
          ['embedding', 'embeddings', undefined],
          ['agent', 'invoke_agent', undefined],
          ['tool', 'execute_tool', 'search'],
          ['other', 'workflow', undefined],
        ],
      );
    });

    it('user, project, session, conversation, version: the span, then the resource, then an ancestor; user falls back to enduser.id', () => {
      const root = makeSpan({ id: 'r', name: 'invoke_agent support', start: 0, end: 1000, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'user.id': 'u-root', 'session.id': 's-1' } });
      const child = chat('c', { 'agentops.project': 'billing' }, { parent: 'r' });
      child.resource.attributes['agentops.project'] = 'from-resource';
      child.resource.attributes['service.version'] = '2.3.0';
      const calls = callsFromSpans([root, child]);
      const c = calls.find((x) => x.spanId === 'c') as CallRecord;
      assert.equal(c.project, 'billing', 'the span wins over its resource');
      assert.equal(c.user, 'u-root', 'inherited from the root span');
      assert.equal(c.session, 's-1');
      assert.equal(c.version, '2.3.0', 'from the resource');
      assert.equal(c.agent, 'support', 'the enclosing agent');

      const enduser = only(callsFromSpans([chat('e', { 'enduser.id': 'alice', 'gen_ai.conversation.id': 'conv-9' })]));
      assert.equal(enduser.user, 'alice');
      assert.equal(enduser.conversation, 'conv-9');

      const custom = only(callsFromSpans([chat('x', { 'app.customer': 'acme', 'user.id': 'ignored' })], { attributes: { user: 'app.customer', project: 'app.customer' } }));
      assert.equal(custom.user, 'acme');
      assert.equal(custom.project, 'acme');
    });

    it('cost: a reported cost wins; else the usage priced with costOfCall; absent for an unknown model', () => {
      const prices = bundledPriceTable();
      const priced = only(callsFromSpans([chat('p')], { prices }));
      const price = prices.find('gpt-4o-mini', 'openai');
      assert.ok(price);
      const expected = costOfCall(price, { inputTokens: 1000, outputTokens: 200 }).totalUsd;
      assert.ok(Math.abs((priced.costUsd ?? NaN) - expected) < 1e-12, `${priced.costUsd} vs ${expected}`);
      // 1000 × $0.15/M + 200 × $0.60/M, by hand.
      assert.ok(Math.abs(expected - 0.00027) < 1e-12);

      const reported = only(callsFromSpans([chat('r', { 'gen_ai.usage.cost': 0.5 })], { prices }));
      assert.equal(reported.costUsd, 0.5);
      const unknown = only(callsFromSpans([chat('u', { 'gen_ai.request.model': 'no-such-model-xyz' })], { prices }));
      assert.equal(unknown.costUsd, undefined);
    });

    it('errors: status ERROR, and the type from error.type, the exception event, or the status message', () => {
      const [a, b, c] = callsFromSpans([
        chat('a', { 'error.type': 'rate_limited' }, { error: true }),
        chat('b', {}, { error: true, events: [{ name: 'exception', attrs: { 'exception.type': 'TimeoutError' } }] }),
        chat('c', {}, { error: true }),
      ]);
      assert.deepEqual([a?.error, a?.errorType], [true, 'rate_limited']);
      assert.equal(b?.errorType, 'TimeoutError');
      assert.equal(c?.errorType, 'boom', "the status message's first word");
      assert.equal(only(callsFromSpans([chat('ok')])).errorType, undefined);
    });

    it('inputHash and outputText only when content was captured; the hash ignores key order; the text is capped', () => {
      const none = only(callsFromSpans([chat('n')]));
      assert.equal(none.inputHash, undefined);
      assert.equal(none.outputText, undefined);
      const msgA = '[{"role":"user","parts":[{"type":"text","content":"Where is my invoice?"}]}]';
      const msgB = '[{"parts":[{"content":"Where is my invoice?","type":"text"}],"role":"user"}]';
      const long = 'x'.repeat(maxOutputText + 500);
      const [a, b] = callsFromSpans([
        chat('a', { 'gen_ai.input.messages': msgA, 'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"Resent."}]}]' }),
        chat('b', { 'gen_ai.input.messages': msgB, 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: long }] }]) }),
      ]);
      assert.match(a?.inputHash ?? '', /^[0-9a-f]{16}$/);
      assert.equal(a?.inputHash, b?.inputHash);
      assert.equal(a?.inputHash, inputHash([{ role: 'user', parts: [{ type: 'text', content: 'Where is my invoice?' }] }]));
      assert.equal(a?.outputText, 'Resent.');
      assert.equal(b?.outputText?.length, maxOutputText);
    });

    it('content: false (the dashboard, live alerts) keeps no message text, and every figure the same', () => {
      const spans = [chat('a', { 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]', 'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]' })];
      const full = only(callsFromSpans(spans));
      const lean = only(callsFromSpans(spans, { content: false }));
      assert.equal(full.outputText, 'hello');
      assert.equal(lean.outputText, undefined);
      assert.equal(lean.inputHash, undefined);
      const { outputText: _o, inputHash: _i, finishReasons: _f, ...figures } = full;
      const { outputText: _o2, inputHash: _i2, finishReasons: _f2, ...leanFigures } = lean;
      assert.deepEqual(leanFigures, figures);
    });
  });

  describe('readCalls', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'agentops-calls-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads every *.otlp.json(l)[.gz] of a directory recursively, one file at a time, with file and line of each call', async () => {
      mkdirSync(join(dir, 'day1', 'deep'), { recursive: true });
      writeFileSync(join(dir, 'a.otlp.jsonl'), `${otlpLine([chatSpan(0, 1000)])}\n${otlpLine([chatSpan(1, 2000), chatSpan(2, 3000)])}\n`);
      writeFileSync(join(dir, 'day1', 'deep', 'b.otlp.jsonl.gz'), gzipSync(`${otlpLine([chatSpan(3, 4000, { project: 'p1' })])}\n`));
      writeFileSync(join(dir, 'day1', 'c.otlp.json'), otlpLine([chatSpan(4, 5000)]));
      writeFileSync(join(dir, 'notes.json'), otlpLine([chatSpan(5, 6000)]), 'utf8');
      // The collector's other signals, beside its trace files: skipped.
      writeFileSync(join(dir, 'metrics-20261126T120000Z-0001.otlp.jsonl'), '{"resourceMetrics": []}\n');
      writeFileSync(join(dir, 'logs-20261126T120000Z-0001.otlp.jsonl'), '{"resourceLogs": []}\n');
      const perFile: [string, number][] = [];
      const r = await readCalls([dir], { onFile: (f, calls) => perFile.push([f.slice(dir.length + 1), calls.length]) });
      assert.deepEqual(perFile, [
        ['a.otlp.jsonl', 3],
        ['day1/c.otlp.json', 1],
        ['day1/deep/b.otlp.jsonl.gz', 1],
      ]);
      assert.equal(r.calls.length, 5);
      assert.deepEqual(
        r.calls.filter((c) => c.file?.endsWith('a.otlp.jsonl')).map((c) => c.line),
        [1, 2, 2],
      );
      assert.equal(r.calls.find((c) => c.project === 'p1')?.file, join(dir, 'day1', 'deep', 'b.otlp.jsonl.gz'));
      // A file named explicitly is read whatever its name.
      assert.equal((await readCalls([join(dir, 'notes.json')])).calls.length, 1);
      // keep + collect:false: nothing accumulates, the callback still sees each file's kept calls.
      let seen = 0;
      const lean = await readCalls([dir], { keep: (c) => c.startMs >= 3000, collect: false, onFile: (_f, calls) => (seen += calls.length) });
      assert.equal(lean.calls.length, 0);
      assert.equal(seen, 3);
    });

    it('a missing path is an InputError naming it; a damaged line is a diagnostic and the rest is read', async () => {
      await assert.rejects(readCalls([join(dir, 'nope')]), (e: Error) => e.name === 'InputError' && /nope: no such file/.test(e.message));
      writeFileSync(join(dir, 'x.otlp.jsonl'), `${otlpLine([chatSpan(0, 1000)])}\n{"resourceSpans": [ broken\n${otlpLine([chatSpan(1, 2000)])}\n`);
      const r = await readCalls([dir]);
      assert.equal(r.calls.length, 2);
      assert.ok(r.diagnostics.some((d) => d.line === 2 && d.severity === 'error'), JSON.stringify(r.diagnostics));
      assert.deepEqual(await listTraceFiles([dir]), [join(dir, 'x.otlp.jsonl')]);
    });

    it('the Jaeger GenAI capture: counts checked against the raw JSON', async () => {
      const file = corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json');
      const r = await readCalls([file]);
      // Independently: walk the raw document and count the chat spans and their usage attributes.
      type Kv = { key: string; value: { stringValue?: string; intValue?: string } };
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { resourceSpans: { scopeSpans: { spans: { attributes?: Kv[] }[] }[] }[] };
      let chats = 0;
      let input = 0;
      let output = 0;
      for (const rs of raw.resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const a = new Map((s.attributes ?? []).map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue]));
            if (a.get('gen_ai.operation.name') !== 'chat') continue;
            chats++;
            input += Number(a.get('gen_ai.usage.input_tokens') ?? 0);
            output += Number(a.get('gen_ai.usage.output_tokens') ?? 0);
          }
      const llm = r.calls.filter((c) => c.kind === 'llm');
      assert.equal(llm.length, chats);
      assert.equal(
        llm.reduce((s, c) => s + c.inputTokens, 0),
        input,
      );
      assert.equal(
        llm.reduce((s, c) => s + c.outputTokens, 0),
        output,
      );
      assert.ok(llm.every((c) => c.agent !== undefined), 'every chat call belongs to an agent');
    });
  });
});
