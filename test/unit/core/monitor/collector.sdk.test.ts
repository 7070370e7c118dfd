import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startCollector, type CollectorHandle } from '../../../../src/core/monitor/collector/index';
import { readTraceFiles } from '../../../../src/core/otlp/reader';
import { collectorFiles, gc, tempDir } from './collectorHelpers';

/**
 * Real OpenTelemetry JS SDK exporters (OTLP/HTTP JSON and protobuf, half of each gzip-compressed) against
 * the collector: 20 exporters × 10,000 spans at once. Every span must be in the files exactly once, and
 * the heap must stay bounded.
 */

type ExporterConfig = NonNullable<ConstructorParameters<typeof JsonExporter>[0]>;

describe('collector: 20 real OTel SDK exporters × 10,000 spans', function () {
  this.timeout(120_000);
  let dir: string;
  let collector: CollectorHandle | undefined;

  before(() => {
    dir = tempDir('collector-sdk');
  });
  after(async () => {
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every span exactly once (JSON and protobuf, plain and gzip), with the heap bounded', async () => {
    const exporters = 20;
    const perExporter = 10_000;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    collector = await startCollector({ port: 0, outDir: dir });
    const url = `${collector.url}/v1/traces`;
    let peakHeap = heapBefore;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);

    const expected = new Set<string>();
    const kinds: string[] = [];
    const run = async (i: number): Promise<void> => {
      const proto = i % 2 === 1;
      const gzip = i % 4 >= 2;
      kinds.push(`${proto ? 'protobuf' : 'json'}${gzip ? '+gzip' : ''}`);
      const config: ExporterConfig = { url, ...(gzip ? { compression: 'gzip' as ExporterConfig['compression'] } : {}) };
      const exporter = proto ? new ProtoExporter(config) : new JsonExporter(config);
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': `agent-${i}`, 'service.version': `v${i % 3}` }),
        spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: perExporter, maxExportBatchSize: 500, scheduledDelayMillis: 20 })],
      });
      const tracer = provider.getTracer('load');
      for (let j = 0; j < perExporter; j++) {
        const span = tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, n: j } });
        span.end();
        const c = span.spanContext();
        expected.add(`${c.traceId}/${c.spanId}`);
        // Let the processor export while spans are still being made, as in real use.
        if (j % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      await provider.forceFlush();
      await provider.shutdown();
    };
    await Promise.all(Array.from({ length: exporters }, (_, i) => run(i)));
    clearInterval(sampler);
    const stats = await collector.close();
    collector = undefined;
    assert.equal(expected.size, exporters * perExporter);
    assert.equal(stats.accepted.traces, exporters * perExporter, JSON.stringify(stats));
    assert.equal(stats.rejected.traces, 0);

    const files = collectorFiles(dir);
    const set = await readTraceFiles(files);
    const seen = new Set<string>();
    let total = 0;
    for (const t of set.traces) {
      for (const s of t.spans) {
        total++;
        seen.add(`${s.traceId}/${s.spanId}`);
      }
    }
    assert.equal(total, exporters * perExporter, 'every span once: no more');
    assert.equal(seen.size, exporters * perExporter, 'no duplicates');
    for (const id of expected) if (!seen.has(id)) assert.fail(`span ${id} is missing`);
    assert.deepEqual(set.diagnostics.filter((d) => d.severity === 'error'), []);

    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    const mb = (b: number): number => Math.round(b / 1024 / 1024);
    console.log(`      (${[...new Set(kinds)].join(', ')}; heap ${mb(heapBefore)} MB before, peak ${mb(peakHeap)} MB, ${mb(heapAfter)} MB after; ${files.length} file(s), ${stats.requests} requests)`);
    // Generous: the SDK's own 200k spans and the read-back model live in this same heap.
    assert.ok(peakHeap - heapBefore < 1024 * 1024 * 1024, `peak heap grew by ${mb(peakHeap - heapBefore)} MB`);
  });
});
