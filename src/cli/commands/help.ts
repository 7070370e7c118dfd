import { ExitCode, UsageError, type CliCommand } from '../command';
import { commandHelpJson, commandHelpText, overviewText } from '../help';
import type { CommandRegistry } from '../registry';
import { cliVersion } from '../version';

export function helpCommand(registry: CommandRegistry): CliCommand {
  return {
    name: 'help',
    summary: 'Show the commands, or the options of one command',
    usage: ['help [command]'],
    positionals: { min: 0, max: 1, name: 'command' },
    async run({ positionals }) {
      const [name] = positionals;
      if (name === undefined) {
        return {
          exitCode: ExitCode.ok,
          text: overviewText(registry),
          json: {
            version: cliVersion,
            commands: registry.list().map((c) => ({ name: c.name, summary: c.summary })),
            exitCodes: { ok: ExitCode.ok, gateFailed: ExitCode.gateFailed, badInput: ExitCode.badInput },
          },
        };
      }
      const command = registry.get(name);
      if (!command) throw new UsageError(`unknown command '${name}'`);
      return { exitCode: ExitCode.ok, text: commandHelpText(command), json: commandHelpJson(command) };
    },
  };
}
