import * as assert from 'node:assert/strict';
import { anomalies, callsInWindow, groupBy, latencyByModel, latencyByOperation, maxRefs, robustZ, summarize, timeSeries, trend, type TimeSeriesPoint } from '../../../../src/core/monitor/aggregate';
import { call } from './callsHelpers';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('core/monitor/aggregate', () => {
  describe('summarize', () => {
    it('counts model calls only: requests, errors, rate, tokens, cost, nearest-rank percentiles', () => {
      const calls = [
        ...Array.from({ length: 100 }, (_, i) => call({ durationMs: i + 1, endMs: 10_000 + i, error: i < 7, costUsd: 0.01, inputTokens: 10, outputTokens: 2 })),
        call({ kind: 'embedding', durationMs: 1, endMs: 10_000, inputTokens: 5, outputTokens: 0 }),
        call({ kind: 'agent', operation: 'invoke_agent', durationMs: 99_999, endMs: 10_050, error: true, inputTokens: 999, costUsd: 9 }),
        call({ kind: 'tool', operation: 'execute_tool', endMs: 10_050, error: true }),
      ];
      const s = summarize(calls);
      assert.equal(s.requests, 101);
      assert.equal(s.errors, 7);
      close(s.errorRate, 7 / 101);
      assert.deepEqual(s.tokens, { input: 1005, output: 200 });
      close(s.costUsd, 1);
      // Durations 1..100 plus one of 1 ms: sorted [1, 1, 2, …, 100], n = 101.
      assert.deepEqual(s.latencyMs, { p50: 50, p95: 95, p99: 99 });
      assert.deepEqual(s.window, { start: new Date(10_050 - 99_999).toISOString(), end: new Date(10_099).toISOString() }, 'first start to last end of every call');
    });

    it('a window keeps the calls that ended in it, both ends included, and is reported as given', () => {
      const calls = [call({ endMs: 999 }), call({ endMs: 1000 }), call({ endMs: 1500, error: true }), call({ endMs: 2000 }), call({ endMs: 2001 })];
      const s = summarize(calls, { startMs: 1000, endMs: 2000 });
      assert.equal(s.requests, 3);
      assert.equal(s.errors, 1);
      assert.deepEqual(s.window, { start: '1970-01-01T00:00:01.000Z', end: '1970-01-01T00:00:02.000Z' });
      assert.equal(callsInWindow(calls, { startMs: 1000, endMs: 2000 }).length, 3);
      const empty = summarize([]);
      assert.deepEqual(empty, { window: { start: '1970-01-01T00:00:00.000Z', end: '1970-01-01T00:00:00.000Z' }, requests: 0, errors: 0, errorRate: 0, latencyMs: { p50: 0, p95: 0, p99: 0 }, tokens: { input: 0, output: 0 }, costUsd: 0 });
    });
  });

  describe('groupBy', () => {
    it('groups model calls by a dimension; the groups add up to the summary; no value is (none); costliest first', () => {
      const calls = [
        call({ project: 'a', costUsd: 1, inputTokens: 10 }),
        call({ project: 'a', costUsd: 1, error: true }),
        call({ project: 'b', costUsd: 5, durationMs: 400 }),
        call({ costUsd: 0.5 }),
        call({ kind: 'tool', project: 'c' }),
      ];
      const g = groupBy(calls, 'project');
      assert.deepEqual(Object.keys(g), ['b', 'a', '(none)']);
      assert.equal(g.a?.requests, 2);
      assert.equal(g.a?.errors, 1);
      assert.equal(g.a?.errorRate, 0.5);
      assert.equal(g.a?.refs[0]?.spanId, calls[1]?.spanId, 'errors first');
      assert.equal(g.b?.latencyMs.p95, 400);
      const s = summarize(calls);
      const groups = Object.values(g);
      assert.equal(
        groups.reduce((x, y) => x + y.requests, 0),
        s.requests,
      );
      close(
        groups.reduce((x, y) => x + y.costUsd, 0),
        s.costUsd,
      );
      assert.equal(
        groups.reduce((x, y) => x + y.tokens.input, 0),
        s.tokens.input,
      );
    });

    it('latency per model (model calls) and per operation (every kind)', () => {
      const calls = [
        call({ model: 'm1', durationMs: 100 }),
        call({ model: 'm1', durationMs: 300, error: true }),
        call({ model: 'm2', durationMs: 50 }),
        call({ kind: 'tool', operation: 'execute_tool', durationMs: 20 }),
      ];
      assert.deepEqual(latencyByModel(calls), [
        { key: 'm1', count: 2, errors: 1, maxMs: 300, p50: 100, p95: 300, p99: 300 },
        { key: 'm2', count: 1, errors: 0, maxMs: 50, p50: 50, p95: 50, p99: 50 },
      ]);
      assert.deepEqual(
        latencyByOperation(calls).map((r) => [r.key, r.count]),
        [
          ['chat', 3],
          ['execute_tool', 1],
        ],
      );
    });
  });

  describe('timeSeries', () => {
    it('buckets by end time: counts, tokens, cost, rates, percentiles, refs; empty buckets have null rates', () => {
      const calls = [
        call({ endMs: 0, durationMs: 10, costUsd: 0.1 }),
        call({ endMs: 999, durationMs: 30, error: true }),
        call({ endMs: 2500, durationMs: 20 }),
        call({ endMs: 3000, durationMs: 5 }), // exactly at `end`: the last bucket
        call({ endMs: 3001 }), // outside
        call({ kind: 'tool', endMs: 500 }), // not a request
      ];
      const pts = timeSeries(calls, { start: 0, end: 3000, bucketMs: 1000 });
      assert.equal(pts.length, 3);
      assert.deepEqual(
        pts.map((p) => [p.startMs, p.endMs, p.requests, p.errors, p.errorRate, p.p50, p.p95]),
        [
          [0, 1000, 2, 1, 0.5, 10, 30],
          [1000, 2000, 0, 0, null, null, null],
          [2000, 3000, 2, 0, 0, 5, 20],
        ],
      );
      assert.equal(pts[0]?.requestsPerSec, 2);
      assert.equal(pts[0]?.tokensPerSec, 220);
      close(pts[0]?.costUsd ?? NaN, 0.1);
      assert.deepEqual(
        pts[0]?.refs.map((r) => r.spanId),
        [calls[1]?.spanId, calls[0]?.spanId],
      );
    });

    it('max concurrent requests per bucket by a sweep (half-open intervals), including calls from earlier buckets', () => {
      const calls = [
        call({ startMs: 0, endMs: 2500, durationMs: 2500 }),
        call({ startMs: 100, endMs: 600, durationMs: 500 }),
        call({ startMs: 200, endMs: 700, durationMs: 500 }),
        call({ startMs: 600, endMs: 900, durationMs: 300 }), // starts when the second ends: 3 at once, not 4
        call({ startMs: 1500, endMs: 1600, durationMs: 100 }),
      ];
      const pts = timeSeries(calls, { start: 0, end: 3000, bucketMs: 1000 });
      assert.deepEqual(
        pts.map((p) => p.maxConcurrent),
        [3, 2, 1],
      );
    });

    it('keeps at most 20 refs per point; refuses absurd bucket counts', () => {
      const calls = Array.from({ length: 50 }, (_, i) => call({ endMs: 10 + i }));
      assert.equal(timeSeries(calls, { start: 0, end: 100, bucketMs: 100 })[0]?.refs.length, maxRefs);
      assert.throws(() => timeSeries(calls, { start: 0, end: 1e9, bucketMs: 1 }), RangeError);
      assert.deepEqual(timeSeries(calls, { start: 5, end: 5, bucketMs: 1 }), []);
    });
  });

  describe('anomalies', () => {
    it('robustZ: 0.6745 (x − median) / MAD, by hand', () => {
      // median 3, |x − 3| = [2, 1, 0, 1, 97], MAD 1.
      const z = robustZ([1, 2, 3, 4, 100]);
      close(z[0] as number, -1.349);
      close(z[2] as number, 0);
      close(z[4] as number, 65.4265);
      // MAD 0 (most values equal): the mean absolute deviation stands in, ×1.253314.
      const flat = robustZ([5, 5, 5, 5, 10]);
      close(flat[4] as number, 5 / 1.253314);
      assert.deepEqual(robustZ([7, 7, 7]), [0, 0, 0]);
      const withNull = robustZ([1, null, 3]);
      assert.ok(Number.isNaN(withNull[1]));
    });

    it('marks the spike of a series above 3.5', () => {
      const pts = [10, 11, 9, 10, 12, 10, 95, 11, 10, 9].map((requests, i) => ({ startMs: i * 1000, requests }) as unknown as TimeSeriesPoint);
      const a = anomalies(pts, 'requests');
      assert.deepEqual(
        a.map((x) => [x.index, x.value]),
        [[6, 95]],
      );
      assert.ok((a[0]?.z ?? 0) > 3.5);
      assert.deepEqual(anomalies(pts, 'requests', 1000), []);
    });
  });

  describe('trend', () => {
    it('7 and 30 daily points ending with today (UTC days, or an offset)', () => {
      const now = Date.parse('2026-11-26T15:00:00Z');
      const day = 86_400_000;
      const calls = [call({ endMs: now - 1000 }), call({ endMs: now - 3 * day }), call({ endMs: now - 8 * day }), call({ endMs: Date.parse('2026-11-20T00:00:00Z') })];
      const t7 = trend(calls, 7, { now });
      assert.equal(t7.length, 7);
      assert.equal(new Date(t7[0]?.startMs ?? 0).toISOString(), '2026-11-20T00:00:00.000Z');
      assert.equal(new Date(t7[6]?.endMs ?? 0).toISOString(), '2026-11-27T00:00:00.000Z');
      assert.deepEqual(
        t7.map((p) => p.requests),
        [1, 0, 0, 1, 0, 0, 1],
      );
      const t30 = trend(calls, 30, { now });
      assert.equal(t30.length, 30);
      assert.equal(
        t30.reduce((s, p) => s + p.requests, 0),
        4,
      );
      const plus2 = trend(calls, 7, { now, utcOffsetMinutes: 120 });
      assert.equal(new Date(plus2[6]?.startMs ?? 0).toISOString(), '2026-11-25T22:00:00.000Z');
    });
  });
});
