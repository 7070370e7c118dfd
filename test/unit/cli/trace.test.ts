import * as assert from 'node:assert/strict';
import { cli } from './cliHarness';
import { corpusFile } from '../corpus';



interface TraceJson {
  traces: { traceId: string; rootName: string; services: string[]; spanCount: number; errorCount: number; startTimeUnixNano: string; durationMs: number; tokens: Record<string, number>; costUsd: number | null; models: string[]; criticalPath?: unknown }[];
  totals: { traces: number; spans: number; errors: number; costUsd: number | null };
  diagnostics: { file: string; line?: number; severity: string; message: string }[];
}

describe('agentops trace', function () {
  this.timeout(30_000);

  it('summarizes the OpenTelemetry Demo capture in the documented JSON shape', async () => {
    const r = await cli(['trace', corpusFile('otlp', 'otel-tui_test_data.jsonl'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as TraceJson;
    assert.equal(doc.totals.traces, 141);
    assert.equal(doc.totals.spans, 547);
    assert.equal(doc.traces.length, 141);
    for (const t of doc.traces) {
      assert.match(t.traceId, /^[0-9a-f]{32}$/);
      assert.match(t.startTimeUnixNano, /^\d{19}$/);
      assert.equal(typeof t.durationMs, 'number');
    }
    assert.ok(doc.diagnostics.some((d) => d.line !== undefined && /parent is not in the file/.test(d.message)));
  });

  it('prints one trace with its critical path, from the sample workspace', async () => {
    const file = 'samples/workspace/traces/support-run.otlp.jsonl';
    const all = JSON.parse((await cli(['trace', file, '--json'])).stdout) as TraceJson;
    const id = all.traces[0]?.traceId ?? '';
    const r = await cli(['trace', file, '--trace', id, '--critical-path', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as TraceJson;
    assert.equal(doc.traces.length, 1);
    assert.equal(doc.traces[0]?.rootName, 'invoke_agent support-bot');
    assert.ok(Array.isArray(doc.traces[0]?.criticalPath));
    const text = await cli(['trace', file, '--critical-path']);
    assert.match(text.stdout, /critical path of [0-9a-f]{32}: invoke_agent support-bot → chat gpt-4o-mini/);
  });

  it('exits 2 when a file cannot be read, 0 with diagnostics for a damaged one', async () => {
    const missing = await cli(['trace', 'no/such.jsonl']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\.jsonl: no such file/);
    const damaged = await cli(['trace', corpusFile('otlp', 'otel-proto_examples_trace.json'), '--json']);
    assert.equal(damaged.code, 0);
    assert.equal((JSON.parse(damaged.stdout) as TraceJson).totals.spans, 1);
  });
});
