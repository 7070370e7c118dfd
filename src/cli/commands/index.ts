import { CommandRegistry } from '../registry';
import { collectCommand } from './collect';
import { abortCommand, deployCommand, historyCommand, promoteCommand, resumeCommand, rollbackCommand, statusCommand } from './deploy';
import { helpCommand } from './help';
import { reportCommand } from './report';
import { routeCommand } from './route';
import { tokensCommand } from './tokens';
import { traceCommand } from './trace';
import { validateCommand } from './validate';
import { versionCommand } from './version';

/** Every `agentops` subcommand. A feature adds its command here. */
export function createRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  registry.register(versionCommand);
  registry.register(tokensCommand);
  registry.register(traceCommand);
  registry.register(collectCommand);
  registry.register(validateCommand);
  registry.register(routeCommand);
  registry.register(deployCommand);
  registry.register(rollbackCommand);
  registry.register(promoteCommand);
  registry.register(abortCommand);
  registry.register(resumeCommand);
  registry.register(historyCommand);
  registry.register(statusCommand);
  registry.register(reportCommand);
  registry.register(helpCommand(registry));
  return registry;
}
