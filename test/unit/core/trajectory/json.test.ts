import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { canonicalJson, epochMs, firstJsonError, indexJsonLines, locateJsonError, parseArguments } from '../../../../src/core/trajectory/json';
import type { JsonValue } from '../../../../src/core/trajectory/model';
import { parsePythonLiteral } from '../../../../src/core/trajectory/pyLiteral';

describe('core/trajectory/json', () => {
  it('indexJsonLines: the line each record and nested container starts on', () => {
    const text = ['[', '  {"a": [1, 2, "x]"],', '   "traj": [', '     {"role": "user"},', '     "s", 3, {"role": "tool"}', '   ]},', '  {"b\\"c": {', '  }}', ']'].join('\n');
    const ix = indexJsonLines(text);
    assert.equal(ix.lineAt(), 1);
    assert.equal(ix.lineAt(0), 2);
    assert.equal(ix.lineAt(0, 'a'), 2);
    assert.equal(ix.lineAt(0, 'traj'), 3);
    assert.equal(ix.lineAt(0, 'traj', 0), 4);
    assert.equal(ix.lineAt(0, 'traj', 3), 5, 'scalars count as elements');
    assert.equal(ix.lineAt(1), 7);
    assert.equal(ix.lineAt(1, 'b"c'), 7, 'escaped keys');
    assert.equal(ix.lineAt(2), undefined);
    assert.equal(ix.lineAt(0, 'nope'), undefined);
  });

  it('indexJsonLines agrees with a reference on generated pretty-printed JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.integer({ min: 0, max: 3 }), (values, indent) => {
        const text = JSON.stringify(values, null, indent);
        const ix = indexJsonLines(text);
        // Reference: the line of element i is where JSON.stringify would print it.
        values.forEach((v, i) => {
          if (typeof v !== 'object' || v === null) return;
          const expected = indent === 0 ? 1 : 2 + values.slice(0, i).reduce<number>((n, w) => n + JSON.stringify(w, null, indent).split('\n').length, 0);
          assert.equal(ix.lineAt(i), expected);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('firstJsonError is undefined exactly when JSON.parse accepts the text', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '1', '-', '.', 'e', 'true', 'nul', 'null', '"a"', '\\u00e9', '\u0001', 'x');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 14 }), (parts) => {
        const s = parts.join('');
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        assert.equal(firstJsonError(s) === undefined, ok, JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => assert.equal(firstJsonError(JSON.stringify(v, null, 2)), undefined)),
      { numRuns: 300 },
    );
  });

  it('locateJsonError gives the line and column', () => {
    const text = '{\n  "a": 1,\n  "b": tru\n}';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    const where = locateJsonError(text, err);
    assert.deepEqual([where.line, where.column], [3, 8]);
  });

  it('parseArguments keeps JSON text verbatim and parses it; other text stays raw', () => {
    assert.deepEqual(parseArguments('{"a": 1}'), { arguments: { a: 1 }, rawArguments: '{"a": 1}' });
    assert.deepEqual(parseArguments({ a: 1 }), { arguments: { a: 1 } });
    assert.deepEqual(parseArguments('ls -la'), { arguments: 'ls -la', rawArguments: 'ls -la' });
    assert.deepEqual(parseArguments('{broken'), { arguments: '{broken', rawArguments: '{broken' });
    assert.deepEqual(parseArguments(undefined), { arguments: null });
  });

  it('canonicalJson: sorted keys at every depth, no spacing', () => {
    assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
    fc.assert(
      fc.property(fc.jsonValue(), (generated) => {
        const v = JSON.parse(JSON.stringify(generated)) as JsonValue;
        const again = JSON.parse(JSON.stringify(v, null, 3)) as JsonValue;
        assert.equal(canonicalJson(again), canonicalJson(v));
      }),
    );
  });

  it('epochMs: seconds, milliseconds, ISO with and without a zone (read as UTC)', () => {
    assert.equal(epochMs(1775890958.646), 1775890958646);
    assert.equal(epochMs(1775890958646), 1775890958646);
    assert.equal(epochMs('2026-07-31T01:29:51.967653'), Date.UTC(2026, 6, 31, 1, 29, 51, 967));
    assert.equal(epochMs('2025-06-01T10:00:00+02:00'), Date.UTC(2025, 5, 1, 8));
    assert.equal(epochMs('yesterday'), undefined);
    assert.equal(epochMs(-5), undefined);
  });

  it('parsePythonLiteral reads the repr of tool calls', () => {
    const repr = `[{'function': {'arguments': '{"file_name":"missing_colon.py"}', 'name': 'find_file'}, 'id': 'call_1', 'type': 'function', 'x': None, 'y': True, 'z': -1.5, 't': ('a', "it's \\n")}]`;
    assert.deepEqual(parsePythonLiteral(repr), [
      { function: { arguments: '{"file_name":"missing_colon.py"}', name: 'find_file' }, id: 'call_1', type: 'function', x: null, y: true, z: -1.5, t: ['a', "it's \n"] },
    ]);
    assert.equal(parsePythonLiteral("[{'a': 1"), undefined);
    assert.equal(parsePythonLiteral('os.system("x")'), undefined);
    assert.equal(parsePythonLiteral('['.repeat(10_000)), undefined);
  });
});
