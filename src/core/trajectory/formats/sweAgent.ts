/**
 * SWE-agent `.traj` files: `{environment, trajectory[{action, observation, response, thought,
 * state, execution_time?, query?}], history[{role, content, agent, is_demo?, message_type?,
 * action?, thought?, tool_calls?, tool_call_ids?}], info{exit_status, submission,
 * model_stats{instance_cost, tokens_sent, tokens_received, api_calls}}, replay_config?}`.
 *
 * Each `trajectory` entry is one turn: the model's thought and one command, with its
 * observation. The tool of a turn comes from the function-calling history when it has one
 * (`tool_calls` with JSON arguments; some files store them as a Python repr string), else
 * from the command word of a classic text action (`edit 287:295 …` → `edit`, with the whole
 * action as the raw-string arguments; anything not a SWE-agent command is `bash`).
 * SWE-agent has no error flag: an observation matching one of its error templates (edit
 * rejected for syntax errors, malformed output, blocked or timed-out command) is an error.
 * Tokens and cost exist only as run totals (model_stats).
 */
import { finishToolOutcome, inferOutcome, newStep, type DraftStep, type DraftTrajectory, type FormatReader, type ReadContext } from '../build';
import { arr, isObject, num, obj, str, text, type JsonObject } from '../json';
import { makeCall } from '../messages';
import type { JsonValue, OutcomeStatus, ToolCall } from '../model';
import { parsePythonLiteral } from '../pyLiteral';

/** Commands of SWE-agent's default tool bundles (tools/defaults, windowed, search, edit_*, submit, registry). */
const knownCommands = ['open', 'goto', 'scroll_up', 'scroll_down', 'create', 'edit', 'insert', 'submit', 'search_dir', 'search_file', 'find_file', 'str_replace_editor', 'filemap', 'view_image', 'exit_forfeit'];

const errorTemplates = [
  /^\s*Your proposed edit has introduced new syntax error/,
  /^\s*Your bash command contained syntax errors and was NOT executed/,
  /^\s*Your output could not be parsed/,
  /^\s*Your output was not formatted correctly/,
  /^\s*The command .* was cancelled because it took more than \d+ seconds/,
  /^\s*Interactive operation '.*' is not supported by this environment/,
  /^\s*Operation '.*' is not supported by this environment/,
];

export function isSweAgentObservationError(observation: string): boolean {
  return errorTemplates.some((re) => re.test(observation));
}

function isTraj(v: JsonValue): v is JsonObject {
  if (!isObject(v) || !Array.isArray(v.trajectory)) return false;
  if (!v.trajectory.every((e) => isObject(e) && ('action' in e || 'observation' in e))) return false;
  return isObject(v.info) || Array.isArray(v.history);
}

export const sweAgentReader: FormatReader = {
  format: 'swe-agent',
  detect: isTraj,
  read(v, ctx) {
    return isTraj(v) ? [readTraj(v, ctx)] : [];
  },
};

/** Command names documented in the system prompt (`COMMANDS:` then `name:` / `  docstring:` blocks). */
function commandsOf(history: JsonValue[]): Set<string> {
  const names = new Set(knownCommands);
  const system = history.find((m) => isObject(m) && m.role === 'system');
  const prompt = isObject(system) ? (str(system.content) ?? '') : '';
  for (const m of prompt.matchAll(/^([A-Za-z_][\w-]*):\n\s+(?:docstring|signature):/gm)) names.add(m[1] as string);
  return names;
}

function parseToolCalls(v: JsonValue | undefined): JsonValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') return undefined;
  try {
    const parsed = JSON.parse(v) as JsonValue;
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // a Python repr: str(list_of_dicts)
  }
  const py = parsePythonLiteral(v);
  return Array.isArray(py) ? py : undefined;
}

function callsFromHistory(message: JsonObject | undefined): ToolCall[] | undefined {
  const list = parseToolCalls(message?.tool_calls);
  if (!list || list.length === 0) return undefined;
  const calls: ToolCall[] = [];
  for (const c of list) {
    if (!isObject(c)) continue;
    const fn = obj(c.function) ?? c;
    const name = text(fn.name);
    if (name === undefined) continue;
    calls.push(makeCall(str(c.id), name, fn.arguments ?? c.arguments));
  }
  return calls.length > 0 ? calls : undefined;
}

function classicCall(action: string, commands: Set<string>): ToolCall {
  const word = /^\s*([^\s]+)/.exec(action)?.[1] ?? '';
  return { toolName: commands.has(word) ? word : 'bash', arguments: action, rawArguments: action, isError: false };
}

const limitExits = new Set(['exit_cost', 'exit_context', 'exit_total_execution_time', 'exit_step_limit', 'exit_api_calls']);
const errorExits = new Set(['exit_format', 'exit_error', 'exit_api', 'exit_environment_error', 'exit_command', 'exit_command_timeout', 'exit_repeated_format_error']);

function outcomeOfExit(exit: string): { status: OutcomeStatus; reason: string } {
  if (exit === 'submitted') return { status: 'submitted', reason: 'the agent submitted' };
  const auto = /^submitted \((\w+)\)$/.exec(exit)?.[1];
  if (auto !== undefined) {
    return errorExits.has(auto) ? { status: 'error', reason: `auto-submitted after ${auto}` } : { status: 'limit', reason: `auto-submitted when the run hit ${auto}` };
  }
  if (limitExits.has(exit)) return { status: 'limit', reason: `the run hit ${exit}` };
  if (exit === 'exit_forfeit') return { status: 'no-final-answer', reason: 'the agent forfeited' };
  if (errorExits.has(exit)) return { status: 'error', reason: `the run exited with ${exit}` };
  return { status: 'error', reason: `the run exited with "${exit}"` };
}

function readTraj(doc: JsonObject, ctx: ReadContext): DraftTrajectory {
  const history = arr(doc.history) ?? [];
  const commands = commandsOf(history);
  const actions = history.filter((m): m is JsonObject => isObject(m) && m.role === 'assistant' && typeof m.action === 'string' && m.is_demo !== true && m.is_demo !== 'True');
  let cursor = 0;
  const steps: DraftStep[] = [];
  (arr(doc.trajectory) ?? []).forEach((raw, i) => {
    const e = obj(raw) ?? {};
    const action = str(e.action) ?? '';
    const observation = str(e.observation);
    const thought = text(e.thought) ?? text(e.response);
    const line = ctx.lines.lineAt('trajectory', i);
    // The history message of this turn: the next assistant message with the same action.
    let message: JsonObject | undefined;
    for (let k = cursor; k < actions.length; k++) {
      if (actions[k]?.action === action) {
        message = actions[k];
        cursor = k + 1;
        break;
      }
    }
    const step = newStep('tool');
    if (thought !== undefined) step.text = thought;
    if (line !== undefined) step.line = line;
    const seconds = num(e.execution_time);
    if (seconds !== undefined) step.durationMs = seconds * 1000;
    if (action.trim() === '') {
      step.kind = 'llm';
      steps.push(step);
      return;
    }
    const calls = callsFromHistory(message) ?? [classicCall(action, commands)];
    const last = calls[calls.length - 1] as ToolCall;
    if (observation !== undefined) last.result = observation;
    last.isError = observation !== undefined && isSweAgentObservationError(observation);
    step.calls = calls;
    steps.push(step);
  });

  const d: DraftTrajectory = { format: 'swe-agent', source: { file: ctx.file }, steps };
  const line = ctx.lines.lineAt();
  if (line !== undefined) d.source.line = line;
  const replay = replayConfig(doc.replay_config);
  const instance = text(obj(replay?.problem_statement)?.id);
  if (instance !== undefined) {
    d.id = instance;
    d.taskId = instance;
  }
  const model = text(obj(obj(replay?.agent)?.model)?.name);
  if (model !== undefined) d.model = model;
  const info = obj(doc.info) ?? {};
  const stats = obj(info.model_stats);
  if (stats) {
    const reported: NonNullable<DraftTrajectory['reported']> = {};
    const sent = num(stats.tokens_sent);
    const received = num(stats.tokens_received);
    if (sent !== undefined || received !== undefined) reported.tokens = { input: sent ?? 0, output: received ?? 0 };
    const cost = num(stats.instance_cost);
    if (cost !== undefined) reported.costUsd = cost;
    d.reported = reported;
  }

  const submit = finishToolOutcome(steps, new Set(['submit']));
  const exit = text(info.exit_status);
  if (exit !== undefined) {
    d.outcome = { ...outcomeOfExit(exit), exitStatus: exit };
    if (d.outcome.status === 'error') d.outcome.error = exit;
    if (submit?.step !== undefined) d.outcome.step = submit.step;
  } else {
    d.outcome = submit ?? inferOutcome(steps);
  }
  return d;
}

function replayConfig(v: JsonValue | undefined): JsonObject | undefined {
  if (isObject(v)) return v;
  if (typeof v !== 'string') return undefined;
  try {
    const parsed = JSON.parse(v) as JsonValue;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
