import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { InputError, isInputError } from '../../../../src/core/errors';
import { readTraceFilesInWorker } from '../../../../src/core/otlp/readInWorker';
import { readTraceFiles } from '../../../../src/core/otlp/reader';
import { corpusFile } from '../../corpus';

// From source: readInWorker starts a .ts worker with tsx's loader.
const workerPath = resolve(__dirname, '../../../../src/core/otlp/readerWorker.ts');

describe('core/otlp/readInWorker', function () {
  this.timeout(30_000);

  it('returns the same TraceSet as reading in-thread (bigint and Int32Array survive the clone), with progress', async () => {
    const files = [corpusFile('otlp', 'otel-tui_test_data.jsonl'), corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json')];
    const progress: number[] = [];
    const set = await readTraceFilesInWorker(files, { workerPath, onProgress: (p) => progress.push(p.bytesRead) });
    assert.deepEqual(set, await readTraceFiles(files));
    assert.ok(set.traces[0]?.parent instanceof Int32Array);
    assert.equal(typeof set.traces[0]?.startNs, 'bigint');
    assert.ok(progress.length >= 2);
  });

  it('rejects with an InputError for an unreadable file', async () => {
    await assert.rejects(readTraceFilesInWorker([resolve(__dirname, 'no-such-file.jsonl')], { workerPath }), (err: unknown) => {
      assert.ok(err instanceof InputError && isInputError(err));
      assert.match(err.location.file, /no-such-file\.jsonl$/);
      assert.equal(err.detail, 'no such file');
      return true;
    });
  });

  it('rejects with an AbortError when aborted, before or while the worker runs', async () => {
    const file = corpusFile('otlp', 'otel-tui_test_data.jsonl');
    const before = new AbortController();
    before.abort();
    await assert.rejects(readTraceFilesInWorker([file], { workerPath, signal: before.signal }), { name: 'AbortError' });
    const during = new AbortController();
    const reading = readTraceFilesInWorker([file], { workerPath, signal: during.signal, onProgress: () => during.abort() });
    await assert.rejects(reading, { name: 'AbortError' });
  });
});
