/**
 * Agent runs from OTLP traces (read by src/core/otlp, classified by its GenAI mapping).
 *
 * A run is an agent span with no agent above it (`invoke_agent`, OpenInference AGENT, …);
 * a trace without one that still has model or tool spans is one run. Inside a run, model
 * (`llm`) and tool (`tool`, `retrieval`) spans are taken in start order; what happens
 * inside a tool span (a sub-agent, HTTP calls) belongs to that call, and its model usage
 * counts for that step.
 *
 * One model turn is one step, as in every other format. A tool span joins the turn of
 * the model call before it when:
 *   1. that call's output asked for it (same call id, or the same name when ids are missing);
 *   2. or it is a child of that model span;
 *   3. or that call's content was not captured (or it ended for tool calls), the tool started
 *      after the call ended, and no other step came between.
 * Otherwise tool spans form steps of their own; spans that overlap in time (parallel calls)
 * share one. The run's id is its trace id (`traceId/spanId` when one trace holds several runs).
 */
import { normalizeGenAi, type GenAiSpan } from '../otlp/genai';
import type { Span, Trace, TraceSet } from '../otlp/model';
import { modelOf, spanCost } from '../otlp/rollup';
import type { PriceTable } from '../tokens/pricing/priceTable';
import { finishTrajectory, inferOutcome, newStep, type DraftStep, type DraftTrajectory } from './build';
import { parseArguments } from './json';
import { makeCall, thinkTools } from './messages';
import type { TokenCounts, ToolCall, Trajectory } from './model';

const toolCallFinish = new Set(['tool_calls', 'tool_use', 'function_call', 'tool-calls']);

const nsToMs = (ns: bigint): number => Number(ns / 1000n) / 1000;

export function trajectoriesFromTraceSet(set: TraceSet, prices?: PriceTable): Trajectory[] {
  const out: Trajectory[] = [];
  for (const trace of set.traces) out.push(...trajectoriesFromTrace(trace, prices));
  return out;
}

export function trajectoriesFromTrace(trace: Trace, prices?: PriceTable): Trajectory[] {
  const n = trace.spans.length;
  const genai: GenAiSpan[] = trace.spans.map((s) => normalizeGenAi(s));
  const isAgent = (i: number): boolean => genai[i]?.type === 'agent';
  // Runs: agent spans with no agent ancestor.
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!isAgent(i)) continue;
    let p = trace.parent[i] ?? -1;
    let nested = false;
    for (let guard = 0; p >= 0 && guard < n; guard++) {
      if (isAgent(p)) {
        nested = true;
        break;
      }
      p = trace.parent[p] ?? -1;
    }
    if (!nested) runs.push(i);
  }
  const drafts: { draft: DraftTrajectory; root?: number }[] = [];
  if (runs.length === 0) {
    if (!genai.some((g) => g.type === 'llm' || g.type === 'tool')) return [];
    drafts.push({ draft: runFrom(trace, genai, trace.roots, prices, undefined) });
  } else {
    for (const r of runs) drafts.push({ draft: runFrom(trace, genai, [r], prices, r), root: r });
  }
  return drafts.map(({ draft, root }) => {
    const span = root !== undefined ? trace.spans[root] : undefined;
    const id = drafts.length > 1 && span ? `${trace.traceId}/${span.spanId}` : trace.traceId;
    return finishTrajectory(draft, id);
  });
}

interface Item {
  span: number;
  /** Usage of model spans nested inside this item (a sub-agent inside a tool). */
  nested: TokenCounts | undefined;
  nestedCost: number | undefined;
}

const isItemType = (g: GenAiSpan | undefined): boolean => g?.type === 'llm' || g?.type === 'tool' || g?.type === 'retrieval';

/** Model and tool spans under the roots, in start order; what is inside one of them is folded into it. */
function itemsUnder(trace: Trace, genai: GenAiSpan[], roots: number[], prices: PriceTable | undefined): Item[] {
  const items: Item[] = [];
  const seen = new Uint8Array(trace.spans.length);
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const i = stack.pop() as number;
    if (seen[i]) continue;
    seen[i] = 1;
    if (isItemType(genai[i])) {
      const item: Item = { span: i, nested: undefined, nestedCost: undefined };
      // Fold the model usage found below it.
      const below = [...(trace.children[i] ?? [])];
      while (below.length > 0) {
        const j = below.pop() as number;
        if (seen[j]) continue;
        seen[j] = 1;
        const g = genai[j] as GenAiSpan;
        if (g.type === 'llm' && g.usage) {
          item.nested = { input: (item.nested?.input ?? 0) + g.usage.input, output: (item.nested?.output ?? 0) + g.usage.output };
          const c = costOf(g, prices);
          if (c !== undefined) item.nestedCost = (item.nestedCost ?? 0) + c;
        }
        below.push(...(trace.children[j] ?? []));
      }
      items.push(item);
      continue;
    }
    const kids = trace.children[i] ?? [];
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k] as number);
  }
  // trace.spans is in start order, so span index order is time order.
  return items.sort((a, b) => a.span - b.span);
}

function costOf(g: GenAiSpan, prices: PriceTable | undefined): number | undefined {
  if (prices) return spanCost(g, prices)?.usd;
  return g.reportedCostUsd;
}

function toolCallOf(span: Span, g: GenAiSpan): ToolCall {
  const name = g.tool?.name ?? (g.type === 'retrieval' ? span.name : span.name.replace(/^execute_tool\s+/, ''));
  const call: ToolCall = { toolName: name, ...parseArguments(g.tool?.arguments), isError: span.status.code === 'error' || span.attributes['error.type'] !== undefined, spanId: span.spanId };
  if (g.tool?.callId !== undefined) call.id = g.tool.callId;
  if (g.tool?.result !== undefined) call.result = g.tool.result;
  else if (call.isError && span.status.message !== undefined) call.result = span.status.message;
  call.durationMs = nsToMs(span.endNs - span.startNs);
  return call;
}

interface Turn {
  step: number;
  span: number;
  endNs: bigint;
  /** The output was captured and named no tool call: tools after it were not its doing. */
  answeredWithText: boolean;
  requested: ToolCall[];
  filled: Set<ToolCall>;
}

function runFrom(trace: Trace, genai: GenAiSpan[], roots: number[], prices: PriceTable | undefined, root: number | undefined): DraftTrajectory {
  const items = itemsUnder(trace, genai, roots, prices);
  const steps: DraftStep[] = [];
  const stepStart: bigint[] = [];
  const stepEnd: bigint[] = [];
  let turn: Turn | undefined;
  let group: { step: number; minEndNs: bigint } | undefined;

  const extend = (k: number, span: Span): void => {
    const s = steps[k] as DraftStep;
    s.spanIds = [...(s.spanIds ?? []), span.spanId];
    if (span.startNs < (stepStart[k] as bigint)) stepStart[k] = span.startNs;
    if (span.endNs > (stepEnd[k] as bigint)) stepEnd[k] = span.endNs;
  };
  const addUsage = (s: DraftStep, t: TokenCounts | undefined, c: number | undefined): void => {
    if (t) s.tokens = { input: (s.tokens?.input ?? 0) + t.input, output: (s.tokens?.output ?? 0) + t.output };
    if (c !== undefined) s.costUsd = (s.costUsd ?? 0) + c;
  };

  for (const item of items) {
    const span = trace.spans[item.span] as Span;
    const g = genai[item.span] as GenAiSpan;
    if (g.type === 'llm') {
      const step = newStep('llm', { line: span.source.line, spanIds: [span.spanId] });
      const texts: string[] = [];
      const requested: ToolCall[] = [];
      for (const m of g.outputMessages ?? []) {
        for (const p of m.parts) {
          if (p.type === 'text') texts.push(p.content);
          else if (p.type === 'tool_call') requested.push(makeCall(p.id, p.name, p.arguments));
        }
      }
      if (texts.length > 0) step.text = texts.join('\n');
      step.calls = requested;
      const model = modelOf(g);
      if (model !== undefined) step.model = model;
      addUsage(step, g.usage ? { input: g.usage.input, output: g.usage.output } : item.nested, costOf(g, prices) ?? (g.usage ? undefined : item.nestedCost));
      steps.push(step);
      stepStart.push(span.startNs);
      stepEnd.push(span.endNs);
      const endedForTools = (g.finishReasons ?? []).some((f) => toolCallFinish.has(f));
      turn = { step: steps.length - 1, span: item.span, endNs: span.endNs, answeredWithText: g.outputMessages !== undefined && requested.length === 0 && !endedForTools, requested, filled: new Set() };
      group = undefined;
      continue;
    }

    const call = toolCallOf(span, g);
    const last = steps.length - 1;
    if (turn) {
      const t = turn;
      // 1. the call the model asked for
      const asked = t.requested.find((c) => !t.filled.has(c) && (call.id !== undefined && c.id !== undefined ? c.id === call.id : c.toolName === call.toolName));
      if (asked) {
        t.filled.add(asked);
        if (call.result !== undefined) asked.result = call.result;
        asked.isError = call.isError;
        asked.spanId = call.spanId as string;
        if (call.durationMs !== undefined) asked.durationMs = call.durationMs;
        if (asked.arguments === null && call.arguments !== null) {
          asked.arguments = call.arguments;
          if (call.rawArguments !== undefined) asked.rawArguments = call.rawArguments;
        }
        if (asked.id === undefined && call.id !== undefined) asked.id = call.id;
        extend(t.step, span);
        addUsage(steps[t.step] as DraftStep, item.nested, item.nestedCost);
        continue;
      }
      // 2. a child of the model span; 3. right after a turn that may have asked for it
      const child = (trace.parent[item.span] ?? -1) === t.span;
      if (child || (!t.answeredWithText && span.startNs >= t.endNs && last === t.step)) {
        (steps[t.step] as DraftStep).calls.push(call);
        extend(t.step, span);
        addUsage(steps[t.step] as DraftStep, item.nested, item.nestedCost);
        continue;
      }
    }
    // 4. parallel with the tool calls just before
    if (group && group.step === last && span.startNs < group.minEndNs) {
      (steps[last] as DraftStep).calls.push(call);
      extend(last, span);
      addUsage(steps[last] as DraftStep, item.nested, item.nestedCost);
      if (span.endNs < group.minEndNs) group.minEndNs = span.endNs;
      continue;
    }
    // 5. a step of its own
    const step = newStep('tool', { line: span.source.line, spanIds: [span.spanId], calls: [call] });
    addUsage(step, item.nested, item.nestedCost);
    steps.push(step);
    stepStart.push(span.startNs);
    stepEnd.push(span.endNs);
    group = { step: steps.length - 1, minEndNs: span.endNs };
  }

  steps.forEach((s, k) => {
    if (s.calls.length > 0 && s.kind === 'llm') s.kind = s.calls.every((c) => thinkTools.has(c.toolName)) ? 'think' : 'tool';
    s.startMs = nsToMs(stepStart[k] as bigint);
    s.durationMs = nsToMs((stepEnd[k] as bigint) - (stepStart[k] as bigint));
  });

  const rootSpan = root !== undefined ? trace.spans[root] : undefined;
  const first = trace.spans[roots[0] ?? 0];
  const d: DraftTrajectory = { format: 'otlp', source: { file: (rootSpan ?? first)?.source.file ?? '', traceId: trace.traceId }, steps };
  if (rootSpan) {
    d.source.spanId = rootSpan.spanId;
    d.source.line = rootSpan.source.line;
    d.reported = { durationMs: nsToMs(rootSpan.endNs - rootSpan.startNs) };
  } else {
    if (first) d.source.line = first.source.line;
    d.reported = { durationMs: nsToMs(trace.endNs - trace.startNs) };
  }
  const model = steps.find((s) => s.model !== undefined)?.model;
  if (model !== undefined) d.model = model;
  if (rootSpan?.status.code === 'error') {
    const message = rootSpan.status.message ?? (typeof rootSpan.attributes['error.type'] === 'string' ? rootSpan.attributes['error.type'] : 'the agent span ended with an error');
    d.outcome = { status: 'error', reason: `the agent span failed: ${message}`, error: message };
  } else {
    d.outcome = inferOutcome(steps);
  }
  return d;
}
