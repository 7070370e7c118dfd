import type { CliCommand, CommandOption } from './command';
import type { CommandRegistry } from './registry';
import { cliVersion } from './version';

export const globalOptions: Record<string, CommandOption> = {
  json: { type: 'boolean', description: 'Print exactly one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
};

const exitCodesText = 'Exit codes: 0 success, 1 a gate failed, 2 bad usage or unreadable input.';

export function overviewText(registry: CommandRegistry): string {
  const commands = registry.list();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `agentops ${cliVersion} — Agent Ops on the command line`,
    '',
    'Usage: agentops <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines({ ...globalOptions, version: { type: 'boolean', short: 'V', description: 'Print the version' } }),
    '',
    exitCodesText,
    "Run 'agentops help <command>' for a command's options.",
    '',
  ].join('\n');
}

export function commandHelpText(command: CliCommand): string {
  return [
    `agentops ${command.name} — ${command.summary}`,
    '',
    'Usage:',
    ...command.usage.map((u) => `  agentops ${u}`),
    '',
    'Options:',
    ...optionLines({ ...command.options, ...globalOptions }),
    '',
    exitCodesText,
    '',
  ].join('\n');
}

export function commandHelpJson(command: CliCommand): object {
  return {
    name: command.name,
    summary: command.summary,
    usage: command.usage.map((u) => `agentops ${u}`),
    options: Object.entries({ ...command.options, ...globalOptions }).map(([name, o]) => ({
      name: `--${name}`,
      ...(o.short ? { short: `-${o.short}` } : {}),
      type: o.type,
      description: o.description,
    })),
  };
}

function optionLines(options: Record<string, CommandOption>): string[] {
  const labels = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...labels.map(([flag]) => flag.length));
  return labels.map(([flag, desc]) => `  ${flag.padEnd(width)}  ${desc}`);
}
