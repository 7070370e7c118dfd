import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Guard } from '../../../../src/core/deploy/config';
import { otlpGuard, parsePromResponse, prometheusGuard, type GuardRequest } from '../../../../src/core/deploy/guard';
import { writeOtlpSpans } from './guardFixtures';

const T0 = Date.parse('2026-03-01T12:00:00Z');

function request(over: Partial<GuardRequest> = {}): GuardRequest {
  return { deployId: 'D1', environment: 'production', version: 'v2', step: 0, weight: 10, since: new Date(T0 - 60_000), until: new Date(T0), ...over };
}

const base = { maxErrorRate: 0.05, minSamples: 20, consecutiveBreaches: 2, interval: 30_000, onNoData: 'pause' as const };

describe('deploy guard', () => {
  describe('OTLP trace files', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agentops-guard-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const guard = (over: Partial<Guard> = {}): Guard => ({ ...base, source: { type: 'otlp', dir: 'traces', versionAttribute: 'service.version' }, ...over });

    it('passes at 4% errors with a 5% threshold, counting only the version', async () => {
      const f = join(dir, 'traces', 'a.otlp.jsonl');
      mkdirSync(join(dir, 'traces'));
      writeOtlpSpans(f, { version: 'v2', total: 100, errors: 4, endMs: T0 - 1000 });
      writeOtlpSpans(f, { version: 'v1', total: 50, errors: 50, endMs: T0 - 1000 });
      const v = await otlpGuard(guard(), dir)(request());
      assert.equal(v.verdict, 'pass');
      assert.equal(v.samples, 100);
      assert.equal(v.errors, 4);
      assert.equal(v.rate, 0.04);
    });

    it('breaches at 6% errors, reading the version from span attributes too', async () => {
      const f = join(dir, 'spans.otlp.jsonl');
      writeOtlpSpans(f, { version: 'v2', total: 50, errors: 3, endMs: T0 - 1000, onSpan: true, attribute: 'app.version' });
      writeOtlpSpans(f, { version: 'v2', total: 50, errors: 3, endMs: T0 - 2000, attribute: 'app.version' });
      const v = await otlpGuard(guard({ source: { type: 'otlp', files: ['*.otlp.jsonl'], versionAttribute: 'app.version' } }), dir)(request());
      assert.equal(v.verdict, 'breach');
      assert.equal(v.samples, 100);
      assert.equal(v.errors, 6);
      assert.match(v.detail, /error rate 6% .* above maxErrorRate 5%/);
    });

    it('no spans, spans outside the window, too few samples or no files → no-data, never a pass', async () => {
      assert.equal((await otlpGuard(guard(), dir)(request())).verdict, 'no-data');
      const f = join(dir, 'x.otlp.jsonl');
      writeFileSync(f, '');
      const g = otlpGuard(guard({ source: { type: 'otlp', files: ['x.otlp.jsonl'], versionAttribute: 'service.version' } }), dir);
      assert.equal((await g(request())).verdict, 'no-data');
      writeOtlpSpans(f, { version: 'v2', total: 100, errors: 0, endMs: T0 - 120_000 });
      const old = await g(request());
      assert.deepEqual([old.verdict, old.samples], ['no-data', 0]);
      writeOtlpSpans(f, { version: 'v2', total: 19, errors: 0, endMs: T0 - 10 });
      const few = await g(request());
      assert.deepEqual([few.verdict, few.samples], ['no-data', 19]);
      assert.match(few.detail, /fewer than minSamples 20/);
    });

    it('breaches on P95 latency of root spans above maxLatency', async () => {
      const f = join(dir, 'l.otlp.jsonl');
      writeOtlpSpans(f, { version: 'v2', total: 40, errors: 0, endMs: T0 - 10, durationMs: 900 });
      const v = await otlpGuard(guard({ maxLatency: 800, source: { type: 'otlp', files: ['l.otlp.jsonl'], versionAttribute: 'service.version' } }), dir)(request());
      assert.equal(v.verdict, 'breach');
      assert.equal(v.latencyMs, 900);
    });
  });

  describe('Prometheus HTTP API', () => {
    let server: Server;
    let url: string;
    let answer: (query: string) => { status: number; body: unknown };
    const queries: string[] = [];

    before(async () => {
      server = createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        if (u.pathname !== '/api/v1/query') {
          res.writeHead(404).end();
          return;
        }
        const q = u.searchParams.get('query') ?? '';
        queries.push(q);
        const a = answer(q);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const vector = (...values: string[]) => ({
      status: 200,
      body: { status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { version: 'v2', instance: `i${i}` }, value: [1772366400.123, v] })) } },
    });
    const guard = (over: Partial<Guard> = {}): Guard => ({
      ...base,
      source: { type: 'prometheus', url, errorRate: 'sum(rate(errors_total{version="${version}"}[1m])) / sum(rate(requests_total{version="${version}"}[1m]))' },
      ...over,
    });

    it('substitutes ${version}, parses a vector and passes at 4%', async () => {
      answer = () => vector('0.04');
      const v = await prometheusGuard(guard())(request());
      assert.equal(v.verdict, 'pass');
      assert.equal(v.rate, 0.04);
      assert.equal(queries.at(-1), 'sum(rate(errors_total{version="v2"}[1m])) / sum(rate(requests_total{version="v2"}[1m]))');
    });

    it('breaches at 6% (the worst series), and on a scalar result', async () => {
      answer = () => vector('0.01', '0.06');
      assert.equal((await prometheusGuard(guard())(request())).verdict, 'breach');
      answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1772366400, '0.5'] } } });
      assert.equal((await prometheusGuard(guard())(request())).rate, 0.5);
    });

    it('empty result, NaN, an API error, HTTP 5xx and a dead server are no-data', async () => {
      answer = () => vector();
      assert.match((await prometheusGuard(guard())(request())).detail, /empty result/);
      answer = () => vector('NaN');
      assert.equal((await prometheusGuard(guard())(request())).verdict, 'no-data');
      answer = () => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' } });
      const e = await prometheusGuard(guard())(request());
      assert.deepEqual([e.verdict, e.detail], ['no-data', 'errorRate: Prometheus error: parse error at char 5']);
      answer = () => ({ status: 503, body: 'down' });
      assert.equal((await prometheusGuard(guard())(request())).verdict, 'no-data');
      const dead = await prometheusGuard(guard({ source: { type: 'prometheus', url: 'http://127.0.0.1:1', errorRate: 'x' } }), { timeoutMs: 2000 })(request());
      assert.equal(dead.verdict, 'no-data');
      assert.match(dead.detail, /query failed/);
    });

    it('latency in seconds against maxLatency in ms', async () => {
      answer = (q) => (q.startsWith('histogram') ? vector('0.9') : vector('0.01'));
      const g = guard({ maxLatency: 800, source: { type: 'prometheus', url, errorRate: 'e{v="${version}"}', latency: 'histogram_quantile(0.95, x{v="${version}"})' } });
      const v = await prometheusGuard(g)(request());
      assert.equal(v.verdict, 'breach');
      assert.equal(v.latencyMs, 900);
    });

    it('parsePromResponse rejects matrices and non-API bodies', () => {
      assert.equal(parsePromResponse({ status: 'success', data: { resultType: 'matrix', result: [] } }).ok, false);
      assert.equal(parsePromResponse('nope').ok, false);
    });
  });
});
