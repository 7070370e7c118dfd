import * as assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../../src/core/diagnostics';
import { decodeId } from '../../../../src/core/otlp/ids';
import { countMetricDataPoints, logsFromResourceLogs, severityNumber, spanKind, spansFromResourceSpans, statusCode, type NormalizeContext } from '../../../../src/core/otlp/normalize';
import { anyValue, attributes, doubleValue, int64Value, nanos, type Json } from '../../../../src/core/otlp/values';

function ctx(): NormalizeContext {
  return { file: 'mem.json', line: 7, diag: new DiagnosticSink('mem.json'), warnedImprecise: false };
}

describe('core/otlp/normalize', () => {
  describe('ids', () => {
    it('lowercases hex of the right length', () => {
      assert.deepEqual(decodeId('5B8EFFF798038103D269B633813FC60C', 'trace'), { id: '5b8efff798038103d269b633813fc60c', ok: true });
      assert.deepEqual(decodeId('EEE19B7EC3C1B174', 'span'), { id: 'eee19b7ec3c1b174', ok: true });
    });

    it('decodes base64 (padded, unpadded, url-safe) of 16 and 8 bytes to hex', () => {
      assert.deepEqual(decodeId('T6nh/mMkIONaoHewS9UWIw==', 'trace'), { id: Buffer.from('T6nh/mMkIONaoHewS9UWIw==', 'base64').toString('hex'), ok: true });
      assert.equal(decodeId('T6nh_mMkIONaoHewS9UWIw', 'trace').id, '4fa9e1fe632420e35aa077b04bd51623');
      assert.deepEqual(decodeId('7uGbfsPBsXQ=', 'span'), { id: 'eee19b7ec3c1b174', ok: true });
    });

    it('treats empty or missing ids as absent and keeps anything else raw, flagged', () => {
      assert.deepEqual(decodeId('', 'span'), { id: '', ok: true });
      assert.deepEqual(decodeId(undefined, 'trace'), { id: '', ok: true });
      assert.deepEqual(decodeId('abc', 'span'), { id: 'abc', ok: false });
      assert.deepEqual(decodeId('0123456789abcdef', 'trace'), { id: '0123456789abcdef', ok: false });
      assert.deepEqual(decodeId(42, 'span'), { id: '42', ok: false });
    });
  });

  describe('values', () => {
    it('keeps int64 beyond 2^53 as an exact decimal string and smaller ones as numbers', () => {
      assert.equal(int64Value('9007199254740993'), '9007199254740993');
      assert.equal(int64Value('-9223372036854775808'), '-9223372036854775808');
      assert.equal(int64Value('10'), 10);
      assert.equal(int64Value(12), 12);
      assert.equal(anyValue({ intValue: '9007199254740993' }), '9007199254740993');
    });

    it('decodes doubles, including the NaN and Infinity strings', () => {
      assert.equal(doubleValue(1.5), 1.5);
      assert.ok(Number.isNaN(doubleValue('NaN')));
      assert.equal(doubleValue('Infinity'), Infinity);
      assert.equal(doubleValue('-Infinity'), -Infinity);
      assert.equal(doubleValue('2.5'), 2.5);
    });

    it('turns every AnyValue kind into plain data, camelCase or snake_case', () => {
      const v = anyValue({
        kvlistValue: {
          values: [
            { key: 's', value: { stringValue: 'x' } },
            { key: 'b', value: { bool_value: true } },
            { key: 'i', value: { int_value: 3 } },
            { key: 'd', value: { doubleValue: 0.5 } },
            { key: 'a', value: { arrayValue: { values: [{ stringValue: 'y' }, {}] } } },
            { key: 'bytes', value: { bytesValue: 'AQID' } },
            { key: 'empty', value: {} },
          ],
        },
      });
      assert.deepEqual(v, { s: 'x', b: true, i: 3, d: 0.5, a: ['y', null], bytes: 'AQID', empty: null });
    });

    it('never lets a "__proto__" key change the prototype', () => {
      const attrs = attributes([{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }]);
      assert.equal(Object.getPrototypeOf(attrs), Object.prototype);
      assert.deepEqual(Object.keys(attrs), ['__proto__']);
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    });

    it('stops at absurd nesting instead of overflowing the stack', () => {
      let v: Json = { stringValue: 'leaf' };
      for (let i = 0; i < 10_000; i++) v = { arrayValue: { values: [v] } };
      assert.doesNotThrow(() => anyValue(v));
    });

    it('reads nanosecond times as bigint from strings exactly and flags numbers beyond 2^53', () => {
      assert.deepEqual(nanos('1544712660000000001'), { ns: 1544712660000000001n, ok: true, imprecise: false });
      assert.deepEqual(nanos(1000), { ns: 1000n, ok: true, imprecise: false });
      assert.equal(nanos(2 ** 60 + 2 ** 8)?.imprecise, true);
      assert.equal(nanos('soon')?.ok, false);
      assert.equal(nanos(undefined), undefined);
    });
  });

  describe('enums', () => {
    it('accepts ints, full names and short names', () => {
      assert.equal(spanKind(2), 'server');
      assert.equal(spanKind('SPAN_KIND_CLIENT'), 'client');
      assert.equal(spanKind('INTERNAL'), 'internal');
      assert.equal(spanKind(99), 'unspecified');
      assert.equal(statusCode('STATUS_CODE_ERROR'), 'error');
      assert.equal(statusCode(1), 'ok');
      assert.equal(statusCode(undefined), 'unset');
      assert.equal(severityNumber('SEVERITY_NUMBER_WARN2'), 14);
      assert.equal(severityNumber(9), 9);
      assert.equal(severityNumber('INFO'), 9);
    });
  });

  describe('spans', () => {
    it('reads snake_case keys, enum names and the old instrumentationLibrarySpans', () => {
      const c = ctx();
      const spans = spansFromResourceSpans(
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'svc' } }] },
          instrumentation_library_spans: [
            {
              instrumentation_library: { name: 'lib', version: '1.0' },
              spans: [
                {
                  trace_id: '0102030405060708090a0b0c0d0e0f10',
                  span_id: '0102030405060708',
                  parent_span_id: '',
                  name: 'op',
                  kind: 'SPAN_KIND_PRODUCER',
                  start_time_unix_nano: '100',
                  end_time_unix_nano: '250',
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  events: [{ time_unix_nano: '120', name: 'e', attributes: [] }],
                  links: [{ trace_id: 'AQIDBAUGBwgJCgsMDQ4PEA==', span_id: 'AQIDBAUGBwg=' }],
                },
              ],
            },
          ],
        },
        c,
      );
      assert.equal(spans.length, 1);
      const s = spans[0];
      assert.ok(s);
      assert.equal(s.resource.serviceName, 'svc');
      assert.deepEqual(s.scope, { name: 'lib', version: '1.0' });
      assert.equal(s.parentSpanId, undefined);
      assert.equal(s.kind, 'producer');
      assert.equal(s.startNs, 100n);
      assert.equal(s.endNs, 250n);
      assert.deepEqual(s.status, { code: 'error', message: 'boom' });
      assert.deepEqual(s.events, [{ name: 'e', timeNs: 120n, attributes: {} }]);
      assert.deepEqual(s.links, [{ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', attributes: {} }]);
      assert.deepEqual(s.source, { file: 'mem.json', line: 7 });
      assert.deepEqual(c.diag.finish(), []);
    });

    it('clamps an end before the start and flags bad ids, each as a warning on the line', () => {
      const c = ctx();
      const [s] = spansFromResourceSpans({ scopeSpans: [{ spans: [{ traceId: 'nope', spanId: '0102030405060708', name: 'x', startTimeUnixNano: '500', endTimeUnixNano: '400' }] }] }, c);
      assert.ok(s);
      assert.equal(s.endNs, 500n);
      assert.equal(s.traceId, 'nope');
      assert.equal(s.resource.serviceName, 'unknown_service');
      assert.deepEqual(
        c.diag.finish().map((d) => [d.code, d.severity, d.line]),
        [
          ['bad-id', 'warning', 7],
          ['bad-time', 'warning', 7],
        ],
      );
    });

    it('says once per file that numeric times lost precision', () => {
      const c = ctx();
      const span = { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', startTimeUnixNano: 1.7e18, endTimeUnixNano: 1.7e18 + 1024 };
      spansFromResourceSpans({ scopeSpans: [{ spans: [span, { ...span, spanId: '0102030405060709' }] }] }, c);
      assert.deepEqual(
        c.diag.finish().map((d) => d.code),
        ['imprecise-time'],
      );
    });
  });

  describe('logs and metrics', () => {
    it('reads log records with their span ids and counts metric data points', () => {
      const c = ctx();
      const logs = logsFromResourceLogs(
        { scopeLogs: [{ logRecords: [{ timeUnixNano: '5', severityNumber: 'SEVERITY_NUMBER_ERROR', eventName: 'gen_ai.choice', spanId: '0102030405060708', body: { stringValue: 'hi' } }] }] },
        c,
      );
      assert.deepEqual(logs, [{ traceId: '', spanId: '0102030405060708', log: { timeNs: 5n, severityNumber: 17, eventName: 'gen_ai.choice', body: 'hi', attributes: {} } }]);
      assert.equal(countMetricDataPoints({ scope_metrics: [{ metrics: [{ sum: { data_points: [{}, {}] } }, { gauge: { dataPoints: [{}] } }, { histogram: {} }] }] }), 3);
    });
  });
});
