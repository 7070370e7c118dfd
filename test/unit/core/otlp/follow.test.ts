import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ReadProgress, TraceSet } from '../../../../src/core/otlp/model';
import { readTraceFiles, TraceFilesReader } from '../../../../src/core/otlp/reader';
import { corpusFile } from '../../corpus';

/** What a read parsed: the bytes the reader reported as its total. */
async function readCounting(reader: TraceFilesReader): Promise<{ set: TraceSet; bytes: number }> {
  let last: ReadProgress | undefined;
  const set = await reader.read({ onProgress: (p) => (last = p) });
  return { set, bytes: last?.bytesTotal ?? -1 };
}

const spanTotal = (set: TraceSet): number => set.traces.reduce((n, t) => n + t.spans.length, 0);
const logTotal = (set: TraceSet): number => set.traces.reduce((n, t) => n + t.spans.reduce((m, s) => m + s.logs.length, 0), 0);

describe('core/otlp/reader: following a growing file (TraceFilesReader)', () => {
  let dir: string;
  let file: string;
  // The collector capture: 97 mixed-signal lines, logs attached to spans across lines.
  const text = readFileSync(corpusFile('otlp', 'otel-tui_test_data.jsonl'), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-follow-'));
    file = join(dir, 'live.otlp.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only the appended bytes, re-reads a half-written last line whole, and ends equal to one whole read', async () => {
    const head = lines.slice(0, 40).join('\n') + '\n';
    const middle = lines.slice(40, 70).join('\n') + '\n';
    const cut = Math.floor(middle.length / 2) + 7;
    writeFileSync(file, head);
    const reader = new TraceFilesReader([file]);

    const first = await readCounting(reader);
    assert.equal(first.bytes, Buffer.byteLength(head));
    assert.deepEqual(first.set, await readTraceFiles([file]));

    // A collector mid-write: the last line stops halfway.
    appendFileSync(file, middle.slice(0, cut));
    const second = await readCounting(reader);
    assert.equal(second.bytes, Buffer.byteLength(middle.slice(0, cut)), 'only the appended bytes are parsed');
    assert.deepEqual(second.set, await readTraceFiles([file]));
    assert.ok(second.set.diagnostics.some((d) => d.code === 'truncated-line'), 'the unfinished line is noted');

    appendFileSync(file, middle.slice(cut) + lines.slice(70).join('\n') + '\n');
    const partial = Buffer.byteLength(middle.slice(0, cut).slice(middle.slice(0, cut).lastIndexOf('\n') + 1));
    const third = await readCounting(reader);
    assert.equal(third.bytes, Buffer.byteLength(text) - Buffer.byteLength(head) - Buffer.byteLength(middle.slice(0, cut)) + partial, 'the unfinished line is read again, nothing before it');
    const whole = await readTraceFiles([file]);
    assert.deepEqual(third.set, whole);
    assert.equal(spanTotal(third.set), 547);
    assert.equal(logTotal(third.set), logTotal(whole), 'logs are attached once, not once per read');
    assert.ok(!third.set.diagnostics.some((d) => d.code === 'truncated-line'));
  });

  it('a last line complete without its newline is not counted twice once the file grows', async () => {
    writeFileSync(file, lines.slice(0, 10).join('\n'));
    const reader = new TraceFilesReader([file]);
    const first = await reader.read();
    assert.deepEqual(first, await readTraceFiles([file]));
    appendFileSync(file, '\n' + lines.slice(10, 20).join('\n') + '\n');
    const second = await reader.read();
    assert.deepEqual(second, await readTraceFiles([file]));
    assert.ok(!second.diagnostics.some((d) => d.code === 'duplicate-span'));
  });

  it('reads the whole file again when it was rewritten, truncated, or is not JSON Lines', async () => {
    writeFileSync(file, lines.slice(0, 30).join('\n') + '\n');
    const reader = new TraceFilesReader([file]);
    await reader.read();
    // Rewritten in place, longer than before: the bytes before the old end differ.
    writeFileSync(file, lines.slice(50, 97).join('\n') + '\n');
    const rewritten = await readCounting(reader);
    assert.equal(rewritten.bytes, Buffer.byteLength(lines.slice(50, 97).join('\n') + '\n'));
    assert.deepEqual(rewritten.set, await readTraceFiles([file]));
    // Truncated.
    writeFileSync(file, lines.slice(0, 5).join('\n') + '\n');
    assert.deepEqual(await reader.read(), await readTraceFiles([file]));

    // A pretty-printed document is read whole each time.
    const doc = join(dir, 'doc.otlp.json');
    const pretty = readFileSync(corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json'), 'utf8');
    writeFileSync(doc, pretty);
    const docReader = new TraceFilesReader([doc]);
    await docReader.read();
    appendFileSync(doc, '\n');
    const again = await readCounting(docReader);
    assert.equal(again.bytes, Buffer.byteLength(pretty) + 1);
    assert.deepEqual(again.set, await readTraceFiles([doc]));

    // gzip: offsets in the stream are not offsets in the file, so it is read whole too.
    const gz = join(dir, 'live.otlp.jsonl.gz');
    writeFileSync(gz, gzipSync(lines.slice(0, 20).join('\n') + '\n'));
    const gzReader = new TraceFilesReader([gz]);
    await gzReader.read();
    writeFileSync(gz, gzipSync(lines.slice(0, 40).join('\n') + '\n'));
    assert.deepEqual(await gzReader.read(), await readTraceFiles([gz]));
  });

  it('after an aborted read, the next read starts over and is complete', async () => {
    writeFileSync(file, lines.slice(0, 30).join('\n') + '\n');
    const reader = new TraceFilesReader([file]);
    await reader.read();
    appendFileSync(file, lines.slice(30).join('\n') + '\n');
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(reader.read({ signal: abort.signal }), { name: 'AbortError' });
    const next = await readCounting(reader);
    assert.deepEqual(next.set, await readTraceFiles([file]));
  });
});
