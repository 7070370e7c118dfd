import * as assert from 'node:assert/strict';
import { consistency, jaccard, similarity, wordSet } from '../../../../src/core/monitor/consistency';
import { call } from './callsHelpers';

const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('core/monitor/consistency', () => {
  it('similarity is the Jaccard index of word sets: case, punctuation, order and spacing do not matter', () => {
    assert.deepEqual([...wordSet('The invoice — was RESENT, twice: 2×!')], ['the', 'invoice', 'was', 'resent', 'twice', '2']);
    assert.equal(similarity('The invoice was resent.', 'the  invoice\nwas resent'), 1);
    assert.equal(similarity('resent was invoice the', 'The invoice was resent'), 1);
    assert.equal(similarity('a b c', 'b c d'), 0.5);
    assert.equal(similarity('yes', 'no'), 0);
    assert.equal(jaccard(new Set(), new Set()), 1);
    assert.equal(similarity('Привет мир', 'привет МИР'), 1, 'any script');
  });

  it('groups runs by input hash, judges those run at least twice, reports the groups below the threshold', () => {
    const same = Array.from({ length: 5 }, (_, i) => call({ inputHash: 'aaaa', outputText: i % 2 ? 'Your invoice was resent.' : 'your invoice was RESENT', model: 'm1' }));
    // Four different answers to one question: pairwise ⅓, 0, 0, 0, 0, ⅓ … computed below.
    const answers = ['refund approved', 'refund denied', 'please call support', 'I cannot help with that'];
    const unstable = answers.map((t) => call({ inputHash: 'bbbb', outputText: t, model: 'm1' }));
    const once = call({ inputHash: 'cccc', outputText: 'alone' });
    const noOutput = call({ inputHash: 'aaaa' });
    const tool = call({ kind: 'tool', operation: 'execute_tool', inputHash: 'aaaa', outputText: 'something else entirely' });
    const r = consistency([...same, ...unstable, once, noOutput, tool]);
    assert.equal(r.groups, 2);
    assert.equal(r.runs, 9);
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < answers.length; i++)
      for (let j = i + 1; j < answers.length; j++) {
        sum += similarity(answers[i] as string, answers[j] as string);
        pairs++;
      }
    const unstableMean = sum / pairs;
    close(unstableMean, (1 / 3) / 6, 1e-12); // only "refund approved"/"refund denied" share a word: 1/3
    close(r.overall, (1 + unstableMean) / 2);
    assert.equal(r.threshold, 0.8);
    assert.equal(r.belowThreshold, true);
    assert.equal(r.inconsistent.length, 1);
    const g = r.inconsistent[0];
    assert.equal(g?.inputHash, 'bbbb');
    assert.equal(g?.runs, 4);
    assert.equal(g?.minSimilarity, 0);
    assert.deepEqual(g?.models, ['m1']);
    assert.deepEqual(g?.traceIds, unstable.map((c) => c.traceId));
  });

  it('consistent runs stay above the threshold; the threshold and minimum runs are settings', () => {
    const runs = ['The answer is 42.', 'the answer is 42', 'The answer is 42 indeed'].map((t) => call({ inputHash: 'q', outputText: t }));
    const r = consistency(runs);
    close(r.overall, (1 + 0.8 + 0.8) / 3);
    assert.equal(r.belowThreshold, false);
    assert.deepEqual(r.inconsistent, []);
    assert.equal(consistency(runs, { threshold: 0.9 }).belowThreshold, true);
    assert.equal(consistency(runs, { minRuns: 4 }).groups, 0);
    assert.equal(consistency([]).overall, null);
    assert.equal(consistency([]).belowThreshold, false);
  });
});
