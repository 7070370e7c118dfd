import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cacheRoot, repoRoot, sampleWorkspace } from './paths';
import { killAll } from './processes';
import { ensureVsCodeServer, startVsCodeServer } from './vscodeServer';

/**
 * `npm start` (after the build): desktop VS Code on the sample workspace with
 * this extension loaded when `code` is on PATH; otherwise VS Code's server on
 * 127.0.0.1, with the URL to open. Ctrl-C stops what it started.
 */
async function main(): Promise<void> {
  const forceServer = process.argv.includes('--server') || Boolean(process.env.AGENTOPS_START_SERVER);
  if (!forceServer && hasDesktopCode()) {
    const result = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, sampleWorkspace], { stdio: 'inherit' });
    if (result.status === 0) {
      console.log('Opened VS Code on samples/workspace with Agent Ops loaded (Extension Development Host).');
      console.log('Rebuild with `npm run watch` and run "Developer: Reload Window" to pick up changes.');
      return;
    }
    console.log('`code` failed to start; falling back to the VS Code server.');
  }
  const install = await ensureVsCodeServer((line) => console.log(line));
  const token = randomBytes(16).toString('hex');
  const port = process.env.AGENTOPS_PORT ? Number(process.env.AGENTOPS_PORT) : undefined;
  const server = await startVsCodeServer(install, { stateDir: join(cacheRoot(), 'start'), connectionToken: token, ...(port ? { port } : {}) });
  const url = server.workbenchUrl(sampleWorkspace, { extensionDevelopmentPath: repoRoot });
  console.log(`\nVS Code ${install.vscodeVersion} with Agent Ops is running on samples/workspace:\n\n  ${url}\n`);
  console.log('Open that URL in a browser on this machine. Press Ctrl-C to stop the server.');
  await server.exited;
}

function hasDesktopCode(): boolean {
  const probe = spawnSync('code', ['--version'], { encoding: 'utf8' });
  // The VS Code server's own remote CLI is also called `code`; only the desktop app prints a version this way.
  return probe.status === 0 && /^\d+\.\d+\.\d+/.test(probe.stdout);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  killAll();
  process.exit(1);
});
