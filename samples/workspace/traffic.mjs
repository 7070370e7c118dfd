#!/usr/bin/env node
// A small traffic generator for the Agent Ops trace collector: every ~200 ms it POSTs one agent run
// (an invoke_agent span with one or two chat calls and sometimes a tool call) as OTLP/JSON to
// http://127.0.0.1:${PORT||4318}/v1/traces, until Ctrl-C. Plain Node ≥ 20, no dependencies.
//
//   1. In VS Code: "Agent Ops: Start Trace Collector", then "Agent Ops: Open Monitoring Dashboard".
//   2. Here:       node traffic.mjs            (PORT=4319 node traffic.mjs for another port)
//
// About 5% of the chat calls fail (rate limits, timeouts), and every few minutes a slow spell shows
// up as anomaly markers on the latency chart.
import { randomBytes } from 'node:crypto';

const port = Number(process.env.PORT || 4318);
const url = `http://127.0.0.1:${port}/v1/traces`;
const intervalMs = Number(process.env.INTERVAL_MS || 200);

const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const projects = ['billing', 'support', 'search'];
const agents = ['support-bot', 'triage-bot'];
const models = [
  { name: 'gpt-4o-mini', provider: 'openai', latencyMs: 600 },
  { name: 'gpt-4o', provider: 'openai', latencyMs: 1400 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', latencyMs: 1800 },
];
const versions = ['2.3.0', '2.4.0'];

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const hex = (bytes) => randomBytes(bytes).toString('hex');
const ns = (ms) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: value } });

/** A slow spell for 20 s of every 3 minutes: something for the anomaly markers to find. */
function slowFactor() {
  return Date.now() % 180_000 < 20_000 ? 4 : 1;
}

function chatSpan(traceId, parentSpanId, startMs, model, user, project) {
  const durationMs = model.latencyMs * (0.5 + Math.random()) * slowFactor();
  const failed = Math.random() < 0.05;
  const input = 200 + Math.floor(Math.random() * 1800);
  const output = failed ? 0 : 20 + Math.floor(Math.random() * 400);
  const attributes = [
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.provider.name', model.provider),
    str('gen_ai.request.model', model.name),
    int('gen_ai.usage.input_tokens', input),
    int('gen_ai.usage.output_tokens', output),
    str('user.id', user),
    str('agentops.project', project),
  ];
  if (failed) attributes.push(str('error.type', pick(['RateLimitError', 'TimeoutError'])));
  return {
    span: {
      traceId,
      spanId: hex(8),
      parentSpanId,
      name: `chat ${model.name}`,
      kind: 3,
      startTimeUnixNano: ns(startMs),
      endTimeUnixNano: ns(startMs + durationMs),
      attributes,
      status: failed ? { code: 2, message: 'model call failed' } : { code: 1 },
    },
    endMs: startMs + durationMs,
  };
}

/** One agent run: invoke_agent → chat (→ execute_tool → chat). */
function agentRun() {
  const traceId = hex(16);
  const rootId = hex(8);
  const user = pick(users);
  const project = pick(projects);
  const agent = pick(agents);
  const model = pick(models);
  // Laid out from 0, then shifted so that the run ends now: an exporter sends spans once they have ended.
  let t = 0;
  const start = t;
  const spans = [];
  const first = chatSpan(traceId, rootId, t, model, user, project);
  spans.push(first.span);
  t = first.endMs + 10;
  if (Math.random() < 0.5) {
    const toolEnd = t + 50 + Math.random() * 300;
    spans.push({
      traceId,
      spanId: hex(8),
      parentSpanId: rootId,
      name: 'execute_tool search_kb',
      kind: 1,
      startTimeUnixNano: ns(t),
      endTimeUnixNano: ns(toolEnd),
      attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', 'search_kb')],
      status: { code: 1 },
    });
    const second = chatSpan(traceId, rootId, toolEnd + 10, model, user, project);
    spans.push(second.span);
    t = second.endMs;
  }
  spans.unshift({
    traceId,
    spanId: rootId,
    name: `invoke_agent ${agent}`,
    kind: 1,
    startTimeUnixNano: ns(start),
    endTimeUnixNano: ns(t + 5),
    attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.agent.name', agent), str('user.id', user), str('agentops.project', project)],
    status: { code: 1 },
  });
  const shift = BigInt(Date.now() - Math.ceil(t + 5)) * 1_000_000n;
  for (const s of spans) {
    s.startTimeUnixNano = `${BigInt(s.startTimeUnixNano) + shift}`;
    s.endTimeUnixNano = `${BigInt(s.endTimeUnixNano) + shift}`;
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', agent), str('service.version', pick(versions))] },
        scopeSpans: [{ scope: { name: 'agentops.samples.traffic', version: '1.0.0' }, spans }],
      },
    ],
  };
}

let sent = 0;
let failures = 0;
async function send() {
  const body = agentRun();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    sent += body.resourceSpans[0].scopeSpans[0].spans.length;
    failures = 0;
  } catch (err) {
    failures++;
    if (failures === 1 || failures % 25 === 0) console.error(`traffic: ${url}: ${err.cause?.code ?? err.message} (is the collector running? "Agent Ops: Start Trace Collector")`);
  }
}

console.log(`traffic: sending agent runs to ${url} every ${intervalMs} ms; Ctrl-C to stop`);
const timer = setInterval(() => void send(), intervalMs);
const report = setInterval(() => console.log(`traffic: ${sent} spans sent`), 10_000);
process.on('SIGINT', () => {
  clearInterval(timer);
  clearInterval(report);
  console.log(`\ntraffic: ${sent} spans sent`);
  process.exit(0);
});
