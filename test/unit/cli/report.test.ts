import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportJson } from '../../../src/cli/commands/report';
import { corpusDir, corpusFile } from '../corpus';
import { chatSpan, otlpLine, type OtlpSpanDesc } from '../core/monitor/callsHelpers';
import { cli, cliIn } from './cliHarness';

type Kv = { key: string; value: { stringValue?: string; intValue?: string | number } };
type RawSpan = { attributes?: Kv[]; status?: { code?: number } };

/** Counted straight from the raw OTLP JSON documents, without the project's reader: chat spans, their usage. */
function rawCounts(file: string): { requests: number; input: number; output: number; errors: number } {
  const text = readFileSync(file, 'utf8');
  const docs = text.trimStart().startsWith('{') && !text.includes('\n{') ? [text] : text.split('\n').filter((l) => l.trim() !== '');
  const out = { requests: 0, input: 0, output: 0, errors: 0 };
  for (const d of docs) {
    const doc = JSON.parse(d) as { resourceSpans?: { scopeSpans?: { spans?: RawSpan[] }[] }[] };
    for (const rs of doc.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) {
          const a = new Map((s.attributes ?? []).map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue]));
          const op = a.get('gen_ai.operation.name');
          if (op !== 'chat' && op !== 'embeddings' && op !== 'text_completion') continue;
          out.requests++;
          out.input += Number(a.get('gen_ai.usage.input_tokens') ?? 0);
          out.output += Number(a.get('gen_ai.usage.output_tokens') ?? 0);
          if (s.status?.code === 2) out.errors++;
        }
  }
  return out;
}

const reportKeys = ['window', 'requests', 'errors', 'errorRate', 'latencyMs', 'tokens', 'costUsd', 'by', 'alerts', 'drift', 'consistency', 'budgets'];

/** `n` chat spans over the 5 minutes before `endMs`, `errors` of them failed, in one OTLP JSON line. */
function burst(first: number, n: number, errors: number, endMs: number, over: Partial<OtlpSpanDesc> & { project?: string; user?: string; input?: number; model?: string } = {}): string {
  const spans = Array.from({ length: n }, (_, i) => chatSpan(first + i, endMs - 299_000 + Math.floor((i * 290_000) / n), { ...over, error: i < errors }));
  return otlpLine(spans);
}

describe('agentops report', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the real OTLP fixtures: request and token counts match the raw files, the JSON has exactly the documented keys', async () => {
    const files = ['jaeger-ui_genaiTestTrace.CONVERTED.otlp.json', 'otel-tui_test_data.jsonl', 'otel-spec_file-exporter_traces.jsonl', 'jaeger-ui_otlp2jaeger-multi-in.jsonl'].map((f) => corpusFile('otlp', f));
    const sample = join(__dirname, '..', '..', '..', 'samples', 'workspace', 'traces', 'support-run.otlp.jsonl');
    const expected = [...files, sample].map(rawCounts).reduce((a, b) => ({ requests: a.requests + b.requests, input: a.input + b.input, output: a.output + b.output, errors: a.errors + b.errors }));
    assert.ok(expected.requests >= 8, `the fixtures hold model calls (${expected.requests})`);
    const r = await cli(['report', ...files, sample, '--json', '--by', 'model']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ReportJson;
    assert.deepEqual(Object.keys(doc), reportKeys);
    assert.deepEqual(Object.keys(doc.window), ['start', 'end']);
    assert.deepEqual(Object.keys(doc.latencyMs), ['p50', 'p95', 'p99']);
    assert.deepEqual(Object.keys(doc.tokens), ['input', 'output']);
    assert.equal(doc.requests, expected.requests);
    assert.equal(doc.errors, expected.errors);
    assert.deepEqual(doc.tokens, { input: expected.input, output: expected.output });
    assert.deepEqual(doc.drift, {});
    assert.deepEqual(doc.alerts, []);
    // The groups add up; the sample's gpt-4o calls are priced.
    assert.equal(
      Object.values(doc.by).reduce((s, g) => s + g.requests, 0),
      doc.requests,
    );
    assert.ok((doc.by['gpt-4o-2024-08-06']?.costUsd ?? 0) > 0);
    // A directory: its *.otlp.json(l) files only (the Jaeger capture in the corpus).
    const d = JSON.parse((await cli(['report', join(corpusDir(), 'otlp'), '--json'])).stdout) as ReportJson;
    const jaeger = rawCounts(files[0] as string);
    assert.deepEqual([d.requests, d.tokens.input, d.tokens.output], [jaeger.requests, jaeger.input, jaeger.output]);
  });

  it('exit 1 while an error-severity alert fires (10% errors), 0 at 4%; the alert has the contract keys', async () => {
    const end = Date.parse('2026-11-20T12:00:00Z');
    writeFileSync(join(dir, 'bad.otlp.jsonl'), `${burst(0, 200, 20, end)}\n`);
    const bad = await cli(['report', dir, '--json']);
    assert.equal(bad.code, 1, bad.stderr);
    const doc = JSON.parse(bad.stdout) as ReportJson;
    assert.equal(doc.requests, 200);
    assert.equal(doc.errors, 20);
    assert.equal(doc.errorRate, 0.1);
    assert.equal(doc.alerts.length, 1);
    const [a] = doc.alerts;
    assert.deepEqual(Object.keys(a ?? {}).slice(0, 5), ['rule', 'severity', 'value', 'threshold', 'since']);
    assert.deepEqual([a?.rule, a?.severity, a?.value, a?.threshold], ['error-rate', 'error', 0.1, 0.05]);
    assert.equal(a?.traceIds.length, 20);
    const text = await cli(['report', dir]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /\n {2}error {4}error-rate {2}10\.0% > 5\.0% {2}since 2026-11-20T/);

    writeFileSync(join(dir, 'bad.otlp.jsonl'), `${burst(0, 200, 8, end)}\n`);
    const ok = await cli(['report', dir, '--json']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.deepEqual((JSON.parse(ok.stdout) as ReportJson).alerts, []);
  });

  it('`report --by project --since 7d` on .agentops/traces/ (the default), recording costs in .agentops/costs.sqlite', async () => {
    const now = Date.now();
    const traces = join(dir, '.agentops', 'traces');
    mkdirSync(join(traces, 'old'), { recursive: true });
    writeFileSync(join(traces, 'a.otlp.jsonl'), `${burst(0, 30, 0, now - 2 * 3_600_000, { project: 'billing' })}\n${burst(100, 20, 1, now - 3 * 86_400_000, { project: 'search' })}\n`);
    writeFileSync(join(traces, 'old', 'b.otlp.jsonl'), `${burst(200, 40, 0, now - 9 * 86_400_000, { project: 'billing' })}\n`);
    const run = async () => {
      const r = await cliIn(dir, ['report', '--by', 'project', '--since', '7d', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as ReportJson;
    };
    const doc = await run();
    assert.equal(doc.requests, 50, 'the 9-day-old calls are outside the window');
    assert.deepEqual(Object.keys(doc.by).sort(), ['billing', 'search']);
    assert.deepEqual([doc.by.billing?.requests, doc.by.search?.requests, doc.by.search?.errors], [30, 20, 1]);
    // 1,000 input + 100 output tokens of gpt-4o-mini a call.
    assert.deepEqual(doc.tokens, { input: 50_000, output: 5_000 });
    assert.ok(existsSync(join(dir, '.agentops', 'costs.sqlite')));
    // Read again: the ledger does not double count, the report is the same.
    const again = await run();
    assert.deepEqual({ ...again, window: null }, { ...doc, window: null });
    const text = await cliIn(dir, ['report', '--by', 'project', '--since', '7d']);
    assert.match(text.stdout, /By project\n {2}project +requests +errors +err% +tokens in +tokens out +cost +p95\n {2}billing +30 +0 +0%/);
  });

  it('a budget from agentops.yaml: crossed → a firing budget alert (exit 1) and its status', async () => {
    const now = Date.now();
    writeFileSync(join(dir, 't.otlp.jsonl'), `${burst(0, 10, 0, now - 60_000, { project: 'billing', model: 'gpt-4o', input: 100_000 })}\n`);
    writeFileSync(join(dir, 'agentops.yaml'), 'alerts:\n  rules:\n    - { type: budget, period: day, threshold: 1, project: billing }\n');
    const r = await cliIn(dir, ['report', 't.otlp.jsonl', '--since', '1h', '--json']);
    const doc = JSON.parse(r.stdout) as ReportJson;
    assert.equal(r.code, 1, r.stderr);
    assert.equal(doc.budgets.length, 1);
    assert.equal(doc.budgets[0]?.project, 'billing');
    assert.equal(doc.budgets[0]?.crossed, true, JSON.stringify(doc.budgets));
    assert.ok((doc.budgets[0]?.spentUsd ?? 0) > 2, '10 × 100k input tokens of gpt-4o');
    assert.deepEqual(
      doc.alerts.map((a) => [a.rule, a.severity, a.project]),
      [['budget', 'error', 'billing']],
    );
    const under = await cliIn(dir, ['report', 't.otlp.jsonl', '--since', '1h', '--json', '--config', 'none.yaml']);
    assert.equal(under.code, 2, 'a --config that does not exist');
    assert.match(under.stderr, /none\.yaml: no such file/);
  });

  it('--compare: drift against a baseline (PSI, KS), with a warning alert that does not fail the run', async () => {
    const end = Date.parse('2026-11-20T12:00:00Z');
    mkdirSync(join(dir, 'before'));
    mkdirSync(join(dir, 'after'));
    const vary = (first: number, n: number, input: (i: number) => number) =>
      otlpLine(Array.from({ length: n }, (_, i) => chatSpan(first + i, end - 200_000 + i * 500, { input: input(i), output: 50 + (i % 7) })));
    writeFileSync(join(dir, 'before', 'a.otlp.jsonl'), `${vary(0, 200, (i) => 800 + (i % 50) * 4)}\n`);
    writeFileSync(join(dir, 'after', 'b.otlp.jsonl'), `${vary(1000, 200, (i) => 1600 + (i % 50) * 4)}\n`);
    writeFileSync(join(dir, 'after', 'same.otlp.jsonl.bak'), 'ignored');
    const r = await cli(['report', join(dir, 'after'), '--compare', join(dir, 'before'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ReportJson;
    assert.ok('inputTokens' in doc.drift);
    const d = doc.drift as Extract<ReportJson['drift'], { inputTokens: unknown }>;
    assert.equal(d.inputTokens.level, 'drift');
    assert.ok(d.inputTokens.ks.significant);
    assert.equal(d.outputTokens.level, 'none');
    assert.deepEqual(d.drifted, ['inputTokens']);
    assert.deepEqual(
      doc.alerts.map((a) => [a.rule, a.severity]),
      [['drift', 'warning']],
    );
    const same = JSON.parse((await cli(['report', join(dir, 'before'), '--compare', join(dir, 'before'), '--json'])).stdout) as ReportJson;
    assert.deepEqual((same.drift as typeof d).drifted, []);
    const text = await cli(['report', join(dir, 'after'), '--compare', join(dir, 'before')]);
    assert.match(text.stdout, /Drift {5}baseline 200 requests → current 200 {2}DRIFT: inputTokens/);
  });

  it('version A against B in the same files, and the hour after a deploy against the hour before (--baseline-*)', async () => {
    const deployAt = Date.parse('2026-11-20T12:00:00Z');
    // v1 for the hour before the deploy (inputs ~800 tokens), v2 after it (inputs ~1600): one folder, as the collector writes.
    const calls = (first: number, n: number, fromMs: number, input: (i: number) => number) =>
      Array.from({ length: n }, (_, i) => chatSpan(first + i, fromMs + i * 15_000, { input: input(i), output: 50 + (i % 7) }));
    mkdirSync(join(dir, 'traces'));
    writeFileSync(
      join(dir, 'traces', 'traces-1.otlp.jsonl'),
      `${otlpLine(calls(0, 200, deployAt - 3_000_000, (i) => 800 + (i % 50) * 4), { 'service.name': 'bot', 'service.version': 'v1' })}\n` +
        `${otlpLine(calls(1000, 200, deployAt + 1000, (i) => 1600 + (i % 50) * 4), { 'service.name': 'bot', 'service.version': 'v2' })}\n`,
    );
    const traces = join(dir, 'traces');
    type Drifted = { drifted: string[] };
    const ab = await cli(['report', traces, '--version', 'v2', '--baseline-version', 'v1', '--json']);
    assert.equal(ab.code, 0, ab.stderr);
    const abDoc = JSON.parse(ab.stdout) as ReportJson;
    assert.equal(abDoc.requests, 200, 'only v2 is reported on');
    assert.deepEqual((abDoc.drift as unknown as Drifted).drifted, ['inputTokens']);
    const around = new Date(deployAt).toISOString();
    const windows = await cli(['report', traces, '--since', around, '--until', '2026-11-20T13:00:00Z', '--baseline-since', '2026-11-20T11:00:00Z', '--baseline-until', around, '--json']);
    assert.equal(windows.code, 0, windows.stderr);
    const w = JSON.parse(windows.stdout) as ReportJson;
    assert.equal(w.requests, 200);
    assert.deepEqual((w.drift as unknown as Drifted).drifted, ['inputTokens']);
    const steady = JSON.parse((await cli(['report', traces, '--version', 'v1', '--baseline-version', 'v1', '--json'])).stdout) as ReportJson;
    assert.deepEqual((steady.drift as unknown as Drifted).drifted, []);
  });

  it('exit 2 for bad usage and unreadable input, naming the file and line', async () => {
    const missing = await cli(['report', 'no/such/dir', '--json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/dir: no such file/);
    assert.equal((JSON.parse(missing.stdout) as { error: { kind: string } }).error.kind, 'input');
    for (const [args, message] of [
      [['--since', 'last tuesday'], /--since must be a duration ago \(7d, 24h, 90m\) or an ISO date/],
      [['--by', 'colour'], /--by must be one of user, project, model, agent, got 'colour'/],
      [['--since', '2026-11-02', '--until', '2026-11-01'], /--until \(2026-11-01T00:00:00\.000Z\) is before --since/],
    ] as const) {
      const r = await cli(['report', dir, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    mkdirSync(join(dir, 'ledger.sqlite'));
    const ledger = await cli(['report', join(corpusDir(), 'otlp'), '--ledger', join(dir, 'ledger.sqlite')]);
    assert.equal(ledger.code, 2);
    assert.match(ledger.stderr, /ledger\.sqlite: cannot open the cost ledger/);
    const empty = await cliIn(dir, ['report']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /\.agentops\/traces\/ does not exist/);
    writeFileSync(join(dir, 'garbage.otlp.jsonl'), 'hello\n{"resourceSpans": [ oops\n');
    const garbage = await cli(['report', join(dir, 'garbage.otlp.jsonl')]);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /garbage\.otlp\.jsonl:1: no trace could be read/);
    // A file with a damaged line, all of whose calls are older than the window: readable, the line reported on stderr, exit 0.
    writeFileSync(join(dir, 'torn.otlp.jsonl'), `${burst(0, 10, 0, Date.parse('2026-01-01T00:00:00Z'))}\n{"resourceSpans":[{"scopeSp\n`);
    const torn = await cli(['report', join(dir, 'torn.otlp.jsonl'), '--since', '1h', '--json']);
    assert.equal(torn.code, 0, torn.stderr);
    assert.equal((JSON.parse(torn.stdout) as ReportJson).requests, 0);
    assert.match(torn.stderr, /torn\.otlp\.jsonl:2: /);
    writeFileSync(join(dir, 'agentops.yaml'), 'alerts:\n  rules:\n    - { type: error-rate, threshold: 5 }\n');
    const config = await cliIn(dir, ['report', join(corpusDir(), 'otlp')]);
    assert.equal(config.code, 2);
    assert.match(config.stderr, /agentops\.yaml:3:38 \(alerts\.rules\[0\]\.threshold\): threshold must be between 0 and 1, found 5/);
  });
});
