import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../src/core/errors';
import { openInput } from '../../../src/core/io/openInput';
import { readLines, type InputLine } from '../../../src/core/io/readLines';
import { corpusFile } from '../corpus';

async function collect(stream: Readable, file = 'mem.jsonl'): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of readLines(stream, file)) out.push(line);
  return out;
}

function chunks(...parts: (string | Buffer)[]): Readable {
  return Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

describe('core/io', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentops-io-'));

  describe('readLines', () => {
    it('numbers lines from 1 and marks an unterminated last line as incomplete', async () => {
      const lines = await collect(chunks('{"a":1}\n{"b":', '2}\n{"c":'));
      assert.deepEqual(lines, [
        { text: '{"a":1}', line: 1, complete: true },
        { text: '{"b":2}', line: 2, complete: true },
        { text: '{"c":', line: 3, complete: false },
      ]);
    });

    it('handles CRLF, a BOM, blank lines and a UTF-8 character split across chunks', async () => {
      const euro = Buffer.from('€');
      const lines = await collect(chunks(Buffer.from([0xef, 0xbb, 0xbf]), 'one\r\n\r\nt', euro.subarray(0, 1), euro.subarray(1), 'o\n'));
      assert.deepEqual(
        lines.map((l) => [l.text, l.line, l.complete]),
        [
          ['one', 1, true],
          ['', 2, true],
          ['t€o', 3, true],
        ],
      );
    });

    it('yields nothing for an empty input', async () => {
      assert.deepEqual(await collect(chunks()), []);
    });

    it('turns a stream failure into an InputError naming the file and the line reached', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('a\nb\n'));
          this.destroy(new Error('disk on fire'));
        },
      });
      await assert.rejects(collect(failing, 'x.jsonl'), (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.equal(err.location.file, 'x.jsonl');
        assert.equal(err.location.line, 3);
        assert.match(err.message, /^x\.jsonl:3: read failed: disk on fire$/);
        return true;
      });
    });

    it('reads a real collector JSONL file line by line, each line one OTLP document', async () => {
      const file = corpusFile('otlp', 'otel-spec_file-exporter_traces.jsonl');
      const { stream } = await openInput(file);
      const lines = (await collect(stream, file)).filter((l) => l.text.trim());
      assert.equal(lines.length, 4);
      for (const l of lines) assert.ok(Array.isArray((JSON.parse(l.text) as { resourceSpans?: unknown }).resourceSpans), `line ${l.line}`);
    });
  });

  describe('openInput', () => {
    it('gunzips .gz files and files that start with the gzip magic', async () => {
      writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync('x\ny\n'));
      writeFileSync(join(dir, 'b.jsonl'), gzipSync('z\n'));
      for (const [name, expected] of [
        ['a.jsonl.gz', ['x', 'y']],
        ['b.jsonl', ['z']],
      ] as const) {
        const file = join(dir, name);
        const { stream, bytesTotal } = await openInput(file);
        assert.ok(bytesTotal > 0);
        assert.deepEqual((await collect(stream, file)).map((l) => l.text), expected);
      }
    });

    it('reports a missing file, a directory and a corrupt gzip as InputErrors', async () => {
      await assert.rejects(openInput(join(dir, 'nope.json')), /nope\.json: no such file$/);
      await assert.rejects(openInput(dir), /is a directory, expected a file$/);
      const bad = join(dir, 'bad.gz');
      writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
      const { stream } = await openInput(bad);
      await assert.rejects(collect(stream, bad), (err: unknown) => err instanceof InputError && err.location.file === bad);
    });
  });
});
