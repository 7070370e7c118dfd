import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkedCounter, chunkEnds, isJsWhitespace } from '../../../../src/core/tokens/chunkedCounter';
import { loadCounter } from '../../../../src/core/tokens/encodings';
import { encodingNames, type TokenCounter } from '../../../../src/core/tokens/types';
import { edgeFragments, mixedCorpus, trajectoryFiles, trajectoryStrings } from './mixedCorpus';

const splitRule = /(?<=\n)(?=[^\s/]|[^\S\r\n]+\S)/;

/** Counts calls and characters passed to the wrapped counter. */
function spy(inner: TokenCounter): TokenCounter & { calls: number; chars: number } {
  const s = {
    encoding: inner.encoding,
    calls: 0,
    chars: 0,
    count(text: string) {
      s.calls++;
      s.chars += text.length;
      return inner.count(text);
    },
  };
  return s;
}

/** Documents built from the hard cases: whitespace runs, CRLF, "\n/", emoji, CJK, code, random Unicode. */
const documents = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...edgeFragments) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((n) => (n % 2 ? String(n) : ' '.repeat(n % 40))) },
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

const insertions = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...edgeFragments) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 3 }) },
);

/** Position as a fraction, so it lands anywhere in whatever the document has become (surrogate halves included). */
const edits = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat({ max: 12 }), insert: insertions }), {
  minLength: 1,
  maxLength: 25,
});

function applyEdit(doc: string, edit: { at: number; remove: number; insert: string }): string {
  const at = Math.min(doc.length, Math.floor(edit.at * (doc.length + 1)));
  return doc.slice(0, at) + edit.insert + doc.slice(at + edit.remove);
}

describe('core/tokens/chunkedCounter', () => {
  describe('chunkEnds', () => {
    it('cuts exactly where /(?<=\\n)(?=[^\\s\\/]|[^\\S\\r\\n]+\\S)/ does', () => {
      fc.assert(
        fc.property(documents, (doc) => {
          let start = 0;
          const pieces = chunkEnds(doc, 0, doc.length).map((end) => doc.slice(start, (start = end)));
          assert.deepEqual(pieces, doc === '' ? [] : doc.split(splitRule));
        }),
        { numRuns: 300 },
      );
    });

    it('cuts before every line that starts with a non-space, or with spaces or tabs and then a non-space', () => {
      const doc = '{\n  "a": [\n    1\n  ],\n  \n\n//x\n/y\n\t\tz\r\n  \r\nw\n   ';
      let start = 0;
      assert.deepEqual(
        chunkEnds(doc, 0, doc.length).map((end) => doc.slice(start, (start = end))),
        ['{\n', '  "a": [\n', '    1\n', '  ],\n  \n\n//x\n/y\n', '\t\tz\r\n  \r\n', 'w\n   '],
      );
    });

    it('isJsWhitespace agrees with \\s on every UTF-16 code unit', () => {
      for (let c = 0; c <= 0xffff; c++) assert.equal(isJsWhitespace(c), /\s/.test(String.fromCharCode(c)), c.toString(16));
    });
  });

  for (const name of encodingNames) {
    describe(name, () => {
      let inner: TokenCounter;
      before(async () => {
        inner = await loadCounter(name);
      });

      it('the sum of chunk counts equals the whole count on mixed and real text', () => {
        const texts = [mixedCorpus(200_000, 11), ...trajectoryFiles.map((f) => trajectoryStrings(f))];
        for (const text of texts) {
          assert.equal(new ChunkedCounter(inner).count(text), inner.count(text));
          assert.equal(new ChunkedCounter(inner, { minSnapshotChars: Infinity }).count(text), inner.count(text));
        }
      });

      it('property: random documents count exactly like the whole text', () => {
        fc.assert(
          fc.property(documents, (doc) => {
            assert.equal(new ChunkedCounter(inner, { minSnapshotChars: 0 }).count(doc), inner.count(doc));
          }),
          { numRuns: 300 },
        );
      });

      it('property: after every edit of a sequence, counts equal a fresh whole count', () => {
        fc.assert(
          fc.property(documents, edits, (start, steps) => {
            // Incremental path, LRU-only path, and a cache so small it evicts all the time.
            const counters = [
              new ChunkedCounter(inner, { minSnapshotChars: 0 }),
              new ChunkedCounter(inner, { minSnapshotChars: Infinity }),
              new ChunkedCounter(inner, { minSnapshotChars: 0, maxEntries: 3, maxChars: 40 }),
            ];
            let doc = start;
            for (const c of counters) c.count(doc);
            for (const step of steps) {
              doc = applyEdit(doc, step);
              const expected = inner.count(doc);
              for (const c of counters) assert.equal(c.count(doc), expected, JSON.stringify(doc));
            }
          }),
          { numRuns: 300 },
        );
      });
    });
  }

  describe('cost and cache', () => {
    let inner: TokenCounter;
    before(async () => {
      inner = await loadCounter('o200k_base');
    });

    it('recounts only the chunks around a one-character edit in a large document', () => {
      const counted = spy(inner);
      const counter = new ChunkedCounter(counted);
      let doc = mixedCorpus(300_000, 5);
      counter.count(doc);
      const chunks = chunkEnds(doc, 0, doc.length).length;
      for (const at of [0, 1000, 150_000, doc.length - 1, doc.length]) {
        doc = doc.slice(0, at) + 'x' + doc.slice(at);
        counted.calls = counted.chars = 0;
        const before = counter.stats().reused;
        assert.equal(counter.count(doc), inner.count(doc));
        assert.ok(counted.calls <= 3, `counted ${counted.calls} chunks`);
        assert.ok(counted.chars < 2000, `counted ${counted.chars} characters`);
        assert.ok(counter.stats().reused - before >= chunks - 4);
      }
    });

    it('counts each distinct chunk once across texts, then answers from the cache', () => {
      const counted = spy(inner);
      const counter = new ChunkedCounter(counted, { minSnapshotChars: Infinity });
      const a = 'def f():\n    return 1\nclass A:\n    pass\n';
      const b = 'class A:\n    pass\ndef f():\n    return 1\n';
      assert.equal(counter.count(a), inner.count(a));
      const misses = counter.stats().misses;
      assert.equal(counter.count(b), inner.count(b));
      assert.equal(counted.calls, misses);
      assert.deepEqual(
        { hits: counter.stats().hits, misses: counter.stats().misses, entries: counter.stats().entries },
        { hits: 4, misses: 4, entries: 4 },
      );
    });

    it('keeps the cache within its entry and character bounds, evicting the least recently used', () => {
      const counter = new ChunkedCounter(inner, { minSnapshotChars: Infinity, maxEntries: 100, maxChars: 2000 });
      counter.count(mixedCorpus(50_000, 9));
      const { entries, chars } = counter.stats();
      assert.ok(entries <= 100 && chars <= 2000, `${entries} entries, ${chars} chars`);

      const small = new ChunkedCounter(spy(inner), { minSnapshotChars: Infinity, maxEntries: 2 });
      small.count('a\nb\n'); // chunks "a\n", "b\n"
      small.count('a\n'); // touches "a\n": "b\n" is now the oldest
      small.count('c\n'); // evicts "b\n"
      const hits = small.stats().hits;
      small.count('a\n');
      assert.equal(small.stats().hits, hits + 1);
      small.count('b\n');
      assert.equal(small.stats().hits, hits + 1);
    });

    it('returns 0 for empty text and forgets everything on clear()', () => {
      const counter = new ChunkedCounter(inner);
      assert.equal(counter.count(''), 0);
      counter.count(mixedCorpus(10_000, 3));
      counter.clear();
      assert.deepEqual(counter.stats(), { hits: 0, misses: 0, reused: 0, entries: 0, chars: 0 });
    });
  });
});
