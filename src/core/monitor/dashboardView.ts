import type { TimeRange } from '../../shared/dashboardProtocol';

/**
 * The dashboard's time arithmetic, pure: which window a range picker choice covers and how wide a
 * chart's buckets are. Kept apart from the worker so it is unit-tested on plain data.
 */

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export const rangeMs: Record<Exclude<TimeRange, 'all'>, number> = {
  '15m': 15 * minute,
  '1h': hour,
  '6h': 6 * hour,
  '24h': day,
  '7d': 7 * day,
  '30d': 30 * day,
};

/** Bucket widths a chart may use: round numbers a reader can say ("per 5 minutes"). */
const niceBuckets = [1000, 5000, 10_000, 15_000, 30_000, minute, 5 * minute, 10 * minute, 15 * minute, 30 * minute, hour, 2 * hour, 6 * hour, 12 * hour, day, 7 * day];

/** About this many buckets per chart: enough to see a spike, few enough that each holds several calls. */
export const targetBuckets = 90;

/** The smallest nice bucket width that splits `spanMs` into at most `targetBuckets` buckets. */
export function bucketMsFor(spanMs: number): number {
  const wanted = Math.max(1, spanMs) / targetBuckets;
  return niceBuckets.find((b) => b >= wanted) ?? (niceBuckets[niceBuckets.length - 1] as number);
}

export interface CallBounds {
  /** Earliest start and latest end of the calls, epoch ms; undefined when there are none. */
  firstMs?: number;
  lastMs?: number;
}

/**
 * The window a range covers. While traces are being collected the window ends now (an idle minute shows
 * as an idle minute); over stored files it ends at the last call, so "last hour" of last week's capture
 * shows that capture's last hour rather than nothing. `all` spans every call. The start is aligned to the
 * bucket width so that consecutive live updates draw the same buckets; the end is not, so the last bucket
 * is the part of it that has elapsed and its rates are per elapsed second (a bucket in progress does not
 * read as a drop).
 */
export function windowFor(range: TimeRange, bounds: CallBounds, nowMs: number, live: boolean): { startMs: number; endMs: number; bucketMs: number } {
  const lastMs = live ? nowMs : (bounds.lastMs ?? nowMs);
  let startMs: number;
  if (range === 'all') startMs = bounds.firstMs ?? lastMs - hour;
  else startMs = lastMs - rangeMs[range];
  const bucketMs = bucketMsFor(lastMs - startMs);
  const alignedStart = Math.floor(startMs / bucketMs) * bucketMs;
  // At least one bucket's worth of time, even over a single instant.
  return { startMs: alignedStart, endMs: Math.max(lastMs, alignedStart + 1), bucketMs };
}

/** The earliest start and latest end of `calls`. */
export function boundsOf(calls: Iterable<{ startMs: number; endMs: number }>): CallBounds {
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (const c of calls) {
    if (c.startMs < firstMs) firstMs = c.startMs;
    if (c.endMs > lastMs) lastMs = c.endMs;
  }
  return Number.isFinite(firstMs) ? { firstMs, lastMs } : {};
}

/** The `n` largest entries by `value`, the rest summed into one `other` entry (a bar chart of 500 users is unreadable). */
export function topWithRest<T extends { key: string }>(rows: readonly T[], n: number, value: (r: T) => number, other: (rest: T[]) => T): T[] {
  const sorted = [...rows].sort((a, b) => value(b) - value(a) || a.key.localeCompare(b.key));
  if (sorted.length <= n) return sorted;
  return [...sorted.slice(0, n - 1), other(sorted.slice(n - 1))];
}
