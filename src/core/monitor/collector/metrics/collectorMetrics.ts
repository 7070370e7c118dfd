import { DiagnosticSink } from '../../../diagnostics';
import { attrString, normalizeGenAi } from '../../../otlp/genai';
import type { Span } from '../../../otlp/model';
import { spansFromResourceSpans, type NormalizeContext } from '../../../otlp/normalize';
import { asArray, field, type JsonObject } from '../../../otlp/values';
import type { OtlpSignal } from '../../types';
import { Registry, type Counter, type Histogram } from './registry';

/**
 * What `/metrics` serves: GenAI request, error, token and duration figures from every accepted span
 * (read through the trace viewer's normaliser and GenAI mapping, so every dialect it knows counts), and
 * the collector's own counters. Only spans that are GenAI operations count (an LLM or embedding call, or
 * any span with gen_ai.operation.name); plain HTTP or database spans do not.
 */

/** The GenAI semantic conventions' advised buckets for gen_ai.client.operation.duration, in seconds. */
export const durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;

const unknown = 'unknown';

export class CollectorMetrics {
  readonly registry: Registry;
  private readonly requests: Counter;
  private readonly errors: Counter;
  private readonly tokens: Counter;
  private readonly duration: Histogram;
  private readonly accepted: Counter;
  private readonly rejected: Counter;
  private readonly requestBytes: Counter;
  private readonly httpRequests: Counter;

  constructor(
    private readonly versionAttribute: string,
    maxSeries: number,
  ) {
    const r = (this.registry = new Registry(maxSeries));
    this.requests = r.counter('agentops_gen_ai_requests_total', 'GenAI operations (spans) accepted by the collector.', ['model', 'operation', 'version', 'status']);
    this.errors = r.counter('agentops_gen_ai_errors_total', 'GenAI operations whose span status is ERROR, by error.type.', ['model', 'version', 'error_type']);
    this.tokens = r.counter('agentops_gen_ai_tokens_total', 'Tokens used by GenAI operations (input includes cached; output includes reasoning).', ['model', 'version', 'type']);
    this.duration = r.histogram('agentops_gen_ai_operation_duration_seconds', 'Duration of GenAI operations (span end minus start).', ['model', 'operation', 'version'], durationBuckets);
    this.accepted = r.counter('agentops_collector_accepted_total', 'Items stored durably: spans, log records, metric data points.', ['signal']);
    this.rejected = r.counter('agentops_collector_rejected_total', 'Items refused inside accepted requests (partial success).', ['signal']);
    this.requestBytes = r.counter('agentops_collector_request_bytes_total', 'Request body bytes received, as sent (compressed when compressed).', ['signal']);
    this.httpRequests = r.counter('agentops_collector_http_requests_total', 'HTTP requests answered, by path and status code.', ['path', 'code']);
  }

  request(path: string, code: number): void {
    // Only the known paths are labels: a scanner trying random URLs must not create series.
    this.httpRequests.inc([['/v1/traces', '/v1/logs', '/v1/metrics', '/metrics'].includes(path) ? path : 'other', String(code)]);
  }

  received(signal: OtlpSignal, bytes: number): void {
    this.requestBytes.inc([signal], bytes);
  }

  stored(signal: OtlpSignal, accepted: number, rejected: number): void {
    this.accepted.inc([signal], accepted);
    if (rejected > 0) this.rejected.inc([signal], rejected);
  }

  /** Counts the GenAI spans of an accepted traces request (OTLP/JSON shape). */
  spans(doc: JsonObject): void {
    const ctx: NormalizeContext = { file: 'collector', line: 0, diag: new DiagnosticSink('collector'), warnedImprecise: true };
    for (const rs of asArray(field(doc, 'resourceSpans', 'resource_spans'))) {
      for (const span of spansFromResourceSpans(rs, ctx)) this.span(span);
    }
  }

  private span(span: Span): void {
    const g = normalizeGenAi(span, { content: false });
    const operationName = attrString(span.attributes['gen_ai.operation.name']) ?? g.operation;
    if (g.type !== 'llm' && g.type !== 'embedding' && operationName === undefined) return;
    const model = g.requestModel ?? g.responseModel ?? unknown;
    const operation = operationName ?? g.type;
    const version = attrString(span.attributes[this.versionAttribute]) ?? attrString(span.resource.attributes[this.versionAttribute]) ?? unknown;
    const error = span.status.code === 'error';
    this.requests.inc([model, operation, version, error ? 'error' : 'ok']);
    if (error) this.errors.inc([model, version, errorType(span)]);
    if (g.usage) {
      if (g.usage.input > 0) this.tokens.inc([model, version, 'input'], g.usage.input);
      if (g.usage.output > 0) this.tokens.inc([model, version, 'output'], g.usage.output);
    }
    this.duration.observe([model, operation, version], Number(span.endNs - span.startNs) / 1e9);
  }

  render(): string {
    return this.registry.render();
  }
}

/** error.type, else the exception event's exception.type, else "_OTHER" (the semantic conventions' fallback). */
function errorType(span: Span): string {
  const t = attrString(span.attributes['error.type']);
  if (t !== undefined) return t;
  for (const e of span.events) {
    if (e.name === 'exception') {
      const x = attrString(e.attributes['exception.type']);
      if (x !== undefined) return x;
    }
  }
  return '_OTHER';
}
