import * as assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCollector } from '../../../../src/core/monitor/collector/index';
import type { CollectorEvent } from '../../../../src/core/monitor/types';
import { readTraceFiles } from '../../../../src/core/otlp/reader';
import { collectorFiles, ids, post, tempDir, tracesRequest } from './collectorHelpers';

/** Files: names, rotation by size and by time (an injected clock), retention by age and total size. */

describe('collector store: rotation and retention', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('collector-store');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const send = async (url: string, n = 1): Promise<void> => {
    const r = await post(`${url}/v1/traces`, JSON.stringify(tracesRequest(Array.from({ length: n }, () => ids()))));
    assert.equal(r.status, 200, r.body.toString());
  };

  it('rotates by size: no file passes the limit (but a single larger line), nothing is lost', async () => {
    const events: CollectorEvent[] = [];
    const c = await startCollector({ port: 0, outDir: dir, rotateBytes: 4096 }, (e) => events.push(e));
    for (let i = 0; i < 20; i++) await send(c.url, 3);
    const stats = await c.close();
    const files = collectorFiles(dir);
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(files.length >= Math.ceil(total / 4096) && files.length > 2, `${files.length} files for ${total} bytes`);
    for (const f of files) assert.ok(statSync(f).size <= 4096, `${f}: ${statSync(f).size} bytes`);
    const rotations = events.filter((e) => e.type === 'rotated');
    assert.equal(rotations.length, files.length - 1);
    const set = await readTraceFiles(files);
    assert.equal(set.traces.reduce((n, t) => n + t.spans.length, 0), 60);
    assert.equal(stats.accepted.traces, 60);
    // Names sort by start time, and the viewer's suffix.
    for (const f of files) assert.match(f, /traces-\d{8}T\d{6}Z-\d{4}\.otlp\.jsonl$/);
  });

  it('rotates by time with an injected clock', async () => {
    let now = Date.parse('2026-11-26T16:30:00Z');
    const events: CollectorEvent[] = [];
    const c = await startCollector({ port: 0, outDir: dir, rotateMs: 60 * 60 * 1000, now: () => now }, (e) => events.push(e));
    await send(c.url);
    now += 30 * 60 * 1000;
    await send(c.url);
    assert.equal(collectorFiles(dir).length, 1, 'half an hour: same file');
    now += 31 * 60 * 1000;
    await send(c.url);
    await c.close();
    const names = collectorFiles(dir).map((f) => f.slice(dir.length + 1));
    assert.equal(names.length, 2);
    assert.match(names[0] as string, /^traces-20261126T163000Z-\d{4}\.otlp\.jsonl$/);
    assert.match(names[1] as string, /^traces-20261126T173100Z-\d{4}\.otlp\.jsonl$/);
    const rotated = events.find((e) => e.type === 'rotated');
    assert.ok(rotated && rotated.type === 'rotated' && rotated.signal === 'traces');
  });

  it('retention removes old rotated files only: never the current file, never other files', async () => {
    const day = 86_400_000;
    const now = Date.now();
    // A previous run's files, 10 and 2 days old, and a file that is not the collector's.
    const old = join(dir, 'traces-20261110T000000Z-0001.otlp.jsonl');
    const recent = join(dir, 'traces-20261124T000000Z-0001.otlp.jsonl');
    const foreign = join(dir, 'notes.otlp.jsonl');
    for (const f of [old, recent, foreign]) writeFileSync(f, '{"resourceSpans":[]}\n');
    utimesSync(old, new Date(now - 10 * day), new Date(now - 10 * day));
    utimesSync(recent, new Date(now - 2 * day), new Date(now - 2 * day));
    utimesSync(foreign, new Date(now - 30 * day), new Date(now - 30 * day));
    const events: CollectorEvent[] = [];
    let clock = now;
    const c = await startCollector({ port: 0, outDir: dir, retentionMs: 7 * day, rotateBytes: 2000, now: () => clock }, (e) => events.push(e));
    await send(c.url);
    // Retention runs at start and after each rotation, in the background.
    for (let i = 0; i < 50 && events.filter((e) => e.type === 'removed').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    let left = readdirSync(dir);
    assert.ok(!left.includes('traces-20261110T000000Z-0001.otlp.jsonl'), 'the 10-day-old file is removed');
    assert.ok(left.includes('traces-20261124T000000Z-0001.otlp.jsonl'), 'the 2-day-old file stays');
    assert.ok(left.includes('notes.otlp.jsonl'), 'a file that is not the collector’s stays');
    const removed = events.find((e) => e.type === 'removed');
    assert.ok(removed?.type === 'removed' && removed.file === old && /older than the retention of 7 days/.test(removed.reason), JSON.stringify(removed));

    // Eight days later (the clock), a rotation: the 2-day-old file is now 10 days old; the current file stays.
    clock = now + 8 * day;
    for (let i = 0; i < 10; i++) await send(c.url, 4);
    await new Promise((r) => setTimeout(r, 200));
    const current = c.stats().files.traces as string;
    await c.close();
    left = readdirSync(dir);
    assert.ok(!left.includes('traces-20261124T000000Z-0001.otlp.jsonl'));
    assert.ok(left.includes(current.slice(dir.length + 1)), 'the file being written is never removed');
    assert.ok(left.includes('notes.otlp.jsonl'));
  });

  it('retention by total size removes the oldest rotated files first', async () => {
    const events: CollectorEvent[] = [];
    const c = await startCollector({ port: 0, outDir: dir, rotateBytes: 3000, maxTotalBytes: 8000, retentionMs: 0 }, (e) => events.push(e));
    for (let i = 0; i < 30; i++) await send(c.url, 2);
    await new Promise((r) => setTimeout(r, 200));
    await c.close();
    const files = collectorFiles(dir);
    const total = files.reduce((s, f) => s + statSync(f).size, 0);
    assert.ok(total <= 8000 + 3000, `total ${total}`);
    const removed = events.filter((e) => e.type === 'removed').map((e) => (e.type === 'removed' ? e.file : ''));
    assert.ok(removed.length > 0);
    // The oldest went first: every kept file is newer than every removed one.
    const newestRemoved = [...removed].sort().at(-1) as string;
    for (const f of files) assert.ok(f > newestRemoved, `${f} kept, ${newestRemoved} removed`);
  });

  it('a restart writes to a new file: a half-written last line of the previous run stays where it is', async () => {
    const c1 = await startCollector({ port: 0, outDir: dir });
    await send(c1.url, 2);
    await c1.close();
    const [first] = collectorFiles(dir);
    writeFileSync(first as string, '{"resourceSpans":[{"scopeSp', { flag: 'a' }); // a crash mid-write
    const c2 = await startCollector({ port: 0, outDir: dir });
    await send(c2.url, 3);
    await c2.close();
    const files = collectorFiles(dir);
    assert.equal(files.length, 2);
    const set = await readTraceFiles(files);
    assert.equal(set.traces.reduce((n, t) => n + t.spans.length, 0), 5);
    assert.deepEqual(set.diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.ok(set.diagnostics.some((d) => d.code === 'truncated-line' && d.file === first));
  });
});
