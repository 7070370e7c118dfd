import type { CliCommand } from './command';

/** The subcommands `agentops` knows. Feature modules add theirs in `commands/index.ts`. */
export class CommandRegistry {
  private readonly commands = new Map<string, CliCommand>();

  register(command: CliCommand): this {
    if (this.commands.has(command.name)) throw new Error(`command registered twice: ${command.name}`);
    this.commands.set(command.name, command);
    return this;
  }

  get(name: string): CliCommand | undefined {
    return this.commands.get(name);
  }

  list(): CliCommand[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.list().map((c) => c.name);
  }
}
