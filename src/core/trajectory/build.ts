/**
 * What every reader shares: the context it reads in (file, lines, diagnostics),
 * and turning its draft into a finished Trajectory (step indices, the final
 * step, the outcome when the file does not say, totals).
 */
import type { LineIndex } from './json';
import { isAgentStep, type JsonValue, type Outcome, type Step, type TokenCounts, type Trajectory, type TrajectoryFormat, type TrajectorySource } from './model';

/** Per code and file: a corrupt file must not produce a million diagnostics. */
import { DiagnosticSink } from '../diagnostics';

export { DiagnosticSink };

/** What a reader gets: the file, the start lines of the document's records, and a place for problems. */
export interface ReadContext {
  file: string;
  lines: LineIndex;
  diag: DiagnosticSink;
  /** 0-based position of the document in a JSON Lines file of documents (undefined for a whole-file document). */
  docIndex?: number;
}

/** A step before indices are assigned. */
export type DraftStep = Omit<Step, 'index'>;

export interface DraftTrajectory {
  id?: string;
  format: TrajectoryFormat;
  source: TrajectorySource;
  taskId?: string;
  model?: string;
  steps: DraftStep[];
  /** The outcome when the file says how the run ended; inferred from the steps otherwise. */
  outcome?: Omit<Outcome, 'step'> & { step?: number };
  /** Totals the harness reported itself (used where the steps carry none). */
  reported?: { tokens?: TokenCounts; costUsd?: number; durationMs?: number };
}

export function newStep(kind: Step['kind'], fields: Partial<DraftStep> = {}): DraftStep {
  return { kind, calls: [], ...fields };
}

/** The last agent step's position, or -1. */
export function lastAgentStep(steps: readonly DraftStep[]): number {
  for (let i = steps.length - 1; i >= 0; i--) if (isAgentStep(steps[i] as Step)) return i;
  return -1;
}

/**
 * The outcome from the steps alone: a run whose last agent turn is a final step or
 * plain text ended with an answer; one whose last turn called tools just stopped.
 * Marks a text-only last turn as the final step.
 */
export function inferOutcome(steps: DraftStep[]): Omit<Outcome, 'status'> & { status: Outcome['status'] } {
  const last = lastAgentStep(steps);
  const step = steps[last];
  if (!step) return { status: 'empty', reason: 'the run has no agent step' };
  if (steps.slice(last + 1).some((s) => s.kind === 'user')) return { status: 'no-final-answer', reason: 'the last user message got no reply' };
  if (step.kind === 'final') return { status: 'final-answer', reason: 'the run ended with a final answer', step: last };
  if (step.kind === 'llm') {
    step.kind = 'final';
    return { status: 'final-answer', reason: 'the run ended with the model’s answer', step: last };
  }
  const names = step.calls.map((c) => c.toolName).join(', ');
  return { status: 'no-final-answer', reason: `the run stopped after a tool call (${names || 'no name'}) without a final answer` };
}

/** Marks the last agent step as the final one when it is a text reply; returns its index or undefined. */
export function markFinalText(steps: DraftStep[]): number | undefined {
  const last = lastAgentStep(steps);
  const step = steps[last];
  if (step && (step.kind === 'llm' || step.kind === 'final')) {
    step.kind = 'final';
    return last;
  }
  return undefined;
}

function sumTokens(steps: readonly DraftStep[]): TokenCounts | undefined {
  let any = false;
  const t: TokenCounts = { input: 0, output: 0 };
  for (const s of steps) {
    if (!s.tokens) continue;
    any = true;
    t.input += s.tokens.input;
    t.output += s.tokens.output;
  }
  return any ? t : undefined;
}

function sumCost(steps: readonly DraftStep[]): number | undefined {
  let any = false;
  let c = 0;
  for (const s of steps) {
    if (s.costUsd === undefined) continue;
    any = true;
    c += s.costUsd;
  }
  return any ? c : undefined;
}

function wallTime(steps: readonly DraftStep[]): number | undefined {
  let start = Infinity;
  let end = -Infinity;
  let sum = 0;
  let anyDuration = false;
  for (const s of steps) {
    if (s.durationMs !== undefined) {
      sum += s.durationMs;
      anyDuration = true;
    }
    if (s.startMs === undefined) continue;
    start = Math.min(start, s.startMs);
    end = Math.max(end, s.startMs + (s.durationMs ?? 0));
  }
  if (Number.isFinite(start) && Number.isFinite(end)) return end - start;
  return anyDuration ? sum : undefined;
}

export function finishTrajectory(d: DraftTrajectory, fallbackId: string): Trajectory {
  const steps: Step[] = d.steps.map((s, index) => ({ index, ...s }));
  const agentSteps = steps.filter(isAgentStep).length;
  let outcome: Outcome;
  if (agentSteps === 0) {
    const crashed = d.outcome?.error ?? (d.outcome?.status === 'error' ? d.outcome.reason : undefined);
    outcome = { status: 'empty', reason: crashed !== undefined ? `the run has no agent step: it crashed (${crashed})` : 'the run has no agent step' };
    if (d.outcome?.exitStatus !== undefined) outcome.exitStatus = d.outcome.exitStatus;
    if (d.outcome?.reward !== undefined) outcome.reward = d.outcome.reward;
    if (crashed !== undefined) outcome.error = crashed;
  } else if (d.outcome) {
    outcome = { ...d.outcome };
    if (outcome.step === undefined) delete outcome.step;
  } else {
    outcome = inferOutcome(steps);
    const s = outcome.step !== undefined ? steps[outcome.step] : undefined;
    if (s) s.kind = 'final';
  }
  const totals: Trajectory['totals'] = {
    steps: steps.length,
    agentSteps,
    toolCalls: steps.reduce((n, s) => n + s.calls.length, 0),
  };
  const tokens = sumTokens(steps) ?? d.reported?.tokens;
  if (tokens) totals.tokens = tokens;
  const cost = d.reported?.costUsd ?? sumCost(steps);
  if (cost !== undefined) totals.costUsd = cost;
  const duration = d.reported?.durationMs ?? wallTime(steps);
  if (duration !== undefined) totals.durationMs = duration;
  const t: Trajectory = { id: d.id ?? fallbackId, source: d.source, format: d.format, steps, outcome, totals };
  if (d.taskId !== undefined) t.taskId = d.taskId;
  if (d.model !== undefined) t.model = d.model;
  return t;
}

/**
 * Step times for logs that stamp events only: each step starts when the step before
 * it ended (so the model's latency counts), and ends at its last event.
 */
export function chainTimes(steps: DraftStep[], firstMs: (number | undefined)[], lastMs: (number | undefined)[]): void {
  let prevEnd: number | undefined;
  steps.forEach((s, i) => {
    const first = firstMs[i];
    const last = lastMs[i] ?? first;
    if (first === undefined || last === undefined) return;
    const start = prevEnd !== undefined && prevEnd <= first ? prevEnd : first;
    s.startMs = start;
    s.durationMs = Math.max(0, last - start);
    prevEnd = last;
  });
}

/** How a reader plugs in: a cheap test on the parsed document, and the reading. */
export interface FormatReader {
  format: TrajectoryFormat;
  detect(value: JsonValue): boolean;
  read(value: JsonValue, ctx: ReadContext): DraftTrajectory[];
}

/** Tools whose call ends a run on purpose, in frameworks that have one (smolagents, OpenHands, Cline/Roo, Harbor terminus, SWE-agent). */
export const finishTools: ReadonlySet<string> = new Set(['final_answer', 'finish', 'submit', 'attempt_completion', 'task_complete', 'mark_task_complete', 'complete_task']);

/**
 * When the last agent turn calls a finish tool, that turn is the final step.
 * Returns the outcome it implies, or undefined.
 */
export function finishToolOutcome(steps: DraftStep[], names: ReadonlySet<string> = finishTools): DraftTrajectory['outcome'] | undefined {
  const last = lastAgentStep(steps);
  const step = steps[last];
  const call = step?.calls.find((c) => names.has(c.toolName));
  if (!step || !call) return undefined;
  step.kind = 'final';
  if (call.toolName === 'submit') return { status: 'submitted', reason: 'the agent called submit', step: last };
  return { status: 'final-answer', reason: `the agent called ${call.toolName}`, step: last };
}
