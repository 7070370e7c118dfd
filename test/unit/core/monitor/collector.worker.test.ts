import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { isPortInUseError, PortInUseError, startCollector, startCollectorInWorker } from '../../../../src/core/monitor/collector/index';
import type { CollectorEvent } from '../../../../src/core/monitor/types';
import { readTraceFiles } from '../../../../src/core/otlp/reader';
import { collectorFiles, ids, post, tempDir, tracesRequest } from './collectorHelpers';

/** The collector on a worker thread (the extension host's way), and a taken port. */

const workerPath = resolve('src/core/monitor/collector/collectorWorker.ts');

describe('collector in a worker thread; port in use', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('collector-worker');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('startCollectorInWorker: same handle, events forwarded, stats kept fresh, close returns the final counts', async () => {
    const events: CollectorEvent[] = [];
    const h = await startCollectorInWorker({ port: 0, outDir: dir }, workerPath, (e) => events.push(e));
    assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(h.outDir, dir);
    const r = await post(`${h.url}/v1/traces`, JSON.stringify(tracesRequest([ids(), ids(), ids()])));
    assert.equal(r.status, 200);
    const bad = await post(`${h.url}/v1/traces`, '{');
    assert.equal(bad.status, 400);
    for (let i = 0; i < 50 && h.stats().accepted.traces < 3; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(h.stats().accepted.traces, 3);
    const stats = await h.close();
    assert.equal(stats.accepted.traces, 3);
    assert.equal(stats.failedRequests, 1);
    assert.deepEqual(
      events.map((e) => e.type),
      ['listening', 'accepted', 'refused'],
    );
    const set = await readTraceFiles(collectorFiles(dir));
    assert.equal(set.traces.reduce((n, t) => n + t.spans.length, 0), 3);
    assert.deepEqual(await h.close(), stats, 'close is idempotent');
  });

  it('a worker that dies by itself: a stopped event, and close() answers with the last counts', async () => {
    const events: CollectorEvent[] = [];
    const h = await startCollectorInWorker({ port: 0, outDir: dir }, resolve('test/unit/core/monitor/dyingCollectorWorker.ts'), (e) => events.push(e));
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(events, [{ type: 'stopped', reason: "the collector's worker thread exited (code 7)" }]);
    assert.equal((await h.close()).accepted.traces, 0);
  });

  it('a taken port: PortInUseError naming this process as the owner and a free port (in this thread and from the worker)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await startCollector({ port, outDir: dir }).then(
        () => assert.fail('started on a taken port'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, port);
      assert.deepEqual(err.owner, { pid: process.pid, command: err.owner?.command });
      assert.ok(typeof err.suggestedPort === 'number' && err.suggestedPort !== port);
      assert.match(err.message, new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is in use by pid ${process.pid} \\(.+\\); port ${err.suggestedPort} is free`));

      const fromWorker = await startCollectorInWorker({ port, outDir: dir }, workerPath).then(
        () => assert.fail('started on a taken port'),
        (e: unknown) => e,
      );
      assert.ok(isPortInUseError(fromWorker));
      assert.equal(fromWorker.owner?.pid, process.pid);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('bad options are a RangeError, not a hang', async () => {
    await assert.rejects(startCollector({ port: 70000, outDir: dir }), RangeError);
    await assert.rejects(startCollectorInWorker({ port: 0, outDir: dir, maxBodyBytes: -1 }, workerPath), RangeError);
  });
});
