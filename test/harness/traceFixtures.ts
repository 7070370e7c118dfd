import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './paths';

/** The shared corpus of real OTLP files (../shared/fixtures beside the clone, or AGENTOPS_CORPUS). */
export function corpusDir(): string {
  return process.env.AGENTOPS_CORPUS ? resolve(process.env.AGENTOPS_CORPUS) : resolve(repoRoot, '..', 'shared', 'fixtures');
}

/**
 * Puts trace files into the (temporary) test workspace: real corpus files under
 * names the trace viewer opens by default, a generated 100,000-span trace, and the
 * tau-bench airline results as a trajectory file.
 */
export function addTraceFixtures(workspace: string): void {
  const dir = join(workspace, 'corpus');
  mkdirSync(dir, { recursive: true });
  const otlp = join(corpusDir(), 'otlp');
  const copies: [string, string][] = [
    ['otel-tui_test_data.jsonl', 'otel-demo.otlp.jsonl'],
    ['jaeger-ui_genaiTestTrace.CONVERTED.otlp.json', 'genai-agent.otlp.json'],
  ];
  for (const [from, to] of copies) {
    const source = join(otlp, from);
    if (!existsSync(source)) throw new Error(`corpus file missing: ${source} (set AGENTOPS_CORPUS)`);
    copyFileSync(source, join(dir, to));
  }
  writeFileSync(join(dir, 'wide-100k.otlp.jsonl'), bigTrace(100_000));
  // A 4 MB results file of 200 runs: big enough to be validated in the trajectory worker.
  const tau = join(corpusDir(), 'trajectories', 'tau-bench', 'gpt-4o-airline.json');
  if (!existsSync(tau)) throw new Error(`corpus file missing: ${tau} (set AGENTOPS_CORPUS)`);
  copyFileSync(tau, join(workspace, 'trajectories', 'tau-bench-airline.json'));
}

/** One trace of `n` spans: a root, 100 agent steps, each with tool and LLM children; several lines of 1,000 spans. */
export function bigTrace(n: number): string {
  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const t0 = 1_764_151_200_000_000_000n;
  const id = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const spans: object[] = [];
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? undefined : i <= 100 ? 0 : 1 + ((i - 101) % 100);
    const start = t0 + BigInt(i) * 1_000_000n;
    const llm = i > 100 && i % 3 === 0;
    spans.push({
      traceId,
      spanId: id(i),
      ...(parent !== undefined ? { parentSpanId: id(parent) } : {}),
      name: i === 0 ? 'invoke_agent big-run' : i <= 100 ? `step ${i}` : llm ? 'chat gpt-4o-mini' : `execute_tool tool_${i % 7}`,
      kind: 1,
      startTimeUnixNano: start.toString(),
      // The root and the steps span their children, as an agent's spans do.
      endTimeUnixNano: (i === 0 ? t0 + BigInt(n) * 1_000_000n + 5_000_000n : i <= 100 ? t0 + BigInt(n) * 1_000_000n + 4_000_000n - BigInt(i) * 1000n : start + 800_000n).toString(),
      attributes: llm
        ? [
            { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
            { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } },
            { key: 'gen_ai.usage.output_tokens', value: { intValue: '30' } },
          ]
        : [],
      status: i % 997 === 0 && i > 0 ? { code: 2, message: 'boom' } : {},
    });
  }
  const lines: string[] = [];
  for (let i = 0; i < spans.length; i += 1000) {
    lines.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big-agent' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans: spans.slice(i, i + 1000) }] }] }));
  }
  return `${lines.join('\n')}\n`;
}

/** `traces` traces of 100 chat spans each, one JSONL line per trace: about 1 KB of model per span (memory-limit tests). */
export function manyTraces(traces: number): string {
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const lines: string[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = (0xabc00000 + t).toString(16).padStart(32, '0');
    const spans = Array.from({ length: 100 }, (_, i) => ({
      traceId,
      spanId: (t * 100 + i + 1).toString(16).padStart(16, '0'),
      name: `chat ${i}`,
      startTimeUnixNano: String(1_760_000_000_000_000_000n + BigInt(i)),
      endTimeUnixNano: String(1_760_000_000_000_000_100n + BigInt(i)),
      attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o-mini'), attr('user.id', `user-${i}`)],
    }));
    lines.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'agent')] }, scopeSpans: [{ spans }] }] }));
  }
  return `${lines.join('\n')}\n`;
}
