/**
 * The trajectory model every part of the validator shares (src/core/trajectory).
 * Plain data, already normalised from whatever file or trace a run came from:
 * the readers (formats/*, otlp.ts) produce it, the rules consume it, the CLI
 * prints it and the extension maps it to Problems and panel rows.
 *
 * One model turn is one step: an assistant message with its tool calls (all of
 * them: parallel calls are one step) and their results. So "step" means the same
 * thing in every format, and max-steps or loop rules count the same way.
 */

/** A JSON value as read from a file. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type TrajectoryFormat =
  /** Spans of an OTLP trace (one run per agent span, or per trace). */
  | 'otlp'
  /** SWE-agent `.traj` (classic text commands and the function_calling variant). */
  | 'swe-agent'
  /** mini-swe-agent `.traj.json` (trajectory_format "mini-swe-agent-1.x"), and its older bare message list. */
  | 'mini-swe-agent'
  /** OpenHands V0 event stream: a list of action/observation events, or `{history: [...]}`. */
  | 'openhands'
  /** tau-bench v1 results: a JSON array, one record per run. */
  | 'tau-bench'
  /** tau2-bench results: `{simulations: [...]}`, one simulation per run. */
  | 'tau2-bench'
  /** OpenAI-style chat messages: `[{role, content, tool_calls}]` or `{messages: [...]}`. */
  | 'openai-messages'
  /** Our own JSON / JSON Lines format (docs/trajectory-format.md, formats/generic.ts). */
  | 'generic';

/** Where a run came from, for diagnostics, "reveal" and the CLI's JSON. */
export interface TrajectorySource {
  file: string;
  /** 0-based position of the run in a file holding several (tau-bench record, tau2 simulation, JSONL run). */
  index?: number;
  /** 1-based line where the run's record starts. */
  line?: number;
  /** Runs read from a trace: the trace, and the agent span that is the run (absent when the whole trace is the run). */
  traceId?: string;
  spanId?: string;
}

/** Token counts of one model call (input includes cached input). */
export interface TokenCounts {
  input: number;
  output: number;
}

/**
 * - `user`: a message from the user, a user simulator or the task (not the agent's own doing).
 * - `llm`: a model turn that only produced text (no tool call), and was not the run's last word.
 * - `tool`: a model turn that called one or more tools (in `calls`), with their results.
 * - `think`: a model turn whose calls all go to a reasoning-only tool (`think`): no side effects.
 *   Its calls are kept, so rules can skip it or compare it by name.
 * - `final`: the turn that ended the run deliberately: a final answer (text), or a call to a
 *   finish / submit tool (kept in `calls`). `Outcome.step` points at it.
 * - `error`: an error of the harness not tied to a call (OpenHands error observation, agent crash).
 */
export type StepKind = 'user' | 'llm' | 'tool' | 'think' | 'final' | 'error';

export interface ToolCall {
  /** The id the model gave the call. Not unique in every file (tau-bench reuses ids within a run). */
  id?: string;
  toolName: string;
  /**
   * The arguments: the parsed JSON value when the file had JSON (an object, or a string that
   * parses as JSON), otherwise the raw string (SWE-agent classic commands, unparseable text).
   * `null` when the call had none.
   */
  arguments: JsonValue;
  /** The arguments exactly as the file wrote them, when they were a string (JSON text keeps its spacing). */
  rawArguments?: string;
  /**
   * Canonical JSON of the arguments (sorted keys, no insignificant whitespace, volatile fields
   * dropped): filled in by the rules engine, which knows the per-tool configuration. Readers leave it unset.
   */
  canonicalArguments?: string;
  /** What the tool returned, as text; undefined when the file recorded no result. */
  result?: string;
  /** The tool failed (error flag, error status, non-zero exit code, an error observation). */
  isError: boolean;
  /** Runs from a trace: the tool span. */
  spanId?: string;
  durationMs?: number;
}

export interface Step {
  /** 0-based position in `Trajectory.steps`. */
  index: number;
  kind: StepKind;
  /** Tool calls of this turn, in the order the model issued them; empty for user, llm and text-only final steps. */
  calls: ToolCall[];
  /** The message text: the user's message, the model's reply or thought, the final answer, the error. */
  text?: string;
  model?: string;
  /** Tokens of this turn's model call(s); undefined when the file does not record them per step. */
  tokens?: TokenCounts;
  costUsd?: number;
  /**
   * Epoch milliseconds when the step began. Logs that stamp only events give the previous
   * event's time, so the model's latency is part of the step.
   */
  startMs?: number;
  durationMs?: number;
  /** 1-based line in `source.file` where the step's record starts, when it could be found. */
  line?: number;
  /** Runs from a trace: the spans of this step (the model call first, then the tool spans). */
  spanIds?: string[];
}

/**
 * How the run ended.
 * - `final-answer`: the agent ended with an answer, a finish action, a handoff, or the user closed a finished conversation.
 * - `submitted`: the agent submitted (SWE-agent / mini-swe-agent exit status "submitted").
 * - `limit`: a step, cost, time or context limit stopped it (also "submitted (exit_cost)": auto-submitted at a limit).
 * - `error`: the run crashed or exited with an error status.
 * - `no-final-answer`: it just stopped: last turn a tool call, or the conversation was cut off.
 * - `empty`: no agent step at all (whatever the reason; see `error` for a crash).
 */
export type OutcomeStatus = 'final-answer' | 'submitted' | 'limit' | 'error' | 'no-final-answer' | 'empty';

export interface Outcome {
  status: OutcomeStatus;
  /** One sentence for people: why this status. */
  reason: string;
  /** Index of the step that ended the run (kind `final`), when there is one. */
  step?: number;
  /** The exit status or termination reason exactly as the file wrote it. */
  exitStatus?: string;
  /** The benchmark's reward, when the file has one (tau-bench, tau2-bench). */
  reward?: number;
  /** The error message of a crashed run. */
  error?: string;
}

export interface TrajectoryTotals {
  /** All steps, including user and error steps. */
  steps: number;
  /** Steps the agent took (llm, tool, think, final): what a max-steps rule counts. */
  agentSteps: number;
  toolCalls: number;
  /** Summed over steps, or the harness's own totals when steps carry none (SWE-agent model_stats). */
  tokens?: TokenCounts;
  costUsd?: number;
  /** Wall time of the run (first to last event, or the agent span), else the sum of step durations. */
  durationMs?: number;
}

export interface Trajectory {
  /** Unique within a file: the trace id for a run read from a trace; else the run's own id, or one made from task and trial. */
  id: string;
  source: TrajectorySource;
  format: TrajectoryFormat;
  /** Task or instance id (SWE-bench instance, tau-bench task). */
  taskId?: string;
  model?: string;
  steps: Step[];
  outcome: Outcome;
  totals: TrajectoryTotals;
}

import type { SourceDiagnostic } from '../diagnostics';

export type { DiagnosticSeverity } from '../diagnostics';

/** Codes: 'invalid-json', 'truncated-line', 'unknown-record', 'unmatched-result', 'empty-file', 'suppressed', or an OTLP reader code. */
export type TrajectoryDiagnostic = SourceDiagnostic;

export interface TrajectoryReadResult {
  trajectories: Trajectory[];
  diagnostics: TrajectoryDiagnostic[];
}

export const agentStepKinds: readonly StepKind[] = ['llm', 'tool', 'think', 'final'];

export function isAgentStep(step: Step): boolean {
  return step.kind !== 'user' && step.kind !== 'error';
}
