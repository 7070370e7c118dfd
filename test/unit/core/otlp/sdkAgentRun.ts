import { context, trace, SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** What the generated run contains, for tests to assert against. */
export const agentRunShape = {
  spans: 7,
  llmSpans: 3,
  toolSpans: 3,
  errors: 1,
  tokens: { input: 412 + 1880 + 2210, output: 3 + 212 + 96, cacheRead: 1024 + 1792 },
  models: ['gpt-4o-mini', 'gpt-4o'],
};

interface Step {
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  error?: string;
}

/**
 * One run of the sample support agent, made with the real OpenTelemetry JS SDK
 * and serialized by its own OTLP JSON serializer: the shape real apps write.
 */
export async function sdkAgentRun(startEpochMs = Date.UTC(2026, 10, 26, 10, 0, 0)): Promise<Uint8Array> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot', 'service.version': '2.3.0', 'deployment.environment.name': 'staging' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('support-bot.agent', '2.3.0');
  const at = (ms: number) => new Date(startEpochMs + ms);
  const messages = (value: unknown) => JSON.stringify(value);

  const root = tracer.startSpan('invoke_agent support-bot', { kind: SpanKind.INTERNAL, startTime: at(0), attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-bot', 'gen_ai.conversation.id': 'conv-77', 'user.id': 'u-1042' } });
  const steps: Step[] = [
    {
      name: 'chat gpt-4o-mini',
      kind: SpanKind.CLIENT,
      startMs: 15,
      endMs: 610,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.request.max_tokens': 5,
        'gen_ai.usage.input_tokens': 412,
        'gen_ai.usage.output_tokens': 3,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.input.messages': messages([{ role: 'user', parts: [{ type: 'text', content: 'The invoice for March is missing, can you resend it?' }] }]),
        'gen_ai.output.messages': messages([{ role: 'assistant', parts: [{ type: 'text', content: 'billing' }], finish_reason: 'stop' }]),
        'code.file.path': 'agent/support_agent.py',
        'code.line.number': 14,
      },
    },
    { name: 'execute_tool search_kb', kind: SpanKind.INTERNAL, startMs: 640, endMs: 1480, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_kb', 'gen_ai.tool.call.id': 'call_1', 'gen_ai.tool.call.arguments': '{"query":"resend invoice"}', 'gen_ai.tool.call.result': 'Invoices can be resent from Billing > Invoices.' } },
    { name: 'execute_tool get_invoice', kind: SpanKind.INTERNAL, startMs: 1500, endMs: 1820, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_invoice', 'gen_ai.tool.call.id': 'call_2', 'gen_ai.tool.call.arguments': '{"month":"2025-03","customer":"u-1042"}', 'error.type': '503' }, error: 'invoice service returned 503' },
    {
      name: 'chat gpt-4o',
      kind: SpanKind.CLIENT,
      startMs: 1850,
      endMs: 4190,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.request.max_tokens': 400,
        'gen_ai.usage.input_tokens': 1880,
        'gen_ai.usage.output_tokens': 212,
        'gen_ai.usage.cache_read.input_tokens': 1024,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.system_instructions': messages([{ type: 'text', content: 'You are a support agent for Acme Cloud. Answer only from the knowledge base.' }]),
        'gen_ai.output.messages': messages([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_3', name: 'send_email', arguments: { to: 'u-1042', template: 'invoice-resend' } }], finish_reason: 'tool_calls' }]),
        'code.file.path': 'agent/support_agent.py',
        'code.line.number': 26,
      },
    },
    { name: 'execute_tool send_email', kind: SpanKind.INTERNAL, startMs: 4200, endMs: 4620, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'send_email', 'gen_ai.tool.call.id': 'call_3', 'gen_ai.tool.call.arguments': '{"to":"u-1042","template":"invoice-resend"}', 'gen_ai.tool.call.result': 'queued' } },
    {
      name: 'chat gpt-4o',
      kind: SpanKind.CLIENT,
      startMs: 4630,
      endMs: 6010,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.request.max_tokens': 400,
        'gen_ai.usage.input_tokens': 2210,
        'gen_ai.usage.output_tokens': 96,
        'gen_ai.usage.cache_read.input_tokens': 1792,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.output.messages': messages([{ role: 'assistant', parts: [{ type: 'text', content: 'I have re-sent your March invoice to the address on file.' }], finish_reason: 'stop' }]),
      },
    },
  ];
  const parent = trace.setSpan(context.active(), root);
  for (const step of steps) {
    const span: Span = tracer.startSpan(step.name, { kind: step.kind, startTime: at(step.startMs), attributes: step.attributes }, parent);
    if (step.error) span.setStatus({ code: SpanStatusCode.ERROR, message: step.error });
    span.end(at(step.endMs));
  }
  root.end(at(6030));
  await provider.forceFlush();
  const bytes = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  if (!bytes) throw new Error('the OTLP JSON serializer returned nothing');
  return bytes;
}
