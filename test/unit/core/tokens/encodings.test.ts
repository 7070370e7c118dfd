import * as assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { loadCounter, loadedEncodings } from '../../../../src/core/tokens/encodings';
import { encodingNames } from '../../../../src/core/tokens/types';
import { mixedCorpus, rawTrajectory, trajectoryFiles, trajectoryStrings } from './mixedCorpus';

/** js-tiktoken is the oracle: special-token look-alikes are ordinary text, as in our counters. */
const oracle = (name: 'o200k_base' | 'cl100k_base') => {
  const enc = getEncoding(name);
  return (text: string) => enc.encode(text, [], []).length;
};

describe('core/tokens/encodings', () => {
  it('shares one load between concurrent callers and reports what is loaded', async () => {
    const [a, b] = await Promise.all([loadCounter('o200k_base'), loadCounter('o200k_base')]);
    assert.equal(a, b);
    assert.equal(a, await loadCounter('o200k_base'));
    assert.equal(a.encoding, 'o200k_base');
    assert.ok(loadedEncodings().includes('o200k_base'));
  });

  it('loads every encoding, each with its own counter', async () => {
    const counters = await Promise.all(encodingNames.map((name) => loadCounter(name)));
    assert.deepEqual(
      counters.map((c) => c.encoding),
      [...encodingNames],
    );
    assert.deepEqual([...loadedEncodings()].sort(), [...encodingNames].sort());
    for (const c of counters) assert.equal(c.count(''), 0);
  });

  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    describe(`${name} equals js-tiktoken`, () => {
      const expected = oracle(name);

      it('on 300 KB of mixed text (code, prose, CJK, emoji, whitespace runs, CRLF, astral characters)', async () => {
        const counter = await loadCounter(name);
        for (const seed of [1, 2, 3]) {
          const text = mixedCorpus(100_000, seed);
          assert.equal(counter.count(text), expected(text), `seed ${seed}`);
        }
      });

      it('on 1,000 short mixed snippets', async () => {
        const counter = await loadCounter(name);
        for (let seed = 100; seed < 1100; seed++) {
          const text = mixedCorpus(1 + (seed % 97), seed);
          assert.equal(counter.count(text), expected(text), JSON.stringify(text));
        }
      });

      it('on real trajectories, raw and as decoded strings', async () => {
        const counter = await loadCounter(name);
        for (const file of trajectoryFiles) {
          for (const text of [rawTrajectory(file), trajectoryStrings(file)]) {
            assert.equal(counter.count(text), expected(text), file.join('/'));
          }
        }
      });

      it('counts special-token look-alikes as ordinary text instead of throwing', async () => {
        const counter = await loadCounter(name);
        const text = 'a<|endoftext|>b <|im_start|>user<|im_sep|>hi<|im_end|> <|fim_prefix|>';
        assert.equal(counter.count(text), expected(text));
        assert.ok(counter.count('<|endoftext|>') > 1);
      });
    });
  }

  it('o200k_harmony counts ordinary text like o200k_base (same ranks and pre-tokenizer)', async () => {
    const [base, harmony] = await Promise.all([loadCounter('o200k_base'), loadCounter('o200k_harmony')]);
    const texts = [mixedCorpus(100_000, 7), trajectoryStrings(trajectoryFiles[0] ?? []), '<|start|>user<|message|>hi<|end|><|return|>'];
    for (const text of texts) assert.equal(harmony.count(text), base.count(text));
  });
});
