/**
 * Stable traffic assignment: which variant (the candidate version being rolled out, or the stable
 * one it replaces) a user gets, the same answer in every process, on every machine, in every run.
 *
 *   bucket = murmur3_x86_32(UTF-8 of `${rolloutId}:${key}`, seed 0) mod 10 000      (basis points)
 *   the candidate gets buckets [0, weight × 100); the stable version the rest.
 *
 * The candidate's range starts at 0 and only grows as its weight rises, so raising a weight never
 * moves a user out of the candidate, and lowering it only drops the highest buckets. The hash string is
 * the Unleash client's (`groupId:userId`, murmur3 x86 32-bit, seed 0: research/deploy.md §3), so its
 * published values hold here too. Keep `rolloutId` fixed for a rollout's lifetime; a new id reshuffles.
 */

/** Buckets per rollout: one bucket is 0.01 % of the traffic. */
export const bucketCount = 10_000;

/** The version being rolled out, or the one it replaces. */
export type Variant = 'candidate' | 'stable';

export interface Assignment {
  rolloutId: string;
  key: string;
  /** 0 … 9 999. */
  bucket: number;
  /** The candidate's weight in percent, 0 … 100 (hundredths allowed). */
  weight: number;
  /** The candidate's buckets are [0, candidateBuckets). */
  candidateBuckets: number;
  variant: Variant;
}

const encoder = new TextEncoder();

/**
 * MurmurHash3 x86 32-bit (Austin Appleby's MurmurHash3_x86_32 in SMHasher) of `data` — a string is
 * hashed as its UTF-8 bytes — with a 32-bit `seed`. Returns an unsigned 32-bit integer.
 */
export function murmur3x86_32(data: string | Uint8Array, seed = 0): number {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = bytes.length;
  const tail = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < tail; i += 4) {
    let k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = len & 3;
  if (rest > 0) {
    let k = bytes[tail] as number;
    if (rest > 1) k |= (bytes[tail + 1] as number) << 8;
    if (rest > 2) k |= (bytes[tail + 2] as number) << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket (0 … 9 999) of `key` in a rollout. */
export function bucketOf(rolloutId: string, key: string): number {
  return murmur3x86_32(`${rolloutId}:${key}`, 0) % bucketCount;
}

/** How many buckets, from 0, a weight (percent, 0 … 100, hundredths allowed) gives the candidate. Throws a RangeError outside 0 … 100. */
export function candidateBuckets(weight: number): number {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new RangeError(`a weight must be between 0 and 100, got ${weight}`);
  return Math.round(weight * 100);
}

/** Which variant `key` gets in a rollout whose candidate has `weight` percent of the traffic. */
export function assign(rolloutId: string, key: string, weight: number): Assignment {
  const bucket = bucketOf(rolloutId, key);
  const buckets = candidateBuckets(weight);
  return { rolloutId, key, bucket, weight, candidateBuckets: buckets, variant: bucket < buckets ? 'candidate' : 'stable' };
}
