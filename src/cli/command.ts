import type { ParseArgsConfig } from 'node:util';

/** The CLI's contract with CI scripts: see README "CLI". */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  badInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: long commands (deploys) stop cleanly and record it. */
  signal?: AbortSignal;
}

export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface CommandContext {
  positionals: string[];
  options: Readonly<Record<string, OptionValue>>;
  /** True when `--json` was given: `run` must put its whole answer in `json`. */
  json: boolean;
  io: CliIo;
}

export interface CommandResult {
  exitCode: ExitCode;
  /** What `--json` prints: exactly one document. */
  json: unknown;
  /** What is printed without `--json`. */
  text: string;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines shown by `agentops help <name>`, without the leading `agentops `. */
  usage: string[];
  /** Options beyond the global `--json` and `--help`; descriptions for help. */
  options?: Record<string, CommandOption>;
  /** How many positional arguments the command takes; extra or missing ones are a usage error. Default none. */
  positionals?: { min: number; max: number; name: string };
  run(ctx: CommandContext): Promise<CommandResult>;
}

export interface CommandOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Placeholder in help, e.g. `FILE`. */
  value?: string;
}

/** Wrong arguments: exit 2 with the message and a pointer to help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export function toParseArgsOptions(options: Record<string, CommandOption> = {}): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, opt] of Object.entries(options)) {
    out[name] = { type: opt.type, ...(opt.short ? { short: opt.short } : {}), ...(opt.multiple ? { multiple: true } : {}) };
  }
  return out;
}
