import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, codeServerVersion, hostNodeMajor, vscodeVersion } from './paths';
import { freePort, runToCompletion, spawnTracked, stopTracked } from './processes';

export interface VsCodeServerInstall {
  /** Node 24 that runs the server and its extension hosts. */
  node: string;
  serverMain: string;
  vscodeVersion: string;
}

/**
 * Installs Node 24 and VS Code's server (from code-server's npm package) into
 * the cache on first use. The postinstall must run under Node 24 with node-gyp
 * pointed at Node 24's headers; it builds the server's native addons.
 */
export async function ensureVsCodeServer(log: (line: string) => void): Promise<VsCodeServerInstall> {
  const root = join(cacheRoot(), `vscode-server-${vscodeVersion}`);
  const nodePackage = `node-${process.platform}-${process.arch}`;
  const nodeDir = join(root, 'node_modules', nodePackage);
  const node = join(nodeDir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const serverMain = join(root, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  const marker = join(root, '.complete');
  const result = { node, serverMain, vscodeVersion };
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `${codeServerVersion}\n` && existsSync(node) && existsSync(serverMain)) return result;

  log(`Installing VS Code ${vscodeVersion} server and Node ${hostNodeMajor} into ${root} (first run only, about 2 minutes)…`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "name": "agent-ops-test-cache", "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  await runToCompletion(npm, ['install', '--prefix', root, ...quiet, `${nodePackage}@${hostNodeMajor}`], { label: 'npm install node', cwd: root });
  if (!existsSync(node)) throw new Error(`npm installed ${nodePackage}@${hostNodeMajor} but ${node} is missing`);

  const env = {
    // Drop the outer `npm run`'s npm_* variables: npm_config_user_agent would tell the
    // postinstall it runs on this Node, not Node 24.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE')),
    // npm itself must run on Node 24: code-server's postinstall checks the version npm runs on.
    PATH: `${join(nodeDir, 'bin')}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
    // Native addons are built against Node 24's headers, not the machine's Node.
    npm_config_nodedir: nodeDir,
    // npm 11 skips dependency install scripts by default; the server's native addons need them.
    npm_config_dangerously_allow_all_scripts: 'true',
  };
  try {
    await runToCompletion(npm, ['install', '--prefix', root, ...quiet, `code-server@${codeServerVersion}`], { label: 'npm install code-server', cwd: root, env });
  } catch (err) {
    const hint =
      process.platform === 'linux'
        ? '\nOn Debian/Ubuntu the server needs: apt-get install -y --no-install-recommends libkrb5-dev python3 make g++'
        : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}${hint}`, { cause: err });
  }
  if (!existsSync(serverMain)) throw new Error(`code-server installed but ${serverMain} is missing`);
  writeFileSync(marker, `${codeServerVersion}\n`);
  return result;
}

export interface ServerOptions {
  /** Folder for server data, user data, extensions and the log. */
  stateDir: string;
  env?: Record<string, string>;
  port?: number;
  /** Require this token (passed as `tkn` in the URL); tests run without one, `npm start` with one. */
  connectionToken?: string;
}

export interface RunningServer {
  port: number;
  origin: string;
  extensionsDir: string;
  logFile: string;
  /** URL of a workbench window on `folder`, loading the given development extension and test runner. */
  workbenchUrl(folder: string, payload?: { extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  /** Resolves when the server process ends. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

const listeningLine = /Extension host agent listening on (\d+)/;

/** Starts VS Code's server on 127.0.0.1 and resolves once it accepts connections. */
export async function startVsCodeServer(install: VsCodeServerInstall, options: ServerOptions): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const dirs = { data: join(options.stateDir, 'server-data'), user: join(options.stateDir, 'user-data'), extensions: join(options.stateDir, 'extensions') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const logFile = join(options.stateDir, 'server.log');
  const args = [
    install.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    ...(options.connectionToken ? ['--connection-token', options.connectionToken] : ['--without-connection-token']),
    '--accept-server-license-terms',
    // Without this flag the workbench silently ignores the test payload.
    '--enable-smoke-test-driver',
    '--disable-telemetry',
    '--disable-workspace-trust',
    '--server-data-dir', dirs.data,
    '--user-data-dir', dirs.user,
    '--extensions-dir', dirs.extensions,
  ];
  const child = spawnTracked(install.node, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logStream = createWriteStream(logFile);
  child.stdout?.pipe(logStream);
  child.stderr?.pipe(logStream);
  await waitForListening(child, logFile, 60_000);

  const origin = `http://127.0.0.1:${port}`;
  const remote = (path: string) => `vscode-remote://127.0.0.1:${port}${path}`;
  return {
    port,
    origin,
    extensionsDir: dirs.extensions,
    logFile,
    workbenchUrl(folder, payload = {}) {
      const entries: [string, string][] = [];
      if (payload.extensionDevelopmentPath) entries.push(['extensionDevelopmentPath', remote(payload.extensionDevelopmentPath)]);
      if (payload.extensionTestsPath) entries.push(['extensionTestsPath', remote(payload.extensionTestsPath)]);
      let query = `folder=${encodeURIComponent(folder)}`;
      if (entries.length > 0) query += `&payload=${encodeURIComponent(JSON.stringify(entries))}`;
      if (options.connectionToken) query += `&tkn=${options.connectionToken}`;
      return `${origin}/?${query}`;
    },
    exited,
    stop: () => stopTracked(child),
  };
}

function waitForListening(child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`did not report listening within ${timeoutMs / 1000} s`), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4000);
      if (listeningLine.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => fail(`exited early (code ${code})`);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(why: string) {
      cleanup();
      reject(new Error(`VS Code server ${why}. Log: ${logFile}\n${seen}`));
    }
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** `server-main.js --install-extension <vsix>` into the server's extensions folder. */
export async function installExtension(install: VsCodeServerInstall, vsix: string, stateDir: string): Promise<void> {
  const extensions = join(stateDir, 'extensions');
  mkdirSync(extensions, { recursive: true });
  await runToCompletion(
    install.node,
    [install.serverMain, '--install-extension', vsix, '--force', '--accept-server-license-terms', '--extensions-dir', extensions, '--server-data-dir', join(stateDir, 'server-data')],
    { label: 'install VSIX' },
  );
}
