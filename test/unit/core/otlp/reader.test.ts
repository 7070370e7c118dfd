import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { InputError, isInputError } from '../../../../src/core/errors';
import type { Span, Trace, TraceSet } from '../../../../src/core/otlp/model';
import { readTraceFiles, readTraceStream, readTraceText } from '../../../../src/core/otlp/reader';
import { corpusFile } from '../../corpus';

const otlp = (name: string): string => corpusFile('otlp', name);
const spanCount = (set: TraceSet): number => set.traces.reduce((n, t) => n + t.spans.length, 0);
const allSpans = (set: TraceSet): Span[] => set.traces.flatMap((t) => t.spans);
const codes = (set: TraceSet): string[] => set.diagnostics.map((d) => d.code);

/** A Readable that hands out `size`-byte chunks, to cut tokens, strings and UTF-8 characters anywhere. */
function chunked(text: string, size: number): Readable {
  const buf = Buffer.from(text);
  let at = 0;
  return new Readable({
    read() {
      this.push(at < buf.length ? buf.subarray(at, (at += size)) : null);
    },
  });
}

function doc(spans: object[], extra: object = {}): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }], ...extra });
}

const T = '0af7651916cd43dd8448eb211c80319c';
const s = (id: number, parent?: number, start = 1000 + id): object => ({
  traceId: T,
  spanId: id.toString(16).padStart(16, '0'),
  parentSpanId: parent === undefined ? '' : parent.toString(16).padStart(16, '0'),
  name: `op${id}`,
  startTimeUnixNano: String(start),
  endTimeUnixNano: String(start + 100),
});

describe('core/otlp/reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentops-otlp-'));

  describe('the real files of the shared corpus', () => {
    it('otel-tui_test_data.jsonl: 97 mixed-signal lines, 547 spans in 141 traces, 23 logs, metrics counted', async () => {
      const file = otlp('otel-tui_test_data.jsonl');
      const set = await readTraceFiles([file]);
      assert.equal(spanCount(set), 547);
      assert.equal(set.traces.length, 141);
      assert.equal(set.logRecords, 23);
      // 2650 metrics carrying 4551 data points.
      assert.equal(set.metricDataPoints, 4551);
      assert.deepEqual(codes(set), ['orphan']);
      assert.equal(set.diagnostics[0]?.line, 92);
      assert.deepEqual(set.files, [file]);
      const lines = new Set(allSpans(set).map((x) => x.source.line));
      assert.ok([...lines].every((l) => l >= 1 && l <= 97));
      // Traces are split across lines, and correlated logs reach their spans.
      assert.ok(set.traces.some((t) => new Set(t.spans.map((x) => x.source.line)).size > 1));
      assert.equal(
        allSpans(set).reduce((n, x) => n + x.logs.length, 0),
        13,
      );
      for (let i = 1; i < set.traces.length; i++) assert.ok((set.traces[i - 1] as Trace).startNs <= (set.traces[i] as Trace).startNs);
    });

    it('the CONVERTED genai trace: one pretty-printed document, 57 spans in one tree over 10 services', async () => {
      const set = await readTraceFiles([otlp('jaeger-ui_genaiTestTrace.CONVERTED.otlp.json')]);
      assert.equal(set.traces.length, 1);
      const [t] = set.traces;
      assert.ok(t);
      assert.equal(t.spans.length, 57);
      assert.equal(t.roots.length, 1);
      assert.deepEqual(t.orphans, []);
      assert.equal(new Set(t.spans.map((x) => x.resource.serviceName)).size, 10);
      assert.equal(t.spans.filter((x) => x.status.code === 'error').length, 1);
      assert.equal(t.spans[0]?.name, 'POST /api/graphql');
      assert.equal(t.spans[0]?.kind, 'server');
      assert.deepEqual(set.diagnostics, []);
    });

    it('the multi-in jsonl: one trace over 4 lines, children before parents', async () => {
      const set = await readTraceFiles([otlp('jaeger-ui_otlp2jaeger-multi-in.jsonl')]);
      assert.equal(set.traces.length, 1);
      const [t] = set.traces;
      assert.ok(t);
      assert.equal(t.spans.length, 4);
      assert.equal(new Set(t.spans.map((x) => x.source.line)).size, 4);
      assert.equal(t.roots.length, 1);
      const root = t.spans[t.roots[0] as number] as Span;
      assert.equal(root.parentSpanId, undefined);
      assert.ok(t.spans.every((x) => x === root || x.source.line < root.source.line), 'the root is written last');
      assert.deepEqual(t.orphans, []);
      assert.deepEqual(set.diagnostics, []);
    });

    it('examples/trace.json: uppercase hex becomes lowercase, and the span is an orphan', async () => {
      const set = await readTraceFiles([otlp('otel-proto_examples_trace.json')]);
      const [t] = set.traces;
      assert.ok(t);
      const span = t.spans[0] as Span;
      assert.equal(span.traceId, '5b8efff798038103d269b633813fc60c');
      assert.equal(span.spanId, 'eee19b7ec3c1b174');
      assert.equal(span.parentSpanId, 'eee19b7ec3c1b173');
      assert.equal(span.kind, 'server');
      assert.equal(span.startNs, 1544712660000000000n);
      assert.equal(span.endNs, 1544712661000000000n);
      assert.deepEqual(span.attributes, { 'my.span.attr': 'some value' });
      assert.deepEqual(span.scope, { name: 'my.library', version: '1.0.0' });
      assert.deepEqual(t.orphans, [0]);
      assert.deepEqual(t.roots, [0]);
      assert.deepEqual(
        set.diagnostics.map((d) => [d.code, d.severity, d.line]),
        [['orphan', 'info', 3]],
      );
    });

    it('file-exporter traces: empty ids, events, links and error status over 4 lines', async () => {
      const set = await readTraceFiles([otlp('otel-spec_file-exporter_traces.jsonl')]);
      assert.equal(spanCount(set), 8);
      const spans = allSpans(set);
      assert.ok(spans.every((x) => x.traceId === '' && x.spanId === '' && x.parentSpanId === undefined));
      const a = spans.find((x) => x.name === 'operationA') as Span;
      assert.deepEqual(a.status, { code: 'error', message: 'status-cancelled' });
      assert.equal(a.events.length, 2);
      assert.deepEqual(a.events[0]?.attributes, { 'span-event-attr': 'span-event-attr-val' });
      const b = spans.find((x) => x.name === 'operationB') as Span;
      assert.equal(b.links.length, 2);
      assert.deepEqual(b.links[0], { traceId: '', spanId: '', attributes: { 'span-link-attr': 'span-link-attr-val' } });
      assert.deepEqual(b.status, { code: 'unset' });
      assert.ok(codes(set).every((c) => c === 'missing-id'));
      assert.deepEqual([...new Set(set.diagnostics.map((d) => d.line))], [1, 2, 3, 4]);
    });

    it('jaeger otlp2jaeger-in.json: the same span twice is kept once, with a warning naming both lines', async () => {
      const set = await readTraceFiles([otlp('jaeger-ui_otlp2jaeger-in.json')]);
      assert.equal(spanCount(set), 1);
      assert.deepEqual(allSpans(set)[0]?.status, { code: 'unset' });
      const dup = set.diagnostics.find((d) => d.code === 'duplicate-span');
      assert.ok(dup);
      assert.equal(dup.line, 3);
      assert.deepEqual(codes(set).sort(), ['duplicate-span', 'orphan']);
    });

    it('logs, events and metrics examples: counted, and a log attached to its span across files', async () => {
      const logs = await readTraceFiles([otlp('otel-proto_examples_logs.json'), otlp('otel-proto_examples_events.json'), otlp('otel-spec_file-exporter_logs.jsonl')]);
      assert.equal(logs.logRecords, 10);
      assert.equal(logs.traces.length, 0);
      assert.deepEqual(logs.diagnostics, []);
      const metrics = await readTraceFiles([otlp('otel-proto_examples_metrics.json')]);
      assert.equal(metrics.metricDataPoints, 4);
      const both = await readTraceFiles([otlp('otel-proto_examples_trace.json'), otlp('otel-proto_examples_logs.json')]);
      const [log] = allSpans(both)[0]?.logs ?? [];
      assert.ok(log);
      assert.equal(log.severityText, 'Information');
      assert.equal(log.severityNumber, 10);
      assert.equal(log.body, 'Example log record');
      assert.deepEqual(log.attributes['int.attribute'], 10);
      assert.deepEqual(log.attributes['array.attribute'], ['many', 'values']);
      assert.deepEqual(log.attributes['map.attribute'], { 'some.map.key': 'some value' });
    });
  });

  describe('shapes and dialects', () => {
    it('reads base64 ids, enum names, snake_case and int64 beyond 2^53', () => {
      const text = JSON.stringify({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: 'T6nh/mMkIONaoHewS9UWIw==',
                    span_id: '7uGbfsPBsXQ=',
                    kind: 'SPAN_KIND_CLIENT',
                    start_time_unix_nano: '1700000000000000001',
                    end_time_unix_nano: '1700000000000000002',
                    status: { code: 'STATUS_CODE_OK' },
                    attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
                  },
                ],
              },
            ],
          },
        ],
      });
      const set = readTraceText(text, 'mem.json');
      const span = allSpans(set)[0] as Span;
      assert.equal(span.traceId, '4fa9e1fe632420e35aa077b04bd51623');
      assert.equal(span.spanId, 'eee19b7ec3c1b174');
      assert.equal(span.kind, 'client');
      assert.equal(span.status.code, 'ok');
      assert.equal(span.startNs, 1700000000000000001n);
      assert.equal(span.attributes.big, '9007199254740993');
      assert.deepEqual(set.diagnostics, []);
    });

    it('reads the old instrumentationLibrarySpans key', () => {
      const set = readTraceText(JSON.stringify({ resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [s(1)] }] }] }), 'old.json');
      assert.equal(allSpans(set)[0]?.scope.name, 'old');
    });

    it('reads a JSON array of documents, and mixed signals in one document', () => {
      const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ spanId: '0000000000000001', body: { stringValue: 'hello' } }] }] }] };
      const text = JSON.stringify([JSON.parse(doc([s(1)])), { ...JSON.parse(doc([s(2, 1)])), ...logs, resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{}] } }] }] }] }], null, 2);
      const set = readTraceText(text, 'array.json');
      assert.equal(spanCount(set), 2);
      assert.equal(set.logRecords, 1);
      assert.equal(set.metricDataPoints, 1);
      assert.equal(set.traces[0]?.spans[0]?.logs[0]?.body, 'hello');
      assert.deepEqual(set.diagnostics, []);
    });

    it('reads concatenated pretty-printed documents (not line-delimited)', () => {
      const one = JSON.stringify(JSON.parse(doc([s(1)])), null, 2);
      const two = JSON.stringify(JSON.parse(doc([s(2, 1)])), null, 2);
      const set = readTraceText(`${one}\n${two}\n`, 'concat.json');
      assert.equal(spanCount(set), 2);
      assert.deepEqual(set.traces[0]?.roots, [0]);
      // The second document starts on the line after the first; its resourceSpans element two lines below.
      assert.equal(allSpans(set)[1]?.source.line, one.split('\n').length + 3);
    });

    it('treats a half-written last line as normal: an info diagnostic, the rest loads', () => {
      const full = `${doc([s(1)])}\n${doc([s(2, 1)])}\n`;
      const set = readTraceText(full + doc([s(3, 1)]).slice(0, 60), 'live.jsonl');
      assert.equal(spanCount(set), 2);
      assert.deepEqual(
        set.diagnostics.map((d) => [d.code, d.severity, d.line]),
        [['truncated-line', 'info', 3]],
      );
    });

    it('skips a broken middle line with an error on that line and keeps the next', () => {
      const set = readTraceText(`${doc([s(1)])}\n${doc([s(2, 1)]).slice(0, 80)}\n${doc([s(3, 1)])}\n`, 'broken.jsonl');
      assert.equal(spanCount(set), 2);
      assert.deepEqual(
        set.diagnostics.map((d) => [d.code, d.severity, d.line]),
        [['invalid-json', 'error', 2]],
      );
    });

    it('flags non-OTLP JSON and empty files without failing', () => {
      assert.deepEqual(codes(readTraceText('{"data":[{"traceID":"x"}]}', 'jaeger.json')), ['unknown-shape']);
      assert.deepEqual(codes(readTraceText('  \n', 'empty.json')), ['empty-file']);
      assert.deepEqual(codes(readTraceText('hello\n', 'text.txt')), ['invalid-json']);
    });

    it('warns once per file when numeric times have lost precision', () => {
      const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${T}","spanId":"0000000000000001","startTimeUnixNano":1700000000000000001,"endTimeUnixNano":1700000000000000999}]}]}]}`;
      const set = readTraceText(`${text}\n${text.replace('0000000000000001', '0000000000000002')}\n`, 'num.jsonl');
      assert.deepEqual(codes(set), ['imprecise-time']);
    });
  });

  describe('streaming', () => {
    const genai = readFileSync(otlp('jaeger-ui_genaiTestTrace.CONVERTED.otlp.json'), 'utf8');

    it('streams a pretty-printed single document in 7-byte chunks with the same result and element line numbers', async () => {
      const whole = readTraceText(genai, 'g.json');
      const streamed = await readTraceStream(chunked(genai, 7), 'g.json');
      assert.deepEqual(streamed, whole);
      const lines = genai.split('\n');
      // Each span's line is where its resourceSpans element starts: a line holding just "{" at the element's indent.
      for (const x of allSpans(streamed)) assert.equal(lines[x.source.line - 1], '    {');
    });

    it('gives the same result for JSON Lines in 7-byte chunks with multi-byte characters', async () => {
      const text = `${doc([{ ...s(1), name: 'héllo €' }])}\n${doc([s(2, 1)])}\n`;
      assert.deepEqual(await readTraceStream(chunked(text, 7), 'm.jsonl'), readTraceText(text, 'm.jsonl'));
      assert.equal(readTraceText(text, 'm.jsonl').traces[0]?.spans[0]?.name, 'héllo €');
    });

    it('reads a pretty-printed document from a real file, plain and gzipped (with or without .gz)', async () => {
      const plain = join(dir, 'g.json');
      writeFileSync(plain, genai);
      const gz = join(dir, 'g.json.gz');
      writeFileSync(gz, gzipSync(genai));
      const disguised = join(dir, 'g-gz.json');
      writeFileSync(disguised, gzipSync(genai));
      const expected = readTraceText(genai, plain);
      assert.deepEqual(await readTraceFiles([plain]), expected);
      for (const f of [gz, disguised]) {
        const set = await readTraceFiles([f]);
        assert.equal(spanCount(set), 57);
        assert.deepEqual(set.traces[0]?.spans.map((x) => x.source.line), expected.traces[0]?.spans.map((x) => x.source.line));
      }
    });

    it('reports progress of the bytes read, and the total', async () => {
      const file = otlp('otel-tui_test_data.jsonl');
      const seen: [number, number][] = [];
      await readTraceFiles([file], { onProgress: (p) => seen.push([p.bytesRead, p.bytesTotal]) });
      assert.ok(seen.length >= 3, `${seen.length} progress reports`);
      assert.deepEqual(seen.at(-1), [2323119, 2323119]);
      for (let i = 1; i < seen.length; i++) assert.ok((seen[i] as [number, number])[0] >= (seen[i - 1] as [number, number])[0]);
    });

    it('rejects with an AbortError when aborted before or during reading', async () => {
      const file = otlp('otel-tui_test_data.jsonl');
      const before = new AbortController();
      before.abort();
      await assert.rejects(readTraceFiles([file], { signal: before.signal }), { name: 'AbortError' });
      const during = new AbortController();
      await assert.rejects(readTraceFiles([file], { signal: during.signal, onProgress: () => during.abort() }), { name: 'AbortError' });
    });

    it('throws an InputError only for a file that cannot be read at all', async () => {
      await assert.rejects(readTraceFiles([join(dir, 'missing.jsonl')]), (err: unknown) => err instanceof InputError && isInputError(err) && /no such file/.test(err.message));
      const sub = join(dir, 'sub');
      mkdirSync(sub, { recursive: true });
      await assert.rejects(readTraceFiles([sub]), InputError);
    });

    it('keeps what was read before a corrupt gzip stream fails', async () => {
      const tui = readFileSync(otlp('otel-tui_test_data.jsonl'));
      const gz = gzipSync(tui);
      const cut = join(dir, 'cut.jsonl.gz');
      writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
      const set = await readTraceFiles([cut]);
      assert.ok(spanCount(set) > 0);
      assert.ok(codes(set).includes('read-error'));
    });
  });

  describe('fuzzing real files', () => {
    const names = ['otel-tui_test_data.jsonl', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json', 'jaeger-ui_otlp2jaeger-multi-in.jsonl', 'otel-spec_file-exporter_traces.jsonl', 'otel-proto_examples_logs.json'];
    const texts = names.map((n) => readFileSync(otlp(n), 'utf8'));
    // The big file is cut to its first ~40 lines so that many runs stay fast.
    texts[0] = (texts[0] as string).split('\n').slice(0, 40).join('\n');

    function check(set: TraceSet, text: string): void {
      const lines = text.split('\n').length;
      for (const d of set.diagnostics) {
        if (d.code === 'suppressed') continue;
        assert.ok(d.line !== undefined && d.line >= 1 && d.line <= lines, `${d.code} at line ${d.line} of ${lines}`);
      }
      for (const x of allSpans(set)) assert.ok(x.source.line >= 1 && x.source.line <= lines);
    }

    it('never throws on random truncation, and every diagnostic has a line', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: texts.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (k, at) => {
          const text = texts[k] as string;
          const cut = text.slice(0, Math.floor(text.length * at));
          check(readTraceText(cut, 'cut.json'), cut);
        }),
        { numRuns: 150 },
      );
    });

    it('never throws on random byte corruption', () => {
      const bytes = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', 'x', '0', ' ', '\u0000', 'é')), { minLength: 1, maxLength: 8 });
      fc.assert(
        fc.property(fc.integer({ min: 0, max: texts.length - 1 }), bytes, (k, edits) => {
          const chars = [...(texts[k] as string)];
          for (const [at, ch] of edits) chars[Math.floor(at * (chars.length - 1))] = ch;
          const text = chars.join('');
          check(readTraceText(text, 'bad.json'), text);
        }),
        { numRuns: 150 },
      );
    });

    it('never throws on corrupt gzip or streamed corruption, only diagnostics', async () => {
      const gz = gzipSync(texts[1] as string);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 10, max: gz.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 64 }), async (at, byte, size) => {
          const bad = Buffer.from(gz);
          bad[at] = byte;
          const file = join(dir, 'fuzz.json.gz');
          writeFileSync(file, bad);
          await readTraceFiles([file]);
          const text = (texts[1] as string).slice(0, at * 10);
          await readTraceStream(chunked(text, size), 'chunks.json');
        }),
        { numRuns: 40 },
      );
    });
  });
});
