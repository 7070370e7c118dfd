import { parseArgs } from 'node:util';
import { isInputError, type SourceLocation } from '../core/errors';
import { ExitCode, UsageError, toParseArgsOptions, type CliIo, type CommandResult } from './command';
import { createRegistry } from './commands';
import { commandHelpJson, commandHelpText, globalOptions, overviewText } from './help';
import type { CommandRegistry } from './registry';

interface CliErrorJson {
  error: { kind: 'usage' | 'input' | 'internal'; message: string; commands?: string[] } & Partial<SourceLocation>;
}

/**
 * Runs one `agentops` invocation and returns its exit code. Never throws and
 * never calls process.exit, so tests can drive it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo, registry: CommandRegistry = createRegistry()): Promise<number> {
  const json = argv.includes('--json');
  try {
    const result = await dispatch(argv, io, registry, json);
    emit(io, json, result.json, result.text);
    return result.exitCode;
  } catch (err) {
    return reportError(err, io, json, registry);
  }
}

async function dispatch(argv: readonly string[], io: CliIo, registry: CommandRegistry, json: boolean): Promise<CommandResult> {
  const at = argv.findIndex((a) => a !== '--json');
  const first = argv[at];
  if (first === undefined) throw new UsageError('no command given');
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  if (first === '--version' || first === '-V') return runNamed('version', rest, io, registry, json);
  if (first === '--help' || first === '-h') return runNamed('help', rest, io, registry, json);
  if (first.startsWith('-')) throw new UsageError(`expected a command before '${first}'`);
  return runNamed(first, rest, io, registry, json);
}

async function runNamed(name: string, rest: string[], io: CliIo, registry: CommandRegistry, json: boolean): Promise<CommandResult> {
  const command = registry.get(name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: toParseArgsOptions({ ...command.options, ...globalOptions }),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(describeParseError(err), name);
  }
  if (parsed.values.help === true) {
    return { exitCode: ExitCode.ok, text: commandHelpText(command), json: commandHelpJson(command) };
  }
  const { min, max, name: argName } = command.positionals ?? { min: 0, max: 0, name: 'argument' };
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`missing ${argName}`, name);
  if (count > max) throw new UsageError(max === 0 ? `takes no arguments, got: ${parsed.positionals.join(' ')}` : `too many arguments: ${parsed.positionals.join(' ')}`, name);
  return command.run({ positionals: parsed.positionals, options: parsed.values, json, io });
}

function emit(io: CliIo, json: boolean, doc: unknown, text: string): void {
  if (json) io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  else if (text.length > 0) io.stdout(text.endsWith('\n') ? text : `${text}\n`);
}

function reportError(err: unknown, io: CliIo, json: boolean, registry: CommandRegistry): number {
  let doc: CliErrorJson;
  if (err instanceof UsageError) {
    const commands = registry.names();
    const hint = err.command ? `Run 'agentops help ${err.command}' for usage.` : `Commands: ${commands.join(', ')}. Run 'agentops help' for usage.`;
    io.stderr(`agentops: ${err.message}\n${hint}\n`);
    if (!err.command && err.message === 'no command given' && !json) io.stderr(`\n${overviewText(registry)}`);
    doc = { error: { kind: 'usage', message: err.message, ...(err.command ? {} : { commands }) } };
  } else if (isInputError(err)) {
    io.stderr(`agentops: ${err.message}\n`);
    doc = { error: { kind: 'input', message: err.detail, ...err.location } };
  } else {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`agentops: internal error: ${err instanceof Error && err.stack ? err.stack : message}\n`);
    doc = { error: { kind: 'internal', message } };
  }
  if (json) io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  return ExitCode.badInput;
}

/** node:util parseArgs messages are long-winded; keep the part a user needs. */
function describeParseError(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const option = /'([^']+)'/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option ?? '?'}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return (message ?? 'invalid option value').replace(/\.$/, '');
    default:
      return message ?? String(err);
  }
}
