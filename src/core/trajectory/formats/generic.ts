/**
 * Agent Ops' own trajectory format, for agents that write their own logs
 * (specification with examples: docs/trajectory-format.md).
 *
 * One JSON object per record: one per line in a `.jsonl` file (the natural way to
 * append while the agent runs; a half-written last line is expected and skipped),
 * or a JSON array of records in a `.json` file.
 *
 * ```jsonl
 * {"type":"run","run":"r1","task":"refund-42","model":"gpt-4o"}
 * {"type":"user","run":"r1","text":"Refund order 42"}
 * {"type":"llm","run":"r1","turn":1,"text":"Looking it up","tokens":{"input":812,"output":40},"costUsd":0.0024,"ts":"2025-06-01T10:00:00Z","durationMs":900}
 * {"type":"tool","run":"r1","turn":1,"tool":"get_order","args":{"id":42},"result":"{\"status\":\"paid\"}","ts":"2025-06-01T10:00:01Z","durationMs":120}
 * {"type":"tool","run":"r1","turn":1,"tool":"get_customer","args":"{\"order\": 42}","error":"timeout after 30 s"}
 * {"type":"final","run":"r1","turn":2,"text":"Refunded.","tokens":{"input":990,"output":12}}
 * {"type":"end","run":"r1","status":"final-answer","reward":1}
 * ```
 *
 * Fields (all optional but `type`):
 * - `type`: `run` (header: `task`, `model`), `user`, `llm`, `tool`, `think`, `final`, `error`, `end`
 *   (`status`: final-answer | submitted | limit | error | no-final-answer, `reason`, `reward`, `error`).
 * - `run`: which run the record belongs to (string or number); runs keep the order they first
 *   appear in. Without it the file is one run.
 * - `turn`: records of a run with the same `turn` are one step: a model turn (`llm`) and the
 *   tool calls it made (parallel or not). Without it every record is its own step.
 * - `text`: the message, thought, answer or error text.
 * - `tool`, `args` (any JSON; a string holding JSON is parsed and kept verbatim), `callId`,
 *   `result` (text or JSON), `error` (true, or the error message): a tool call. `think` and
 *   `final` records may carry one too (a `think` tool; a `finish` / `submit` call).
 * - `tokens` `{input, output}`, `costUsd`, `model`: the model call of this record.
 * - `ts` (epoch ms, epoch seconds, or ISO 8601) when the record's work began, `durationMs`.
 */
import { inferOutcome, lastAgentStep, newStep, type DiagnosticSink, type DraftStep, type DraftTrajectory, type FormatReader } from '../build';
import { arr, epochMs, isObject, num, obj, parseArguments, resultText, str, text, type JsonObject } from '../json';
import type { JsonValue, OutcomeStatus, StepKind, ToolCall } from '../model';

const recordTypes = new Set(['run', 'user', 'llm', 'tool', 'think', 'final', 'error', 'end']);
const endStatuses = new Set<OutcomeStatus>(['final-answer', 'submitted', 'limit', 'error', 'no-final-answer']);

/** A record of the generic format: a known `type`, and none of the chat-message keys other formats use. */
export function isGenericRecord(v: JsonValue | undefined): v is JsonObject {
  return isObject(v) && typeof v.type === 'string' && recordTypes.has(v.type) && !('role' in v) && !('content' in v);
}

export const genericReader: FormatReader = {
  format: 'generic',
  detect: (v) => isGenericRecord(v) || (Array.isArray(v) && v.length > 0 && v.every(isGenericRecord)),
  read(v, ctx) {
    const acc = new GenericAccumulator(ctx.file, ctx.diag);
    if (isGenericRecord(v)) acc.add(v, ctx.lines.lineAt());
    else (arr(v) ?? []).forEach((r, i) => acc.add(r, ctx.lines.lineAt(i)));
    return acc.finish();
  },
};

interface RunState {
  key: string;
  line?: number;
  task?: string;
  model?: string;
  steps: DraftStep[];
  /** Per step: whether some record gave a duration (then times are taken as given). */
  timed: boolean[];
  first: (number | undefined)[];
  last: (number | undefined)[];
  turns: Map<string, number>;
  end?: JsonObject;
}

/** Collects records as they stream in (JSON Lines), then builds one draft per run. */
export class GenericAccumulator {
  private readonly runs = new Map<string, RunState>();

  constructor(
    private readonly file: string,
    private readonly diag: DiagnosticSink,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  add(record: JsonValue, line: number | undefined): void {
    if (!isGenericRecord(record)) {
      this.diag.add('warning', 'unknown-record', `not a trajectory record (expected an object with "type": ${[...recordTypes].join(' | ')}): skipped`, line);
      return;
    }
    const key = str(record.run) ?? '';
    let run = this.runs.get(key);
    if (!run) {
      run = { key, steps: [], timed: [], first: [], last: [], turns: new Map() };
      if (line !== undefined) run.line = line;
      this.runs.set(key, run);
    }
    const type = record.type as string;
    if (type === 'run') {
      const task = text(record.task);
      if (task !== undefined) run.task = task;
      const model = text(record.model);
      if (model !== undefined) run.model = model;
      return;
    }
    if (type === 'end') {
      run.end = record;
      return;
    }
    const turn = str(record.turn);
    let index = turn !== undefined ? run.turns.get(turn) : undefined;
    let step = index !== undefined ? run.steps[index] : undefined;
    if (!step) {
      step = newStep(type as StepKind);
      if (line !== undefined) step.line = line;
      run.steps.push(step);
      run.timed.push(false);
      run.first.push(undefined);
      run.last.push(undefined);
      index = run.steps.length - 1;
      if (turn !== undefined) run.turns.set(turn, index);
    } else {
      step.kind = mergeKind(step.kind, type as StepKind);
    }
    const i = index as number;
    const words = text(record.text);
    if (words !== undefined) step.text = step.text !== undefined ? `${step.text}\n${words}` : words;
    const tool = text(record.tool);
    if (type === 'tool' || tool !== undefined) {
      if (tool === undefined) this.diag.add('warning', 'missing-tool', 'a "tool" record without a "tool" name', line);
      step.calls.push(callOf(record, tool ?? ''));
    }
    const tokens = obj(record.tokens);
    if (tokens) {
      const input = num(tokens.input) ?? 0;
      const output = num(tokens.output) ?? 0;
      step.tokens = { input: (step.tokens?.input ?? 0) + input, output: (step.tokens?.output ?? 0) + output };
    }
    const cost = num(record.costUsd);
    if (cost !== undefined) step.costUsd = (step.costUsd ?? 0) + cost;
    const model = text(record.model);
    if (model !== undefined) step.model ??= model;
    const ts = epochMs(record.ts ?? null);
    const duration = num(record.durationMs);
    if (ts !== undefined) {
      const end = ts + (duration ?? 0);
      run.first[i] = Math.min(run.first[i] ?? ts, ts);
      run.last[i] = Math.max(run.last[i] ?? end, end);
      if (duration !== undefined) run.timed[i] = true;
    } else if (duration !== undefined) {
      step.durationMs = (step.durationMs ?? 0) + duration;
    }
  }

  finish(): DraftTrajectory[] {
    const out: DraftTrajectory[] = [];
    let index = 0;
    for (const run of this.runs.values()) {
      times(run);
      const d: DraftTrajectory = { format: 'generic', source: { file: this.file, index: index++ }, steps: run.steps };
      if (run.line !== undefined) d.source.line = run.line;
      if (run.key !== '') d.id = run.key;
      if (run.task !== undefined) d.taskId = run.task;
      if (run.model !== undefined) d.model = run.model;
      d.outcome = outcomeOf(run, this.diag);
      out.push(d);
    }
    return out;
  }
}

function mergeKind(a: StepKind, b: StepKind): StepKind {
  const rank: Record<StepKind, number> = { user: 0, error: 0, llm: 1, think: 2, tool: 3, final: 4 };
  if (a === 'user' || a === 'error' || b === 'user' || b === 'error') return a;
  return rank[b] > rank[a] ? b : a;
}

function callOf(r: JsonObject, tool: string): ToolCall {
  const call: ToolCall = { toolName: tool, ...parseArguments(r.args), isError: false };
  const id = str(r.callId);
  if (id !== undefined) call.id = id;
  const result = resultText(r.result);
  if (result !== undefined) call.result = result;
  if (r.error === true || (typeof r.error === 'string' && r.error !== '')) {
    call.isError = true;
    if (call.result === undefined && typeof r.error === 'string') call.result = r.error;
  }
  return call;
}

/** Steps whose records gave durations keep their own times; the others start where the previous step ended. */
function times(run: RunState): void {
  let prevEnd: number | undefined;
  run.steps.forEach((s, i) => {
    const first = run.first[i];
    const last = run.last[i];
    if (first === undefined || last === undefined) return;
    const start = run.timed[i] || prevEnd === undefined || prevEnd > first ? first : prevEnd;
    s.startMs = start;
    s.durationMs = Math.max(0, last - start);
    prevEnd = last;
  });
}

function outcomeOf(run: RunState, diag: DiagnosticSink): DraftTrajectory['outcome'] {
  const end = run.end;
  const status = text(end?.status);
  const finalIndex = lastAgentStep(run.steps);
  const finalStep = run.steps[finalIndex]?.kind === 'final' ? finalIndex : undefined;
  if (end && status !== undefined && endStatuses.has(status as OutcomeStatus)) {
    const o: NonNullable<DraftTrajectory['outcome']> = { status: status as OutcomeStatus, reason: text(end.reason) ?? `the run ended with status ${status}`, exitStatus: status };
    if ((status === 'final-answer' || status === 'submitted') && finalStep !== undefined) o.step = finalStep;
    const reward = num(end.reward);
    if (reward !== undefined) o.reward = reward;
    const error = text(end.error);
    if (error !== undefined) o.error = error;
    return o;
  }
  if (end && status !== undefined) diag.add('warning', 'unknown-status', `unknown end status "${status}" (expected ${[...endStatuses].join(' | ')}): the outcome is inferred from the steps`);
  const o = inferOutcome(run.steps);
  if (end) {
    const reward = num(end.reward);
    if (reward !== undefined) o.reward = reward;
  }
  return o;
}
