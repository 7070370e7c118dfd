import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync, deflateSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { startCollector, type CollectorHandle } from '../../../../src/core/monitor/collector/index';
import type { CollectorEvent } from '../../../../src/core/monitor/types';
import { readTraceFiles } from '../../../../src/core/otlp/reader';
import { collectorFiles, ids, post, tempDir, tracesRequest } from './collectorHelpers';

/** The collector's HTTP surface: what every odd request gets back, in the request's own encoding. */

const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };

/** google.rpc.Status from a protobuf body: code (1) and message (2), as any protobuf reader sees them. */
function decodeStatus(b: Buffer): { code: number; message: string } {
  let i = 0;
  let code = 0;
  let message = '';
  const varint = (): number => {
    let v = 0;
    let s = 0;
    for (;;) {
      const byte = b[i++] as number;
      v += (byte & 0x7f) * 2 ** s;
      if (!(byte & 0x80)) return v;
      s += 7;
    }
  };
  while (i < b.length) {
    const tag = varint();
    if (tag === 0x08) code = varint();
    else if (tag === 0x12) {
      const n = varint();
      message = b.subarray(i, i + n).toString();
      i += n;
    } else throw new Error(`unexpected tag ${tag}`);
  }
  return { code, message };
}

describe('collector HTTP', function () {
  this.timeout(30_000);
  let dir: string;
  let c: CollectorHandle;
  const events: CollectorEvent[] = [];

  before(async () => {
    dir = tempDir('collector-http');
    c = await startCollector({ port: 0, outDir: dir, maxBodyBytes: 1024 * 1024 }, (e) => events.push(e));
  });
  after(async () => {
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', () => {
    assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(events[0]?.type, 'listening');
  });

  it('accepts OTLP/JSON and answers an empty ExportTraceServiceResponse', async () => {
    const spans = [ids(), ids()];
    const r = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest(spans)));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.deepEqual(JsonTraceSerializer.deserializeResponse(new Uint8Array(r.body)), {});
  });

  it('accepts gzip and deflate bodies', async () => {
    for (const [enc, fn] of [['gzip', gzipSync], ['deflate', deflateSync]] as const) {
      const r = await post(`${c.url}/v1/traces`, fn(JSON.stringify(tracesRequest([ids()]))), { ...json, 'content-encoding': enc });
      assert.equal(r.status, 200, r.body.toString());
    }
  });

  it('partial success: invalid spans are refused and counted, the rest stored (JSON and protobuf answers)', async () => {
    const good = ids();
    const doc = tracesRequest([good, { traceId: '0'.repeat(32), spanId: 'aaaaaaaaaaaaaaaa' }, { traceId: 'xyz', spanId: 'bbbbbbbbbbbbbbbb' }, { traceId: good.traceId, spanId: '' }]);
    const r = await post(`${c.url}/v1/traces`, JSON.stringify(doc));
    assert.equal(r.status, 200);
    const answer = JsonTraceSerializer.deserializeResponse(new Uint8Array(r.body)) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
    assert.equal(answer.partialSuccess?.rejectedSpans, '3');
    assert.match(answer.partialSuccess?.errorMessage ?? '', /3 of 4 refused: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: traceId is all zero/);
    assert.match(answer.partialSuccess?.errorMessage ?? '', /spans\[2\]: traceId "xyz" is not 32 hex digits/);
    assert.match(answer.partialSuccess?.errorMessage ?? '', /spans\[3\]: spanId is missing or empty/);

    // The same through protobuf: an id of the wrong length.
    const pb = Buffer.from(protobufTraces([{ traceId: good.traceId, spanId: 'cccccccccccccccc' }, { traceId: good.traceId.slice(0, 30), spanId: 'dddddddddddddddd' }]));
    const r2 = await post(`${c.url}/v1/traces`, pb, proto);
    assert.equal(r2.status, 200);
    assert.equal(r2.headers.get('content-type'), 'application/x-protobuf');
    const answer2 = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(r2.body));
    assert.equal(Number(answer2.partialSuccess?.rejectedSpans), 1);
    assert.match(answer2.partialSuccess?.errorMessage ?? '', /spans\[0\]: traceId "[0-9a-f]{30}" is not 32 hex digits/);

    const set = await readTraceFiles(collectorFiles(dir));
    const stored = set.traces.flatMap((t) => t.spans.map((s) => s.spanId));
    assert.ok(stored.includes(good.spanId));
    assert.ok(stored.includes('cccccccccccccccc'));
    assert.ok(!stored.includes('aaaaaaaaaaaaaaaa') && !stored.includes('bbbbbbbbbbbbbbbb') && !stored.includes('dddddddddddddddd'));
  });

  it('malformed JSON: 400 with a google.rpc.Status saying where', async () => {
    const r = await post(`${c.url}/v1/traces`, '{"resourceSpans": [{"scopeSpans": [}]}');
    assert.equal(r.status, 400);
    const s = JSON.parse(r.body.toString()) as { code: number; message: string };
    assert.equal(s.code, 3);
    assert.equal(s.message, `the body is not valid JSON: expected a value, found "}" at line 1 column 36 (character 35)`);
    const rl = await post(`${c.url}/v1/traces`, '{\n  "resourceSpans": [\n    {"a": 1,}\n  ]\n}');
    assert.match((JSON.parse(rl.body.toString()) as { message: string }).message, /expected a property name in double quotes, found "}" at line 3 column 13/);
    const r2 = await post(`${c.url}/v1/traces`, '{"resourceSpans": [{"scopeSpans": [{"spans": {"a": 1}}]}]}');
    assert.equal(r2.status, 400);
    assert.equal((JSON.parse(r2.body.toString()) as { message: string }).message, 'resourceSpans[0].scopeSpans[0].spans: expected an array, got an object');
    const r3 = await post(`${c.url}/v1/logs`, '[1,2]');
    assert.equal(r3.status, 400);
    assert.match(r3.body.toString(), /the request body: expected an object, got an array/);
  });

  it('malformed protobuf: 400 with a protobuf Status naming the field path', async () => {
    const good = Buffer.from(protobufTraces([ids()]));
    // Cut inside the first span: a truncated length-delimited field.
    const r = await post(`${c.url}/v1/traces`, good.subarray(0, good.length - 3), proto);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/x-protobuf');
    const s = decodeStatus(r.body);
    assert.equal(s.code, 3);
    assert.match(s.message, /^the body is not a valid protobuf ExportTraceServiceRequest: resourceSpans\[0\]/);
    // Garbage: a wire type 7 at the top.
    const r2 = await post(`${c.url}/v1/traces`, Buffer.from([0x0f, 0x01]), proto);
    assert.equal(r2.status, 400);
    assert.match(decodeStatus(r2.body).message, /resourceSpans\[0\]: wire type 7 at byte 0/);
    // JSON sent as protobuf.
    const r3 = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([ids()])), proto);
    assert.equal(r3.status, 400);
  });

  it('random bytes never crash it: every answer is 200 or 400', async () => {
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const base = Buffer.from(protobufTraces([ids(), ids()]));
    for (let i = 0; i < 200; i++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const r = await post(`${c.url}/v1/${['traces', 'logs', 'metrics'][i % 3]}`, b, proto);
      assert.ok(r.status === 200 || r.status === 400, `status ${r.status}: ${r.body.toString()}`);
    }
    const health = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([ids()])));
    assert.equal(health.status, 200);
  });

  it('wrong content type 415, unknown encoding 415, unknown path 404, wrong method 405 with Allow', async () => {
    const t = await post(`${c.url}/v1/traces`, 'hello', { 'content-type': 'text/plain' });
    assert.equal(t.status, 415);
    assert.match(t.body.toString(), /Content-Type \\"text\/plain\\" is not supported/);
    const e = await post(`${c.url}/v1/traces`, 'x', { ...json, 'content-encoding': 'br' });
    assert.equal(e.status, 415);
    const nf = await post(`${c.url}/v2/traces`, '{}');
    assert.equal(nf.status, 404);
    const get = await fetch(`${c.url}/v1/traces`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const del = await fetch(`${c.url}/metrics`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD');
  });

  it('413 past the body limit: as sent (streamed, no Content-Length) and decompressed (a gzip bomb)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const r = await post(`${c.url}/v1/traces`, big, json);
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body.toString()).message as string, /larger than the limit of 1048576 bytes/);

    // Chunked, no Content-Length: the limit is enforced while streaming.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${c.url}/v1/traces`, { method: 'POST', headers: json }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (sent < 3 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);

    // 64 MiB of zeros gzip to ~64 KiB: under the limit as sent, far over it decompressed.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 1024 * 1024);
    const heap = process.memoryUsage().heapUsed;
    const rb = await post(`${c.url}/v1/traces`, bomb, { ...json, 'content-encoding': 'gzip' });
    assert.equal(rb.status, 413);
    assert.match(JSON.parse(rb.body.toString()).message as string, /decompresses to more than the limit/);
    assert.ok(process.memoryUsage().heapUsed - heap < 32 * 1024 * 1024);
    // A corrupt gzip stream is a 400.
    const corrupt = gzipSync(JSON.stringify(tracesRequest([ids()]))).subarray(0, 20);
    const rc = await post(`${c.url}/v1/traces`, corrupt, { ...json, 'content-encoding': 'gzip' });
    assert.equal(rc.status, 400);
    assert.match(rc.body.toString(), /could not be decompressed/);
  });

  it('logs and metrics in protobuf are stored as OTLP/JSON lines the reader counts', async () => {
    const { traceId, spanId } = ids();
    const logs = ProtobufLogsSerializer.serializeRequest([
      {
        hrTime: [1_700_000_000, 5],
        hrTimeObserved: [1_700_000_000, 6],
        severityNumber: 9,
        severityText: 'INFO',
        body: { nested: [1, 'two', true], bytes: new Uint8Array([1, 2, 3]) },
        attributes: { 'a.int': 42, big: -5 },
        droppedAttributesCount: 0,
        spanContext: { traceId, spanId, traceFlags: 1 },
        resource: { attributes: { 'service.name': 'logs' }, schemaUrl: undefined },
        instrumentationScope: { name: 'scope' },
        eventName: 'ev',
      },
    ] as unknown as Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0]);
    assert.ok(logs);
    const r = await post(`${c.url}/v1/logs`, Buffer.from(logs as Uint8Array), proto);
    assert.equal(r.status, 200, decodeStatus(r.body).message);
    assert.equal(r.body.length, 0);
    const file = collectorFiles(dir, 'logs')[0] as string;
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
    const rec = line.resourceLogs[0]?.scopeLogs[0]?.logRecords[0] as Record<string, unknown>;
    assert.equal(rec.traceId, traceId);
    assert.equal(rec.spanId, spanId);
    assert.equal(rec.timeUnixNano, '1700000000000000005');
    assert.equal(rec.severityNumber, 9);
    assert.equal(rec.eventName, 'ev');

    const metricsBody = ProtobufMetricsSerializer.serializeRequest({
      resource: { attributes: { 'service.name': 'm' } },
      scopeMetrics: [
        {
          scope: { name: 's' },
          metrics: [
            {
              descriptor: { name: 'requests', description: '', unit: '1', valueType: 1, type: 'COUNTER' },
              aggregationTemporality: 1,
              dataPointType: 3,
              isMonotonic: true,
              dataPoints: [
                { attributes: { k: 'v' }, startTime: [1, 0], endTime: [2, 0], value: 7 },
                { attributes: { k: 'w' }, startTime: [1, 0], endTime: [2, 0], value: 8 },
              ],
            },
            {
              descriptor: { name: 'latency', description: '', unit: 's', valueType: 1, type: 'HISTOGRAM' },
              aggregationTemporality: 1,
              dataPointType: 0,
              dataPoints: [{ attributes: {}, startTime: [1, 0], endTime: [2, 0], value: { buckets: { boundaries: [1, 2], counts: [1, 0, 3] }, sum: 9, count: 4, min: 0.5, max: 3 } }],
            },
          ],
        },
      ],
    } as unknown as Parameters<typeof ProtobufMetricsSerializer.serializeRequest>[0]);
    const rm = await post(`${c.url}/v1/metrics`, Buffer.from(metricsBody as Uint8Array), proto);
    assert.equal(rm.status, 200, decodeStatus(rm.body).message);
    const mline = readFileSync(collectorFiles(dir, 'metrics')[0] as string, 'utf8');
    assert.match(mline, /"bucketCounts":\["1","0","3"\]/);
    assert.match(mline, /"explicitBounds":\[1,2\]/);
    const set = await readTraceFiles([...collectorFiles(dir, 'logs'), ...collectorFiles(dir, 'metrics')]);
    assert.equal(set.logRecords, 1);
    assert.equal(set.metricDataPoints, 3);
  });

  it('the stats add up', () => {
    const s = c.stats();
    assert.ok(s.accepted.traces > 0);
    assert.equal(s.rejected.traces, 4);
    assert.ok(s.failedRequests > 5);
    assert.ok(s.bytesWritten > 0);
    assert.match(s.files.traces ?? '', /traces-\d{8}T\d{6}Z-\d{4}\.otlp\.jsonl$/);
  });
});

/** An ExportTraceServiceRequest in protobuf, written by the exporter's own serializer. */
function protobufTraces(spans: { traceId: string; spanId: string }[]): Uint8Array {
  const readable = spans.map((s) => ({
    name: 'chat',
    kind: 2,
    spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_001, 0],
    status: { code: 0 },
    attributes: { 'gen_ai.operation.name': 'chat' },
    links: [],
    events: [],
    duration: [1, 0],
    ended: true,
    resource: { attributes: { 'service.name': 'pb' } },
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
  const out = ProtobufTraceSerializer.serializeRequest(readable as unknown as Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]);
  if (!out) throw new Error('the serializer returned nothing');
  return out;
}

describe('collector HTTP: backpressure', function () {
  this.timeout(20_000);
  it('answers 503 with Retry-After when too many requests are in flight, and accepts again after', async () => {
    const dir = tempDir('collector-busy');
    const c = await startCollector({ port: 0, outDir: dir, maxConcurrentRequests: 1 });
    try {
      // The first request sends half its body and waits: it stays in flight.
      const body = Buffer.from(JSON.stringify(tracesRequest([ids()])));
      let finish: () => void = () => undefined;
      const first = new Promise<number>((resolve, reject) => {
        const req = request(`${c.url}/v1/traces`, { method: 'POST', headers: { ...json, 'content-length': String(body.length) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(body.subarray(0, 10));
        finish = () => void req.end(body.subarray(10));
      });
      await new Promise((r) => setTimeout(r, 100));
      const busy = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([ids()])));
      assert.equal(busy.status, 503);
      assert.equal(busy.headers.get('retry-after'), '1');
      assert.match(busy.body.toString(), /the collector is behind \(1 requests in flight/);
      finish();
      assert.equal(await first, 200);
      const again = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([ids()])));
      assert.equal(again.status, 200);
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
