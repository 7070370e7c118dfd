import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildDashboard, maxBars, otherKey } from '../../../../src/core/monitor/dashboardModel';
import { loadMonitorConfig } from '../../../../src/core/monitor/config';
import { openDashboardSession, type DashboardSession, type UpdateRequest } from '../../../../src/core/monitor/dashboardSession';
import { boundsOf, bucketMsFor, targetBuckets, topWithRest, windowFor } from '../../../../src/core/monitor/dashboardView';
import { isDashboardFromWebview, isDashboardToWebview, type DashboardView } from '../../../../src/shared/dashboardProtocol';
import { call, chatSpan, otlpLine, traffic } from './callsHelpers';

const hour = 3_600_000;
const request = (over: Partial<UpdateRequest> = {}): UpdateRequest => ({
  view: { range: 'all', latency: { kind: 'all' } },
  live: false,
  nowMs: 10 * hour,
  revision: 1,
  source: 'test',
  collecting: false,
  collectorRunning: false,
  ...over,
});

describe('core/monitor/dashboard', () => {
  describe('time windows and buckets', () => {
    it('picks the smallest round bucket that keeps a chart under the target number of points', () => {
      assert.equal(bucketMsFor(15 * 60_000), 10_000);
      assert.equal(bucketMsFor(hour), 60_000);
      assert.equal(bucketMsFor(24 * hour), 30 * 60_000);
      assert.equal(bucketMsFor(30 * 24 * hour), 12 * hour);
      for (const span of [1000, 15 * 60_000, hour, 6 * hour, 24 * hour, 7 * 24 * hour, 30 * 24 * hour]) {
        assert.ok(span / bucketMsFor(span) <= targetBuckets, `${span} ms in ${bucketMsFor(span)} ms buckets`);
      }
    });

    it('ends the window now while collecting, at the last call over stored files; starts on a bucket boundary', () => {
      const bounds = { firstMs: 2 * hour, lastMs: 5 * hour + 1234 };
      const live = windowFor('1h', bounds, 9 * hour + 30_000, true);
      assert.equal(live.endMs, 9 * hour + 30_000);
      assert.ok(live.startMs <= 8 * hour + 30_000 && live.startMs > 8 * hour + 30_000 - live.bucketMs);
      assert.equal(live.startMs % live.bucketMs, 0);
      const stored = windowFor('1h', bounds, 9 * hour, false);
      assert.equal(stored.endMs, bounds.lastMs);
      assert.equal(stored.startMs % stored.bucketMs, 0);
      const all = windowFor('all', bounds, 9 * hour, false);
      assert.ok(all.startMs <= bounds.firstMs);
      assert.deepEqual(boundsOf([]), {});
    });

    it('a bucket in progress reads as a rate over its elapsed part, not as a drop', () => {
      // One call a second, the window ending 10 s into a 1-minute bucket.
      const end = 3 * hour + 10_000;
      const calls = Array.from({ length: 3600 }, (_, i) => call({ endMs: end - i * 1000 }));
      const { data } = buildDashboard(calls, request({ live: true, nowMs: end, view: { range: '1h', latency: { kind: 'all' } } }), { files: 1, problems: 0 });
      const rates = data.series.requestsPerSecond;
      assert.ok(Math.abs((rates.at(-1) as number) - 1) < 0.15, `last bucket ${rates.at(-1)} req/s`);
      assert.ok(!(data.anomalies.requests ?? []).includes(rates.length - 1));
    });

    it('keeps the largest entries and sums the rest into one', () => {
      const rows = Array.from({ length: 20 }, (_, i) => ({ key: `u${i}`, v: i }));
      const top = topWithRest(rows, 5, (r) => r.v, (rest) => ({ key: 'rest', v: rest.reduce((n, r) => n + r.v, 0) }));
      assert.deepEqual(top.map((r) => r.key), ['u19', 'u18', 'u17', 'u16', 'rest']);
      assert.equal(top.reduce((n, r) => n + r.v, 0), rows.reduce((n, r) => n + r.v, 0));
    });
  });

  describe('buildDashboard', () => {
    it('cards, series and cost bars agree with the calls in the window', () => {
      const calls = [
        ...traffic(50, 5, 9 * hour, 9 * hour + 30 * 60_000, { model: 'gpt-4o', user: 'alice', project: 'billing', costUsd: 0.01 }),
        ...traffic(30, 0, 9 * hour, 9 * hour + 30 * 60_000, { model: 'gpt-4o-mini', user: 'bob', project: 'search', costUsd: 0.001 }),
        call({ kind: 'tool', operation: 'execute_tool', endMs: 9 * hour + 60_000 }),
      ];
      const { data, pointRefs, barRefs } = buildDashboard(calls, request({ view: { range: '1h', latency: { kind: 'all' } } }), { files: 1, problems: 0 });
      assert.equal(data.cards.requests, 80);
      assert.equal(data.cards.errors, 5);
      assert.equal(data.cards.inputTokens, 8000);
      assert.equal(data.cards.outputTokens, 800);
      assert.ok(Math.abs(data.cards.costUsd - 0.53) < 1e-9);
      const width = (t: number) => (Math.min(t + data.bucketMs, data.window.endMs) - t) / 1000;
      assert.equal(Math.round(data.series.requestsPerSecond.reduce((n, r, i) => n + r * width(data.series.t[i] as number), 0)), 80);
      assert.equal(data.series.t.length, pointRefs.requests.length);
      assert.deepEqual(data.costBy.user.map((b) => b.key), ['alice', 'bob']);
      assert.deepEqual(data.costBy.model.map((b) => b.key), ['gpt-4o', 'gpt-4o-mini']);
      assert.equal(barRefs.project.billing?.length, 20, 'refs are capped');
      assert.deepEqual(data.models, ['gpt-4o', 'gpt-4o-mini']);
      assert.ok(data.operations.includes('execute_tool'));
      assert.ok(data.latency.some((r) => r.dimension === 'operation' && r.key === 'execute_tool'));
      assert.deepEqual(data.trends.map((t) => [t.days, t.points.length]), [[7, 7], [30, 30]]);
    });

    it('filters the latency chart by model or operation; other charts keep every call', () => {
      const calls = [...traffic(20, 0, hour, 2 * hour, { model: 'fast', durationMs: 100 }), ...traffic(20, 0, hour, 2 * hour, { model: 'slow', durationMs: 5000 })];
      const fast = buildDashboard(calls, request({ view: { range: 'all', latency: { kind: 'model', key: 'fast' } } }), { files: 1, problems: 0 }).data;
      assert.ok(fast.series.p99.every((v) => v === null || v === 100));
      assert.equal(fast.cards.requests, 40);
      const slow = buildDashboard(calls, request({ view: { range: 'all', latency: { kind: 'model', key: 'slow' } } }), { files: 1, problems: 0 }).data;
      assert.ok(slow.series.p50.some((v) => v === 5000));
    });

    it('marks a burst as an anomaly on the requests chart', () => {
      const steady = traffic(600, 0, hour, 3 * hour);
      const burst = traffic(200, 0, 2 * hour, 2 * hour + 60_000);
      const { data } = buildDashboard([...steady, ...burst], request(), { files: 1, problems: 0 });
      const marked = data.anomalies.requests ?? [];
      assert.ok(marked.length >= 1, 'the burst is marked');
      for (const i of marked) assert.ok((data.series.t[i] as number) >= 2 * hour - data.bucketMs && (data.series.t[i] as number) <= 2 * hour + 60_000);
    });

    it('does not score the empty buckets before the first call as unusual', () => {
      const calls = traffic(300, 0, 9 * hour + 30 * 60_000, 10 * hour);
      const { data } = buildDashboard(calls, request({ view: { range: '1h', latency: { kind: 'all' } } }), { files: 1, problems: 0 });
      const firstWithData = data.series.requestsPerSecond.findIndex((r) => r > 0);
      assert.ok(firstWithData > 10, 'the first half hour is empty');
      for (const i of data.anomalies.requests ?? []) assert.ok(i >= firstWithData - 1, `bucket ${i} marked`);
    });

    it('sums users beyond the bar limit into one bar whose refs are the rest', () => {
      const calls = Array.from({ length: maxBars + 5 }, (_, i) => call({ user: `user-${i}`, costUsd: i + 1, endMs: hour + i }));
      const { data, barRefs } = buildDashboard(calls, request(), { files: 1, problems: 0 });
      assert.equal(data.costBy.user.length, maxBars);
      assert.equal(data.costBy.user.at(-1)?.key, otherKey);
      assert.equal(barRefs.user[otherKey]?.length, 6);
    });
  });

  describe('protocol guards', () => {
    it('accepts the webview messages it defines and refuses the rest', () => {
      const view: DashboardView = { range: '24h', latency: { kind: 'operation', key: 'chat' } };
      assert.ok(isDashboardFromWebview({ type: 'setView', view }));
      assert.ok(isDashboardFromWebview({ type: 'openPoint', revision: 3, chart: 'latency', index: 4 }));
      assert.ok(isDashboardFromWebview({ type: 'openBar', revision: 3, dimension: 'user', key: 'alice' }));
      assert.ok(!isDashboardFromWebview({ type: 'setView', view: { range: '2h', latency: { kind: 'all' } } }));
      assert.ok(!isDashboardFromWebview({ type: 'openPoint', revision: 3, chart: 'nope', index: 4 }));
      assert.ok(!isDashboardFromWebview({ type: 'openPoint', revision: 3, chart: 'cost', index: -1 }));
      assert.ok(!isDashboardFromWebview({ type: 'openBar', revision: 3, dimension: 'planet', key: 'x' }));
      assert.ok(!isDashboardFromWebview({ type: 'eval', code: '1' }));
      assert.ok(isDashboardToWebview({ type: 'progress', bytesRead: 1, bytesTotal: 2 }));
      assert.ok(!isDashboardToWebview({ type: 'init', strings: { a: 1 }, view }));
    });
  });

  describe('the worker session', () => {
    const workerPath = resolve(__dirname, '../../../../src/core/monitor/dashboardWorker.ts');
    let dir: string;
    let session: DashboardSession | undefined;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'agentops-dashboard-'));
    });
    afterEach(() => {
      session?.dispose();
      session = undefined;
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads a folder off the main thread, then only what was appended; a missing folder is empty', async () => {
      const traces = join(dir, 'traces');
      const progress: number[] = [];
      session = openDashboardSession({ workerPath, init: { sources: [traces], attributes: {}, prices: {} }, onProgress: (p) => progress.push(p.bytesRead) });
      const now = Date.now();
      const empty = await session.update(request({ live: true, nowMs: now, view: { range: '15m', latency: { kind: 'all' } } }));
      assert.equal(empty.data.cards.requests, 0);
      assert.equal(empty.data.files, 0);

      mkdirSync(traces);
      const file = join(traces, 'traces-1.otlp.jsonl');
      writeFileSync(file, `${otlpLine([chatSpan(0, now - 5000, { user: 'alice', project: 'billing' }), chatSpan(1, now - 4000, { error: true, user: 'bob' })])}\n`);
      const first = await session.update(request({ live: true, nowMs: now, revision: 2, view: { range: '15m', latency: { kind: 'all' } } }));
      assert.equal(first.data.cards.requests, 2);
      assert.equal(first.data.cards.errors, 1);
      assert.equal(first.data.cards.inputTokens, 2000);
      assert.equal(first.data.files, 1);
      assert.ok(progress.length > 0, 'progress reported');
      const refs = first.pointRefs.requests.flat();
      assert.equal(refs.length, 2);
      assert.equal(refs[0]?.file, file);

      appendFileSync(file, `${otlpLine([chatSpan(2, now - 3000, { user: 'alice', model: 'gpt-4o' })])}\n`);
      const second = await session.update(request({ live: true, nowMs: now, revision: 3, view: { range: '15m', latency: { kind: 'all' } } }));
      assert.equal(second.data.cards.requests, 3);
      assert.deepEqual(second.data.models, ['gpt-4o', 'gpt-4o-mini']);
      assert.equal(second.data.revision, 3);
      const alice = second.data.costBy.user.find((b) => b.key === 'alice');
      assert.equal(alice?.requests, 2);
    });

    it('judges alert rules over what it read, keeping their state between calls: 6% fires, then 3% resolves; transitions logged', async () => {
      const traces = join(dir, 'traces');
      mkdirSync(traces);
      const file = join(traces, 'traces-1.otlp.jsonl');
      const now = Date.now();
      // 100 calls in the last 5 minutes, 6 failed.
      writeFileSync(file, `${otlpLine(Array.from({ length: 100 }, (_, i) => chatSpan(i, now - 200_000 + i * 1000, { error: i % 17 === 3 })))}\n`);
      session = openDashboardSession({ workerPath, init: { sources: [traces], attributes: {}, prices: {} } });
      const logFile = join(dir, 'alerts.jsonl');
      const rules = loadMonitorConfig('', 'agentops.yaml').config.alerts.rules;
      const fired = await session.alerts({ rules, nowMs: now, logFile });
      assert.deepEqual(fired.firing.map((a) => [a.rule, a.severity, a.value]), [['error-rate', 'error', 0.06]]);
      assert.deepEqual(fired.events.map((e) => e.state), ['firing']);
      const trace = fired.firing[0]?.traceIds[0] ?? '';
      assert.equal(fired.refs[trace]?.file, file, 'each trace behind the alert has a call to open');
      // 100 more calls, none failed: 6/200 = 3%, below the 4% a 5% rule resolves at.
      appendFileSync(file, `${otlpLine(Array.from({ length: 100 }, (_, i) => chatSpan(1000 + i, now - 100_000 + i * 500)))}\n`);
      const resolved = await session.alerts({ rules, nowMs: now + 1000, logFile });
      assert.deepEqual(resolved.firing, []);
      assert.deepEqual(resolved.events.map((e) => [e.rule, e.state]), [['error-rate', 'resolved']]);
      const logged = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state);
      assert.deepEqual(logged, ['firing', 'resolved']);
    });
  });
});
