import { waitForUpdate } from '@pydantic/genai-prices';
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, isInputError } from '../../../../src/core/errors';
import { readTraceText } from '../../../../src/core/otlp/reader';
import { openTraceSession, type TraceSession } from '../../../../src/core/otlp/traceSession';
import { TraceViewModel } from '../../../../src/core/otlp/viewModel';
import { bundledPriceTable, parsePriceOverrides, withOverrides } from '../../../../src/core/tokens/pricing/priceTable';
import { loadStoredPrices } from '../../../../src/core/tokens/pricing/refresh';
import { manyTraces } from '../../../harness/traceFixtures';
import { corpusFile } from '../../corpus';

// From source: openTraceSession starts a .ts worker with tsx's loader.
const workerPath = resolve(__dirname, '../../../../src/core/otlp/traceSessionWorker.ts');

describe('core/otlp/traceSession', function () {
  this.timeout(30_000);
  const sessions: TraceSession[] = [];
  const open = async (files: string[], options: Omit<Parameters<typeof openTraceSession>[0], 'workerPath' | 'files'> = {}) => {
    const session = await openTraceSession({ workerPath, files, ...options });
    sessions.push(session);
    return session;
  };
  afterEach(() => sessions.splice(0).forEach((s) => s.dispose()));

  it('answers every request as a TraceViewModel over the same file does in-process', async () => {
    const file = corpusFile('otlp', 'otel-tui_test_data.jsonl');
    const set = readTraceText(readFileSync(file, 'utf8'), file);
    const local = new TraceViewModel(set, bundledPriceTable());
    const session = await open([file]);

    assert.deepEqual(session.priceProblems, []);
    assert.deepEqual(await session.list(), local.list());
    assert.deepEqual(await session.diagnostics(), local.diagnostics());
    assert.ok((await session.diagnostics()).length > 0, 'the fixture has a diagnostic worth comparing');
    const spans = set.traces.reduce((n, t) => n + t.spans.length, 0);
    assert.deepEqual(await session.counts(), { traces: set.traces.length, spans, logRecords: set.logRecords, metricDataPoints: set.metricDataPoints, diagnostics: set.diagnostics.length });
    for (const t of set.traces) {
      assert.deepEqual(await session.trace(t.traceId), local.trace(t.traceId));
      assert.deepEqual(await session.search(t.traceId, { text: 'get' }), local.search(t.traceId, { text: 'get' }));
      assert.deepEqual(await session.search(t.traceId, { errorsOnly: true }), local.search(t.traceId, { errorsOnly: true }));
    }
    const biggest = [...set.traces].sort((x, y) => y.spans.length - x.spans.length)[0];
    assert.ok(biggest && biggest.spans.length > 1);
    for (let i = 0; i < biggest.spans.length; i++) assert.deepEqual(await session.detail(biggest.traceId, i), local.detail(biggest.traceId, i));
    assert.deepEqual(await session.stats(), local.stats());
    const [a, b] = set.traces;
    assert.ok(a && b);
    assert.deepEqual(await session.compare(a.traceId, b.traceId), local.compare(a.traceId, b.traceId));
    // Not in the file: undefined, as in-process.
    assert.equal(await session.trace('0'.repeat(32)), undefined);
    assert.equal(await session.detail(a.traceId, 10_000), undefined);
    assert.equal(await session.compare(a.traceId, 'nope'), undefined);
  });

  it('reports read progress up to the whole file', async () => {
    const file = corpusFile('otlp', 'otel-tui_test_data.jsonl');
    const progress: { bytesRead: number; bytesTotal: number }[] = [];
    await open([file], { onProgress: (p) => progress.push(p) });
    assert.ok(progress.length >= 2);
    const size = statSync(file).size;
    assert.deepEqual(progress.at(-1), { bytesRead: size, bytesTotal: size });
  });

  it('answers two concurrent requests each with its own answer', async () => {
    const file = corpusFile('otlp', 'otel-tui_test_data.jsonl');
    const local = new TraceViewModel(readTraceText(readFileSync(file, 'utf8'), file), bundledPriceTable());
    const session = await open([file]);
    const [a, b] = local.set.traces;
    assert.ok(a && b);
    const [ta, tb, list, da] = await Promise.all([session.trace(a.traceId), session.trace(b.traceId), session.list(), session.detail(a.traceId, 0)]);
    assert.deepEqual(ta, local.trace(a.traceId));
    assert.deepEqual(tb, local.trace(b.traceId));
    assert.deepEqual(list, local.list());
    assert.deepEqual(da, local.detail(a.traceId, 0));
  });

  it('rejects opening with an AbortError when aborted, before or while the worker reads', async () => {
    const file = corpusFile('otlp', 'otel-tui_test_data.jsonl');
    const before = new AbortController();
    before.abort();
    await assert.rejects(openTraceSession({ workerPath, files: [file], signal: before.signal }), { name: 'AbortError' });
    const during = new AbortController();
    const opening = openTraceSession({ workerPath, files: [file], signal: during.signal, onProgress: () => during.abort() });
    await assert.rejects(opening, { name: 'AbortError' });
  });

  it('rejects opening with an InputError, rebuilt on this side, for a file that does not exist', async () => {
    await assert.rejects(openTraceSession({ workerPath, files: [resolve(__dirname, 'no-such-file.jsonl')] }), (err: unknown) => {
      assert.ok(err instanceof InputError && isInputError(err));
      assert.match(err.location.file, /no-such-file\.jsonl$/);
      assert.equal(err.detail, 'no such file');
      return true;
    });
  });

  it('after dispose, rejects what was pending and every later request', async () => {
    const session = await open([corpusFile('otlp', 'otel-tui_test_data.jsonl')]);
    const pending = session.stats();
    session.dispose();
    await assert.rejects(pending, { name: 'AbortError' });
    await assert.rejects(session.list(), { name: 'AbortError' });
    await assert.rejects(session.reload(), { name: 'AbortError' });
  });

  it('reloads in the same worker; a failed reload keeps the previous model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentops-session-'));
    try {
      const file = join(dir, 'run.jsonl');
      copyFileSync(corpusFile('otlp', 'otel-spec_file-exporter_traces.jsonl'), file);
      const session = await open([file]);
      const first = await session.list();
      copyFileSync(corpusFile('otlp', 'otel-tui_test_data.jsonl'), file);
      // Two reloads in a row: the second supersedes the first (which may already be done, or abort).
      const [r1, r2] = await Promise.allSettled([session.reload(), session.reload()]);
      if (r1.status === 'rejected') assert.equal((r1.reason as Error).name, 'AbortError');
      assert.equal(r2.status, 'fulfilled');
      const second = await session.list();
      assert.notDeepEqual(second, first);
      assert.equal(r2.value.traces, second.length);
      unlinkSync(file);
      await assert.rejects(session.reload(), (err: unknown) => isInputError(err) && err.detail === 'no such file');
      assert.deepEqual(await session.list(), second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prices with the refreshed copy and overrides it is given, and reports unusable ones once, falling back', async () => {
    const file = corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json');
    const set = readTraceText(readFileSync(file, 'utf8'), file);
    const overrides = { 'model-a': { inputPerMTok: 3, outputPerMTok: 15 } };
    const priced = await open([file], { prices: { overrides } });
    const expected = new TraceViewModel(set, withOverrides(bundledPriceTable(), parsePriceOverrides(overrides, 'settings'))).list();
    assert.ok(expected.some((t) => t.costUsd !== null), 'the override prices the fixture');
    assert.deepEqual(await priced.list(), expected);
    assert.deepEqual(priced.priceProblems, []);

    // A refreshed copy that knows model-b, as the extension passes it from global storage.
    const providers = structuredClone((await waitForUpdate()) ?? []);
    providers.find((p) => p.id === 'openai')?.models.push({ id: 'model-b', match: { equals: 'model-b' }, prices: { input_mtok: 1, output_mtok: 2 } });
    const storedJson = JSON.stringify(providers);
    const refreshed = await open([file], { prices: { storedJson, storedOrigin: '/storage/prices.json' } });
    const expectedRefreshed = new TraceViewModel(set, loadStoredPrices(storedJson, '/storage/prices.json')).list();
    assert.notDeepEqual(expectedRefreshed, new TraceViewModel(set, bundledPriceTable()).list(), 'the refreshed copy prices the fixture');
    assert.deepEqual(await refreshed.list(), expectedRefreshed);
    assert.deepEqual(refreshed.priceProblems, []);

    const broken = await open([file], { prices: { storedJson: '{"not json', storedOrigin: '/storage/prices.json', overrides: { 'model-a': { inputPerMTok: -1 } } } });
    assert.deepEqual(
      broken.priceProblems.map((p) => p.input),
      ['storedPrices', 'overrides'],
    );
    assert.match(broken.priceProblems[0]?.message ?? '', /\/storage\/prices\.json: not valid JSON/);
    assert.match(broken.priceProblems[1]?.message ?? '', /model-a/);
    assert.deepEqual(await broken.list(), new TraceViewModel(set, bundledPriceTable()).list());
  });

  it('costs the same spans again when the prices change, without reading the file', async () => {
    const file = corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json');
    const set = readTraceText(readFileSync(file, 'utf8'), file);
    const session = await open([file]);
    assert.deepEqual(await session.list(), new TraceViewModel(set, bundledPriceTable()).list());
    const overrides = { 'model-a': { inputPerMTok: 3, outputPerMTok: 15 } };
    assert.deepEqual(await session.setPrices({ overrides }), []);
    const expected = new TraceViewModel(set, withOverrides(bundledPriceTable(), parsePriceOverrides(overrides, 'settings')));
    assert.deepEqual(await session.list(), expected.list());
    assert.deepEqual(await session.stats(), expected.stats());
    const problems = await session.setPrices({ overrides: { 'model-a': { inputPerMTok: -1 } } });
    assert.deepEqual(problems.map((p) => p.input), ['overrides']);
    assert.deepEqual(session.priceProblems, problems);
    assert.deepEqual(await session.list(), new TraceViewModel(set, bundledPriceTable()).list());
  });

  it('a model too big for its memory limit stops the worker, not this process, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentops-session-'));
    try {
      const file = join(dir, 'big.otlp.jsonl');
      copyFileSync(corpusFile('otlp', 'otel-spec_file-exporter_traces.jsonl'), file);
      const closed: Error[] = [];
      const session = await open([file], { maxMemoryMb: 32, onClose: (reason) => closed.push(reason) });
      assert.equal(session.closed, undefined);
      // 150,000 spans: far more than 32 MB of model (about 640 B a span).
      writeFileSync(file, manyTraces(1500));
      await assert.rejects(session.reload(), (err: Error) => {
        assert.equal(err.name, 'OutOfMemoryError');
        assert.match(err.message, /big\.otlp\.jsonl needs more than the trace reader's 32 MB of memory/);
        return true;
      });
      assert.equal(closed.length, 1);
      assert.equal(closed[0]?.name, 'OutOfMemoryError');
      assert.equal((session.closed as Error | undefined)?.name, 'OutOfMemoryError');
      await assert.rejects(session.list(), { name: 'OutOfMemoryError' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
