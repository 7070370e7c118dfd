import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot, sampleWorkspace, vscodeVersion } from './paths';

/**
 * `npm run test:desktop`: the same test/integration suites in desktop VS Code,
 * downloaded by @vscode/test-electron into .vscode-test. Needs network access
 * to VS Code's download site and a display (or xvfb-run); not part of CI.
 */
async function main(): Promise<void> {
  await runTests({
    version: process.env.AGENTOPS_VSCODE_VERSION ?? vscodeVersion,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [sampleWorkspace, '--disable-extensions', '--disable-workspace-trust', '--disable-gpu'],
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
