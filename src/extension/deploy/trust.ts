/**
 * Which deploy actions a workspace may run. Deploy, roll back, promote, abort and resume run the environment's
 * target (a process, a request carrying a secret): a workspace the user has not trusted could point them
 * anywhere, so they are refused there. Reading the history runs nothing and is always allowed.
 * No `vscode` import: unit-tested on plain Node (test/unit/extension/deployTrust.test.ts).
 */
export type DeployAction = 'deploy' | 'rollback' | 'promote' | 'abort' | 'resume' | 'history';

export const trustedOnlyActions: readonly DeployAction[] = ['deploy', 'rollback', 'promote', 'abort', 'resume'];

/** Whether `action` may run in a workspace whose trust is `isTrusted`. */
export function deployActionAllowed(action: DeployAction, isTrusted: boolean): boolean {
  return isTrusted || !trustedOnlyActions.includes(action);
}
