import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { startCollectorInWorker } from '../src/core/monitor/collector/index';

/**
 * Collector benchmark (BENCH_ONLY=collector): spans/s ingested over OTLP/HTTP (JSON, protobuf, and
 * protobuf+gzip), each request answered only once durable (write + fdatasync, group commit), against
 * the disk's own floor in the same run: appending the very same stored lines to a file with one
 * fdatasync each (what a collector without group commit could at best do). Also the process's peak RSS
 * under load. The collector runs on a worker thread, as in the editor; the load comes from this thread.
 * Runs under `npm run bench` (bundled; uses dist/lazy/collectorWorker.js) or `npx tsx bench/collector.ts`.
 */

const requests = Number(process.env.BENCH_COLLECTOR_REQUESTS ?? 400);
const spansPerRequest = Number(process.env.BENCH_COLLECTOR_SPANS ?? 250);
const concurrency = Number(process.env.BENCH_COLLECTOR_CONCURRENCY ?? 16);

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) || !existsSync(join(d, 'src'))) {
    const up = dirname(d);
    if (up === d) throw new Error('collector bench: the repository root was not found');
    d = up;
  }
  return d;
}

function workerPath(repo: string): string {
  if (__filename.endsWith('.ts')) return join(repo, 'src', 'core', 'monitor', 'collector', 'collectorWorker.ts');
  const p = join(repo, 'dist', 'lazy', 'collectorWorker.js');
  if (!existsSync(p)) throw new Error(`collector bench: ${p} is missing (run node esbuild.mjs)`);
  return p;
}

let idCounter = 0;
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0');

/** `requests` bodies of `spansPerRequest` GenAI spans, serialized by the OTel exporters' own serializer. */
function bodies(kind: 'json' | 'protobuf'): Buffer[] {
  const out: Buffer[] = [];
  const resource = { attributes: { 'service.name': 'bench', 'service.version': 'v1' } };
  for (let r = 0; r < requests; r++) {
    const spans = Array.from({ length: spansPerRequest }, () => {
      const n = ++idCounter;
      const traceId = `${hex(Math.floor(n / 8), 16)}${hex(0xbe0c, 16)}`;
      return {
        name: 'chat gpt-4o',
        kind: 2,
        spanContext: () => ({ traceId, spanId: hex(n, 16), traceFlags: 1 }),
        parentSpanContext: undefined,
        startTime: [1_764_000_000, n * 1000],
        endTime: [1_764_000_001, n * 1000],
        status: { code: n % 20 === 0 ? 2 : 1 },
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.response.finish_reasons': ['stop'] },
        links: [],
        events: [],
        duration: [1, 0],
        ended: true,
        resource,
        instrumentationScope: { name: 'bench', version: '1.0.0' },
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      };
    });
    const s = kind === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    out.push(Buffer.from(s.serializeRequest(spans as unknown as Parameters<typeof s.serializeRequest>[0]) as Uint8Array));
  }
  return out;
}

function send(agent: Agent, url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(body);
  });
}

interface Run {
  label: string;
  spansPerSec: number;
  ms: number;
  wireMb: number;
  peakRssMb: number;
}

async function ingest(label: string, list: Buffer[], headers: Record<string, string>, repo: string): Promise<{ run: Run; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'agentops-bench-collector-'));
  const h = await startCollectorInWorker({ port: 0, outDir: dir }, workerPath(repo));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${h.url}/v1/traces`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const body = list[next++] as Buffer;
        const status = await send(agent, url, body, headers);
        if (status !== 200) throw new Error(`${label}: HTTP ${status}`);
      }
    }),
  );
  const ms = performance.now() - t;
  clearInterval(sampler);
  agent.destroy();
  const stats = await h.close();
  if (stats.accepted.traces !== list.length * spansPerRequest) throw new Error(`${label}: ${stats.accepted.traces} spans stored, ${list.length * spansPerRequest} sent`);
  const wire = list.reduce((s, b) => s + b.length, 0);
  return { run: { label, ms, spansPerSec: (list.length * spansPerRequest) / (ms / 1000), wireMb: wire / 1024 / 1024, peakRssMb: peakRss / 1024 / 1024 }, dir };
}

/** The peer: the same stored lines appended one by one, each followed by fdatasync, as fast as the disk allows. */
async function appendAndSync(dir: string): Promise<{ ms: number; mb: number; lines: number }> {
  const lines = readdirSync(dir)
    .filter((n) => n.endsWith('.otlp.jsonl'))
    .flatMap((n) => readFileSync(join(dir, n)).toString().split('\n').filter((l) => l !== ''))
    .map((l) => Buffer.from(`${l}\n`));
  const target = join(dir, 'peer.jsonl');
  const fh = await open(target, 'a');
  const t = performance.now();
  for (const line of lines) {
    await fh.write(line);
    await fh.datasync();
  }
  const ms = performance.now() - t;
  await fh.close();
  return { ms, mb: lines.reduce((s, l) => s + l.length, 0) / 1024 / 1024, lines: lines.length };
}

export async function benchCollector(): Promise<void> {
  console.log('Collector (OTLP/HTTP → durable JSONL)\n');
  const repo = repoRoot();
  const total = requests * spansPerRequest;
  console.log(`  ${requests} requests × ${spansPerRequest} spans, ${concurrency} concurrent connections, every answer after fdatasync\n`);
  const json = bodies('json');
  const proto = bodies('protobuf');
  const protoGz = proto.map((b) => gzipSync(b));
  const runs: { run: Run; dir: string }[] = [];
  runs.push(await ingest('JSON', json, { 'content-type': 'application/json' }, repo));
  runs.push(await ingest('protobuf', proto, { 'content-type': 'application/x-protobuf' }, repo));
  runs.push(await ingest('protobuf+gzip', protoGz, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, repo));
  try {
    for (const { run, dir } of runs) {
      const peer = await appendAndSync(dir);
      const peerSpansPerSec = total / (peer.ms / 1000);
      console.log(`  ${run.label.padEnd(14)} ${Math.round(run.spansPerSec).toLocaleString('en-US').padStart(9)} spans/s  (${run.ms.toFixed(0)} ms, ${run.wireMb.toFixed(1)} MB on the wire, peak RSS ${run.peakRssMb.toFixed(0)} MB)`);
      console.log(`  ${'  disk floor'.padEnd(14)} ${Math.round(peerSpansPerSec).toLocaleString('en-US').padStart(9)} spans/s  (append + fdatasync of the same ${peer.lines} lines, ${peer.mb.toFixed(1)} MB: ${peer.ms.toFixed(0)} ms)`);
      console.log(`  ${'  ratio'.padEnd(14)} ${(run.spansPerSec / peerSpansPerSec).toFixed(2)}x the disk floor\n`);
    }
  } finally {
    for (const { dir } of runs) rmSync(dir, { recursive: true, force: true });
  }
  const mu = process.memoryUsage();
  console.log(`  this process now: RSS ${(mu.rss / 1024 / 1024).toFixed(0)} MB, heap ${(mu.heapUsed / 1024 / 1024).toFixed(0)} MB\n`);
}

// Run on its own from source (npx tsx bench/collector.ts); bundled into out/bench/run.js, run.ts calls it (once).
if (require.main === module && __filename.endsWith('.ts')) {
  benchCollector().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

