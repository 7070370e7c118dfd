import * as assert from 'node:assert/strict';
import { normalizeGenAi } from '../../../../src/core/otlp/genai';
import { makeSpan, type SpanDesc } from './build';

const span = (attrs: SpanDesc['attrs'], extra: Partial<SpanDesc> = {}) => makeSpan({ id: '01', name: extra.name ?? 'span', start: 0, end: 10, attrs, ...extra });

describe('core/otlp/genai', () => {
  it('reads a current OTel GenAI chat span with JSON-string messages, cache and reasoning tokens', () => {
    const g = normalizeGenAi(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': '300',
        'gen_ai.usage.cache_read.input_tokens': '1024',
        'gen_ai.usage.reasoning.output_tokens': 100,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.conversation.id': 'conv-1',
        'gen_ai.system_instructions': '[{"type":"text","content":"Be brief."}]',
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]',
        'gen_ai.output.messages':
          '[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_calls"}]',
      }),
    );
    assert.equal(g.type, 'llm');
    assert.deepEqual(g.dialects, ['otel-genai']);
    assert.equal(g.operation, 'chat');
    assert.equal(g.provider, 'openai');
    assert.equal(g.requestModel, 'gpt-4o');
    assert.equal(g.responseModel, 'gpt-4o-2024-08-06');
    assert.deepEqual(g.usage, { input: 1200, output: 300, cacheRead: 1024, cacheWrite: 0, reasoning: 100 });
    assert.deepEqual(g.finishReasons, ['tool_calls']);
    assert.equal(g.conversationId, 'conv-1');
    assert.equal(g.systemInstructions, 'Be brief.');
    assert.deepEqual(g.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }]);
    assert.equal(g.contentCaptured, true);
  });

  it('reads structured (non-string) messages and a tool_call_response part', () => {
    const g = normalizeGenAi(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.input.messages': [
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { temp: 21 } }] },
          { role: 'user', parts: [{ type: 'image', uri: 'x.png' }] },
        ],
      }),
    );
    assert.deepEqual(g.inputMessages, [
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', result: '{"temp":21}' }] },
      { role: 'user', parts: [{ type: 'other', content: '{"type":"image","uri":"x.png"}' }] },
    ]);
  });

  it('marks an LLM span without any content as not captured', () => {
    const g = normalizeGenAi(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 }));
    assert.equal(g.type, 'llm');
    assert.equal(g.contentCaptured, false);
    assert.equal(g.inputMessages, undefined);
  });

  it('reads deprecated names: gen_ai.system, prompt/completion tokens, gen_ai.prompt/completion', () => {
    const g = normalizeGenAi(
      span({
        'gen_ai.system': 'az.ai.openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.prompt_tokens': '40',
        'gen_ai.usage.completion_tokens': '7',
        'gen_ai.prompt': '[{"role":"user","content":"hi"}]',
        'gen_ai.completion': 'hello there',
      }),
    );
    assert.equal(g.type, 'llm'); // by the model heuristic: no operation name
    assert.equal(g.provider, 'az.ai.openai');
    assert.deepEqual(g.usage, { input: 40, output: 7, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    assert.deepEqual(g.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', content: 'hello there' }] }]);
  });

  it('reads v1.28–v1.36 message events from logs and span events', () => {
    const g = normalizeGenAi(
      span(
        { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' },
        {
          logs: [
            { eventName: 'gen_ai.system.message', body: { content: 'You are terse.' } },
            { eventName: 'gen_ai.user.message', body: { content: 'What is 2+2?' } },
            { eventName: 'gen_ai.choice', body: { index: 0, finish_reason: 'stop', message: { content: '4' } } },
          ],
          events: [{ name: 'gen_ai.tool.message', attrs: { 'gen_ai.event.content': '{"content":"42","id":"call_9","tool_call_id":"call_9"}' } }],
        },
      ),
    );
    assert.equal(g.systemInstructions, 'You are terse.');
    assert.deepEqual(g.inputMessages, [
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', result: '42' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is 2+2?' }] },
    ]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', content: '4' }] }]);
    assert.deepEqual(g.finishReasons, ['stop']);
    assert.equal(g.contentCaptured, true);
  });

  it('reads the v1.37 operation.details event and the old gen_ai.content.prompt span event', () => {
    const details = normalizeGenAi(
      span(
        { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
        { logs: [{ eventName: 'gen_ai.client.inference.operation.details', attrs: { 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"q"}]}]' } }] },
      ),
    );
    assert.deepEqual(details.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'q' }] }]);
    const old = normalizeGenAi(span({ 'gen_ai.request.model': 'gpt-4' }, { events: [{ name: 'gen_ai.content.prompt', attrs: { 'gen_ai.prompt': '[{"role":"user","content":"old"}]' } }] }));
    assert.deepEqual(old.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'old' }] }]);
  });

  it('reads OTel agent and tool spans', () => {
    const agent = normalizeGenAi(span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.agent.id': 'a1', 'gen_ai.provider.name': 'openai' }));
    assert.equal(agent.type, 'agent');
    assert.deepEqual(agent.agent, { name: 'triage', id: 'a1' });
    const tool = normalizeGenAi(
      span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_1', 'gen_ai.tool.call.arguments': { city: 'Paris' }, 'gen_ai.tool.call.result': '{"temp":21}' }),
    );
    assert.equal(tool.type, 'tool');
    assert.deepEqual(tool.tool, { name: 'get_weather', callId: 'call_1', arguments: '{"city":"Paris"}', result: '{"temp":21}' });
    assert.equal(tool.contentCaptured, true);
    // A tool name alone classifies (heuristic step), even without an operation name.
    assert.equal(normalizeGenAi(span({ 'gen_ai.tool.name': 'x' })).type, 'tool');
    assert.equal(normalizeGenAi(span({ 'gen_ai.operation.name': 'retrieval' })).type, 'retrieval');
    assert.equal(normalizeGenAi(span({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small' })).type, 'embedding');
  });

  it('reads an OpenInference LLM span with flattened messages, tool calls, cache details and a reported cost', () => {
    const g = normalizeGenAi(
      span({
        'openinference.span.kind': 'LLM',
        'llm.system': 'openai',
        'llm.provider': 'openai',
        'llm.model_name': 'gpt-4o-mini',
        'llm.invocation_parameters': '{"temperature":0}',
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': 'You help.',
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.contents.0.message_content.type': 'text',
        'llm.input_messages.1.message.contents.0.message_content.text': 'Find flights',
        'llm.input_messages.2.message.role': 'tool',
        'llm.input_messages.2.message.tool_call_id': 'call_a',
        'llm.input_messages.2.message.content': '[]',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_b',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'search',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"q":"NYC"}',
        'llm.token_count.prompt': 2000,
        'llm.token_count.completion': 50,
        'llm.token_count.total': 2050,
        'llm.token_count.prompt_details.cache_read': 1536,
        'llm.cost.total': 0.00123,
        'input.value': '{"messages":[]}',
        'session.id': 'sess-9',
      }),
    );
    assert.equal(g.type, 'llm');
    assert.deepEqual(g.dialects, ['openinference']);
    assert.equal(g.provider, 'openai');
    assert.equal(g.requestModel, 'gpt-4o-mini');
    assert.equal(g.responseModel, 'gpt-4o-mini');
    assert.deepEqual(g.usage, { input: 2000, output: 50, cacheRead: 1536, cacheWrite: 0, reasoning: 0 });
    assert.equal(g.reportedCostUsd, 0.00123);
    assert.equal(g.conversationId, 'sess-9');
    assert.deepEqual(g.inputMessages, [
      { role: 'system', parts: [{ type: 'text', content: 'You help.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Find flights' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_a', result: '[]' }] },
    ]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_b', name: 'search', arguments: '{"q":"NYC"}' }] }]);
  });

  it('classifies OpenInference kinds and reads a TOOL span from input/output.value', () => {
    const tool = normalizeGenAi(span({ 'openinference.span.kind': 'TOOL', 'tool.name': 'search', 'input.value': '{"q":"x"}', 'output.value': 'found 3' }));
    assert.equal(tool.type, 'tool');
    assert.deepEqual(tool.tool, { name: 'search', arguments: '{"q":"x"}', result: 'found 3' });
    assert.equal(normalizeGenAi(span({ 'openinference.span.kind': 'AGENT', 'agent.name': 'planner' })).agent?.name, 'planner');
    assert.equal(normalizeGenAi(span({ 'openinference.span.kind': 'CHAIN', 'input.value': 'x' })).type, 'chain');
    assert.equal(normalizeGenAi(span({ 'openinference.span.kind': 'RETRIEVER' })).type, 'retrieval');
    assert.equal(normalizeGenAi(span({ 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'e' })).type, 'embedding');
    // The explicit OpenInference kind beats the GenAI operation (priority §2.7).
    assert.equal(normalizeGenAi(span({ 'openinference.span.kind': 'CHAIN', 'gen_ai.operation.name': 'chat' })).type, 'chain');
  });

  it('falls back to OpenInference input.value/output.value for LLM content', () => {
    const g = normalizeGenAi(span({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'm', 'input.value': 'plain prompt', 'output.value': 'plain answer' }));
    assert.deepEqual(g.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'plain prompt' }] }]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', content: 'plain answer' }] }]);
  });

  it('reads a legacy OpenLLMetry/Traceloop LLM span with indexed prompts and underscore cache counts', () => {
    const g = normalizeGenAi(
      span(
        {
          'gen_ai.system': 'Anthropic',
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
          'gen_ai.response.model': 'claude-3-5-sonnet-20241022',
          'gen_ai.prompt.0.role': 'system',
          'gen_ai.prompt.0.content': 'Be helpful.',
          'gen_ai.prompt.1.role': 'user',
          'gen_ai.prompt.1.content': 'Plan a trip',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.content': 'Sure.',
          'gen_ai.completion.0.finish_reason': 'end_turn',
          'gen_ai.completion.0.tool_calls.0.id': 'toolu_1',
          'gen_ai.completion.0.tool_calls.0.name': 'book',
          'gen_ai.completion.0.tool_calls.0.arguments': '{"to":"Rome"}',
          // Raw Anthropic input_tokens (excludes the cache): 10 uncached + 3000 read + 500 written.
          'gen_ai.usage.prompt_tokens': 10,
          'gen_ai.usage.completion_tokens': 80,
          'gen_ai.usage.cache_read_input_tokens': 3000,
          'gen_ai.usage.cache_creation_input_tokens': 500,
          'llm.usage.total_tokens': 90,
        },
        { name: 'anthropic.chat' },
      ),
    );
    assert.equal(g.type, 'llm');
    assert.deepEqual(g.dialects, ['otel-genai', 'traceloop']);
    assert.equal(g.operation, 'chat');
    assert.deepEqual(g.usage, { input: 3510, output: 80, cacheRead: 3000, cacheWrite: 500, reasoning: 0 });
    assert.deepEqual(g.inputMessages, [
      { role: 'system', parts: [{ type: 'text', content: 'Be helpful.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Plan a trip' }] },
    ]);
    assert.deepEqual(g.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', content: 'Sure.' }, { type: 'tool_call', id: 'toolu_1', name: 'book', arguments: '{"to":"Rome"}' }] }]);
    assert.deepEqual(g.finishReasons, ['end_turn']);
  });

  it('reads Traceloop workflow, task, agent and tool spans', () => {
    const wf = normalizeGenAi(span({ 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'trip', 'traceloop.entity.name': 'trip' }, { name: 'trip.workflow' }));
    assert.equal(wf.type, 'chain');
    assert.deepEqual(wf.dialects, ['traceloop']);
    assert.equal(normalizeGenAi(span({ 'traceloop.span.kind': 'task' })).type, 'chain');
    assert.equal(normalizeGenAi(span({ 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'booker' })).agent?.name, 'booker');
    const tool = normalizeGenAi(span({ 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'book', 'traceloop.entity.input': '{"args":[]}', 'traceloop.entity.output': '"ok"' }));
    assert.deepEqual(tool.tool, { name: 'book', arguments: '{"args":[]}', result: '"ok"' });
    assert.equal(normalizeGenAi(span({ 'llm.request.type': 'embedding', 'gen_ai.request.model': 'text-embedding-3-small', 'llm.usage.total_tokens': '12' })).usage?.input, 12);
  });

  it('reads OpenLLMetry v0.5 spans (gen_ai.input.messages as JSON strings, gen_ai.usage.reasoning_tokens)', () => {
    const g = normalizeGenAi(
      span({
        'gen_ai.system': 'openai',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'o3-mini',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.usage.reasoning_tokens': 400,
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"think"}]}]',
      }),
    );
    assert.equal(g.usage?.reasoning, 400);
    assert.equal(g.inputMessages?.[0]?.parts[0]?.type, 'text');
  });

  it('reads Vercel AI SDK spans: the outer call is a chain, doGenerate the llm, toolCall the tool', () => {
    const outer = normalizeGenAi(
      span(
        {
          'ai.operationId': 'ai.generateText',
          'operation.name': 'ai.generateText support',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.prompt': '{"system":"You are support.","prompt":"Reset my password"}',
          'ai.response.text': 'Done.',
          'ai.usage.promptTokens': 30,
          'ai.usage.completionTokens': 5,
          'ai.telemetry.metadata.sessionId': 's-1',
        },
        { name: 'ai.generateText' },
      ),
    );
    assert.equal(outer.type, 'chain');
    assert.deepEqual(outer.dialects, ['vercel-ai']);
    assert.equal(outer.provider, 'openai');
    assert.equal(outer.systemInstructions, 'You are support.');
    assert.deepEqual(outer.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'Reset my password' }] }]);
    assert.equal(outer.conversationId, 's-1');

    const inner = normalizeGenAi(
      span(
        {
          'ai.operationId': 'ai.generateText.doGenerate',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.prompt.messages': '[{"role":"user","content":[{"type":"text","text":"Reset my password"}]}]',
          'ai.response.toolCalls': '[{"toolCallType":"function","toolCallId":"c1","toolName":"reset","args":"{\\"user\\":\\"ann\\"}"}]',
          'ai.response.finishReason': 'tool-calls',
          'ai.response.model': 'gpt-4o-2024-08-06',
          'ai.usage.inputTokens': '30',
          'ai.usage.outputTokens': '5',
          'ai.usage.cachedInputTokens': '0',
          'gen_ai.system': 'openai.chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 30,
          'gen_ai.usage.output_tokens': 5,
        },
        { name: 'ai.generateText.doGenerate' },
      ),
    );
    assert.equal(inner.type, 'llm');
    assert.equal(inner.responseModel, 'gpt-4o-2024-08-06');
    assert.deepEqual(inner.usage, { input: 30, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    assert.deepEqual(inner.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: 'Reset my password' }] }]);
    assert.deepEqual(inner.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'reset', arguments: '{"user":"ann"}' }] }]);
    assert.deepEqual(inner.finishReasons, ['tool-calls']);

    const tool = normalizeGenAi(span({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'reset', 'ai.toolCall.id': 'c1', 'ai.toolCall.args': '{"user":"ann"}', 'ai.toolCall.result': '"ok"' }, { name: 'ai.toolCall' }));
    assert.equal(tool.type, 'tool');
    assert.deepEqual(tool.tool, { name: 'reset', callId: 'c1', arguments: '{"user":"ann"}', result: '"ok"' });
    assert.equal(normalizeGenAi(span({ 'ai.operationId': 'ai.embed.doEmbed', 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 8 })).usage?.input, 8);
  });

  it('honours an explicit Langfuse observation type first', () => {
    assert.equal(normalizeGenAi(span({ 'langfuse.observation.type': 'generation' })).type, 'llm');
    assert.equal(normalizeGenAi(span({ 'langfuse.observation.type': 'tool', 'gen_ai.operation.name': 'chat' })).type, 'tool');
    assert.equal(normalizeGenAi(span({ 'gen_ai.usage.cost': '0.5', 'gen_ai.request.model': 'x' })).reportedCostUsd, 0.5);
  });

  it('leaves plain spans alone and survives malformed values', () => {
    const plain = normalizeGenAi(span({ 'http.route': '/x' }));
    assert.deepEqual(plain, { type: 'other', dialects: [], contentCaptured: false });
    const bad = normalizeGenAi(
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': '[{"role": "user", broken', 'gen_ai.usage.input_tokens': 'many', 'gen_ai.usage.output_tokens': -3, 'gen_ai.output.messages': [null, 7] }),
    );
    assert.deepEqual(bad.inputMessages, [{ role: 'user', parts: [{ type: 'text', content: '[{"role": "user", broken' }] }]);
    assert.deepEqual(bad.usage, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    assert.deepEqual(bad.outputMessages, [{ role: 'assistant', parts: [{ type: 'other', content: '7' }] }]);
  });

  it('without content parsing still reports whether content was captured', () => {
    const s = span({ 'gen_ai.operation.name': 'chat', 'gen_ai.prompt.0.content': 'x' });
    const light = normalizeGenAi(s, { content: false });
    assert.equal(light.contentCaptured, true);
    assert.equal(light.inputMessages, undefined);
    assert.equal(normalizeGenAi(span({ 'gen_ai.operation.name': 'chat' }), { content: false }).contentCaptured, false);
  });
});
