import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mocha from 'mocha';
import type { Browser } from 'playwright-core';
import { forwardMochaEvents } from '../mochaEvents';
import { isTestEvent } from '../testEvents';
import { developmentSpecs, packagedSpecs } from '../ui/index';
import type { UiContext, UiSpec } from '../ui/uiContext';
import { findChromium, launchChromium } from './chromium';
import { cacheRoot, repoRoot, vscodeVersion } from './paths';
import { ResultPrinter } from './printer';
import { killAll, runToCompletion } from './processes';
import { prepareTestWorkspace } from './testWorkspace';
import { ensureVsCodeServer, installExtension, startVsCodeServer, type RunningServer, type VsCodeServerInstall } from './vscodeServer';
import { Workbench } from './workbench';

/**
 * `npm run test:integration`: the extension-host suites, the UI specs against
 * the development extension, and the UI specs against the packaged VSIX, all
 * in a real VS Code server on 127.0.0.1 driven through Chromium.
 */
const hostTimeoutMs = Number(process.env.AGENTOPS_TEST_TIMEOUT_MS ?? 10 * 60_000);
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

async function main(): Promise<number> {
  const started = Date.now();
  const printer = new ResultPrinter();
  let chromiumPath: string;
  try {
    chromiumPath = findChromium();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
  const install = await ensureVsCodeServer((line) => console.log(line));
  const stateDir = mkdtempSync(join(tmpdir(), 'agentops-it-'));
  const artifacts = join(cacheRoot(), 'test-artifacts');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const workspace = prepareTestWorkspace(stateDir);
  const reportFile = join(stateDir, 'host-report.jsonl');

  let browser: Browser | undefined;
  const servers: RunningServer[] = [];
  try {
    browser = await launchChromium(chromiumPath);
    console.log(`Chromium ${browser.version()} (${chromiumPath}); VS Code ${vscodeVersion} server on Node ${hostNodeVersion(install)}`);
    const dev = await startVsCodeServer(install, { stateDir: join(stateDir, 'dev'), env: { AGENTOPS_TEST_REPORT: reportFile, AGENTOPS_TEST_PLAIN_NODE: process.execPath } });
    servers.push(dev);

    printer.phase(`Extension host suites (test/integration) in VS Code server ${dev.origin}`);
    await runHostSuites(browser, dev, workspace, reportFile, printer);

    printer.phase('UI specs (test/ui), development extension');
    await runUiSpecs(developmentSpecs, uiContext(browser, workspace, () => dev.workbenchUrl(workspace, { extensionDevelopmentPath: repoRoot })), printer, artifacts);

    printer.phase('Packaged VSIX: npm run package, --install-extension, UI specs');
    const vsix = join(stateDir, `agent-ops-${version}.vsix`);
    const packagedState = join(stateDir, 'packaged');
    try {
      await runToCompletion(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix], { label: 'npm run package', cwd: repoRoot });
      printer.info(`packaged ${vsix} (${(statSync(vsix).size / 1024).toFixed(1)} KB)`);
      await installExtension(install, vsix, packagedState);
    } catch (err) {
      printer.failOutsideTests('package and install the VSIX', err instanceof Error ? err.message : String(err));
    }
    if (existsSync(join(packagedState, 'extensions'))) {
      const packaged = await startVsCodeServer(install, { stateDir: packagedState });
      servers.push(packaged);
      await runUiSpecs(packagedSpecs, uiContext(browser, workspace, () => packaged.workbenchUrl(workspace)), printer, artifacts);
    }
  } catch (err) {
    printer.failOutsideTests('integration harness', err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop()));
  }
  if (printer.failed > 0) console.log(`\nServer logs and state: ${stateDir}; screenshots of failed UI specs: ${artifacts}`);
  else rmSync(stateDir, { recursive: true, force: true });
  console.log(`\nIntegration suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  printer.summary();
  return printer.failed > 0 ? 1 : 0;
}

/**
 * Opens a window whose payload names our test runner. The host writes one
 * JSON line per event to `reportFile`, which is streamed to the terminal; the
 * workbench calls codeAutomationExit when run() settles.
 */
async function runHostSuites(browser: Browser, server: RunningServer, workspace: string, reportFile: string, printer: ResultPrinter): Promise<void> {
  let exitCode: number | undefined;
  const url = server.workbenchUrl(workspace, { extensionDevelopmentPath: repoRoot, extensionTestsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js') });
  const workbench = await Workbench.open(browser, url, {
    onExit: (code) => {
      exitCode = code;
    },
    onLog: (line) => {
      if (process.env.AGENTOPS_TEST_VERBOSE) console.log(`    [workbench] ${line}`);
    },
  });
  const tail = new ReportTail(reportFile);
  let sawEnd = false;
  let passes = 0;
  let failures = 0;
  const deadline = Date.now() + hostTimeoutMs;
  try {
    while (exitCode === undefined && Date.now() < deadline) {
      for (const event of tail.read()) {
        printer.event(event);
        if (event.type === 'end') sawEnd = true;
        if (event.type === 'fail') failures++;
        if (event.type === 'pass') passes++;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const event of tail.read()) {
      printer.event(event);
      if (event.type === 'end') sawEnd = true;
      if (event.type === 'fail') failures++;
    }
  } finally {
    await workbench.close();
  }
  if (exitCode === undefined) {
    printer.failOutsideTests('extension host', `never reported back within ${hostTimeoutMs / 1000} s (server log: ${server.logFile})`);
  } else if (exitCode !== 0 && failures === 0) {
    printer.failOutsideTests('extension host', `test runner exited with ${exitCode} before reporting a failure (server log: ${server.logFile})`);
  } else if (exitCode === 0 && (!sawEnd || (passes === 0 && !process.env.AGENTOPS_TEST_GREP))) {
    printer.failOutsideTests('extension host', 'reported success but no test ran');
  }
}

function uiContext(browser: Browser, workspace: string, url: () => string): UiContext {
  return { workspace, version, openWorkbench: () => Workbench.open(browser, url()) };
}

/** Runs UI specs with mocha in this process; a failed spec leaves a screenshot behind. */
async function runUiSpecs(specs: UiSpec[], ctx: UiContext, printer: ResultPrinter, artifacts: string): Promise<void> {
  const opened: Workbench[] = [];
  const tracked: UiContext = {
    ...ctx,
    openWorkbench: async () => {
      const wb = await ctx.openWorkbench();
      opened.push(wb);
      return wb;
    },
  };
  const mocha = new Mocha({ timeout: 90_000, reporter: Mocha.reporters.Base });
  mocha.suite.emit('pre-require', globalThis, 'ui', mocha);
  for (const spec of specs) spec(tracked);
  mocha.suite.afterEach(async function screenshotOnFailure(this: Mocha.Context) {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const name = test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 120);
    for (const [i, wb] of opened.entries()) await wb.screenshot(join(artifacts, `${name}-${i}.png`)).catch(() => undefined);
  });
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    forwardMochaEvents(runner, (e) => printer.event(e));
  });
}

function hostNodeVersion(install: VsCodeServerInstall): string {
  return execFileSync(install.node, ['--version'], { encoding: 'utf8' }).trim();
}

/** Reads the complete lines appended to a file since the last call. */
class ReportTail {
  private offset = 0;
  private partial = '';
  constructor(private readonly file: string) {}

  read() {
    if (!existsSync(this.file)) return [];
    const fd = openSync(this.file, 'r');
    const chunks: Buffer[] = [];
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
    const text = this.partial + Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.flatMap((line) => {
      if (!line.trim()) return [];
      try {
        const event: unknown = JSON.parse(line);
        return isTestEvent(event) ? [event] : [];
      } catch {
        return [];
      }
    });
  }
}

main().then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
