import { isAbsolute, join, resolve } from 'node:path';

/** The VS Code the integration suite runs in: code-server 4.139.1 ships VS Code 1.139.1's server. */
export const vscodeVersion = '1.139.1';
export const codeServerVersion = '4.139.1';
export const hostNodeMajor = 24;

/** Bundled harness lives in out/test/harness; the repository is three levels up. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

export const sampleWorkspace = join(repoRoot, 'samples', 'workspace');

/** Git-ignored download cache, like @vscode/test-electron's .vscode-test. Override with AGENTOPS_TEST_CACHE. */
export function cacheRoot(): string {
  const override = process.env.AGENTOPS_TEST_CACHE;
  if (override) return isAbsolute(override) ? override : resolve(override);
  return join(repoRoot, '.cache');
}
