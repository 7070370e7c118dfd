/**
 * Which monitoring actions a workspace may run. Starting the collector opens a port and writes what any
 * local process sends into the workspace: a workspace the user has not trusted could set the port or the
 * limits, so it is refused there (the deploy commands' rule). Reading trace files in the dashboard runs
 * nothing and is always allowed. No `vscode` import: unit-tested on plain Node.
 */
export function collectorAllowed(isTrusted: boolean): boolean {
  return isTrusted;
}
