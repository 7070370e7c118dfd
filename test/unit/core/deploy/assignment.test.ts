import * as assert from 'node:assert/strict';
import { assign, bucketCount, bucketOf, candidateBuckets, murmur3x86_32 } from '../../../../src/core/deploy/assignment';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('core/deploy/assignment: murmur3 and stable buckets', () => {
  describe('murmur3x86_32', () => {
    it('SMHasher’s verification value for MurmurHash3_x86_32: 0xB0F57EE3', () => {
      // SMHasher (github.com/aappleby/smhasher, KeysetTest.cpp VerificationTest; the value is
      // MurmurHash3_x86_32's entry in main.cpp): hash the keys {}, {0}, {0,1}, … {0..254} with
      // seed 256 − length, concatenate the 256 hashes (little-endian), hash that with seed 0.
      const key = new Uint8Array(256);
      const hashes = new Uint8Array(256 * 4);
      const view = new DataView(hashes.buffer);
      for (let i = 0; i < 256; i++) {
        key[i] = i;
        view.setUint32(i * 4, murmur3x86_32(key.subarray(0, i), 256 - i), true);
      }
      assert.equal(murmur3x86_32(hashes, 0), 0xb0f57ee3);
    });

    it('the widely used test vectors (bytes and seeds; every tail length)', () => {
      // Stack Overflow, "MurmurHash3 Test Vectors" (stackoverflow.com/q/31929528), the accepted answer's
      // MurmurHash3_x86_32 table: from an implementation that passes SMHasher's verification test (above).
      const vectors: [Uint8Array, number, number][] = [
        [bytes(), 0, 0],
        [bytes(), 1, 0x514e28b7],
        [bytes(), 0xffffffff, 0x81f16f39],
        [bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
        [bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
        [bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
        [bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
        [bytes(0x21, 0x43), 0, 0xa0f7b07a],
        [bytes(0x21), 0, 0x72661cf4],
        [bytes(0, 0, 0, 0), 0, 0x2362f9de],
        [bytes(0, 0, 0), 0, 0x85f0b427],
        [bytes(0, 0), 0, 0x30f4c306],
        [bytes(0), 0, 0x514e28b7],
      ];
      for (const [data, seed, expected] of vectors) assert.equal(murmur3x86_32(data, seed), expected, `${Array.from(data).join(',')} seed ${seed.toString(16)}`);
    });

    it('strings are hashed as UTF-8 (the same answer’s string vectors)', () => {
      const seed = 0x9747b28c;
      const vectors: [string, number, number][] = [
        ['', 0, 0],
        ['a', seed, 0x7fa09ea6],
        ['ab', seed, 0x74875592],
        ['abc', seed, 0xc84a62dd],
        ['abcd', seed, 0xf0478627],
        ['aa', seed, 0x5d211726],
        ['aaa', seed, 0x283e0130],
        ['aaaa', seed, 0x5a97808a],
        ['Hello, world!', seed, 0x24884cba],
        ['ππππππππ', seed, 0xd58063c1], // 16 UTF-8 bytes, not 8 UTF-16 code units
        ['a'.repeat(256), seed, 0x37405bdc],
        ['abc', 0, 0xb3dd93fa],
        ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', 0, 0xee925b90],
        ['The quick brown fox jumps over the lazy dog', seed, 0x2fa826cd],
      ];
      for (const [text, s, expected] of vectors) assert.equal(murmur3x86_32(text, s), expected, JSON.stringify(text));
      assert.equal(murmur3x86_32('é'), murmur3x86_32(bytes(0xc3, 0xa9)));
    });

    it('the Unleash clients’ cross-client values for "groupId:userId" (seed 0): gr1:123 → 73, groupX:999 → 25', () => {
      // unleash-client-node's strategy util test, "normalized values are the same across node, java, and
      // go clients": normalizedValue(id, groupId) = murmur3(`${groupId}:${id}`, 0) % 100 + 1 (research/deploy.md §3).
      assert.equal((murmur3x86_32('gr1:123') % 100) + 1, 73);
      assert.equal((murmur3x86_32('groupX:999') % 100) + 1, 25);
    });
  });

  describe('assign', () => {
    it('bucket = murmur3("<rolloutId>:<key>") mod 10 000; the candidate gets [0, weight × 100)', () => {
      const rollout = 'support-bot/production';
      const b = bucketOf(rollout, 'user-42');
      assert.equal(b, murmur3x86_32('support-bot/production:user-42') % 10_000);
      assert.equal(bucketCount, 10_000);
      const a = assign(rollout, 'user-42', b / 100);
      assert.deepEqual(a, { rolloutId: rollout, key: 'user-42', bucket: b, weight: b / 100, candidateBuckets: b, variant: 'stable' }, 'the bucket at the edge is outside');
      assert.equal(assign(rollout, 'user-42', (b + 1) / 100).variant, 'candidate');
      assert.equal(assign(rollout, 'user-42', 0).variant, 'stable');
      assert.equal(assign(rollout, 'user-42', 100).variant, 'candidate');
    });

    it('the same answer every time; another rollout id reshuffles', () => {
      const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
      const first = keys.map((k) => bucketOf('r1', k));
      assert.deepEqual(keys.map((k) => bucketOf('r1', k)), first);
      const other = keys.map((k) => bucketOf('r2', k));
      const same = first.filter((b, i) => b === other[i]).length;
      assert.ok(same < 10, `${same} of 2000 keys kept their bucket`);
    });

    it('weights: hundredths of a percent, 0 … 100; anything else is a RangeError', () => {
      assert.equal(candidateBuckets(0), 0);
      assert.equal(candidateBuckets(0.01), 1);
      assert.equal(candidateBuckets(12.34), 1234);
      assert.equal(candidateBuckets(100), 10_000);
      for (const bad of [-1, 100.01, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => candidateBuckets(bad), RangeError, String(bad));
    });

    it('distribution: over 1M keys, the candidate’s share is within 1 % of weights 10, 50 and 90', function () {
      this.timeout(60_000);
      const n = 1_000_000;
      const weights = [10, 50, 90];
      const hits = [0, 0, 0];
      const perDecile = new Array<number>(10).fill(0);
      for (let i = 0; i < n; i++) {
        const b = bucketOf('support-bot/production', `user-${i}`);
        const d = Math.floor(b / 1000);
        perDecile[d] = (perDecile[d] ?? 0) + 1;
        weights.forEach((w, j) => {
          if (b < w * 100) hits[j] = (hits[j] ?? 0) + 1;
        });
      }
      weights.forEach((w, j) => {
        const share = ((hits[j] as number) / n) * 100;
        assert.ok(Math.abs(share - w) < 1, `weight ${w}: ${share.toFixed(3)} %`);
      });
      for (const c of perDecile) assert.ok(Math.abs(c / n - 0.1) < 0.01, `a tenth of the buckets holds ${c}`);
    });
  });
});
