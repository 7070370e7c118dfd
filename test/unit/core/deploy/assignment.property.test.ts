import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { assign, bucketOf, murmur3x86_32 } from '../../../../src/core/deploy/assignment';

/** A weight as the config allows it: 0 … 100 in hundredths. */
const weight = fc.integer({ min: 0, max: 10_000 }).map((b) => b / 100);

describe('core/deploy/assignment: properties', () => {
  it('raising a weight never moves a user out of the candidate (and lowering never moves one in)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), weight, weight, (rollout, key, w1, w2) => {
        const [low, high] = w1 <= w2 ? [w1, w2] : [w2, w1];
        if (assign(rollout, key, low).variant === 'candidate') assert.equal(assign(rollout, key, high).variant, 'candidate');
        if (assign(rollout, key, high).variant === 'stable') assert.equal(assign(rollout, key, low).variant, 'stable');
      }),
      { numRuns: 2000 },
    );
  });

  it('over a whole canary (any ascending steps), each user switches to the candidate at most once and never back', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 50 }), fc.uniqueArray(weight, { minLength: 1, maxLength: 8 }), (rollout, keys, ws) => {
        const steps = [...ws].sort((a, b) => a - b);
        for (const key of keys) {
          const path = steps.map((w) => assign(rollout, key, w).variant);
          const firstCandidate = path.indexOf('candidate');
          if (firstCandidate >= 0) assert.ok(path.slice(firstCandidate).every((v) => v === 'candidate'), `${key}: ${path.join(' → ')}`);
        }
      }),
    );
  });

  it('the bucket is in 0 … 9 999, an integer, and depends only on "<rolloutId>:<key>"', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (rollout, key) => {
        const b = bucketOf(rollout, key);
        assert.ok(Number.isInteger(b) && b >= 0 && b < 10_000);
        assert.equal(b, murmur3x86_32(`${rollout}:${key}`) % 10_000);
        assert.equal(bucketOf(rollout, key), b);
      }),
    );
  });

  it('weight 0 sends nobody to the candidate, 100 everybody', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (rollout, key) => {
        assert.equal(assign(rollout, key, 0).variant, 'stable');
        assert.equal(assign(rollout, key, 100).variant, 'candidate');
      }),
    );
  });

  it('murmur3 is a 32-bit unsigned integer for any bytes and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 0xffffffff }), (data, seed) => {
        const h = murmur3x86_32(data, seed);
        assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
      }),
    );
  });
});
