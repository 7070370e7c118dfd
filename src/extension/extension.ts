import * as vscode from 'vscode';
import { AboutPanel } from './about/aboutPanel';
import type { AgentOpsApi } from './api';
import { CommandIds } from './commandIds';
import { registerDeploy } from './deploy/register';
import { collectEnvironment } from './environment';
import { loadedLazyModules } from './lazy';
import { registerMonitor } from './monitor/register';
import { registerTokenLens } from './tokens/register';
import { registerTraceViewer } from './traces/traceViewerProvider';
import { registerTrajectories } from './trajectories/register';

// Set by the bundle's first line (esbuild banner) so activation time includes loading the bundle.
declare const agentOpsBundleStart: number | undefined;
// This module's body runs last in the bundle: everything it imports has loaded by now.
const bundleLoaded = performance.now();

/**
 * Activation registers commands and creates the log channel, nothing more:
 * every feature's heavy work is imported lazily by the handler that needs it.
 */
export function activate(context: vscode.ExtensionContext): AgentOpsApi {
  const activateStart = performance.now();
  const loadMs = typeof agentOpsBundleStart === 'number' ? bundleLoaded - agentOpsBundleStart : 0;

  const log = vscode.window.createOutputChannel('Agent Ops', { log: true });
  context.subscriptions.push(log);

  const environment = () => collectEnvironment(context, api.activation.totalMs);
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandIds.showLog, () => showLog(log, activateStart)),
    vscode.commands.registerCommand(CommandIds.about, () => AboutPanel.show(context, environment, log)),
  );
  const lens = registerTokenLens(context, log);
  registerTraceViewer(context, lens, log);
  const trajectories = registerTrajectories(context, lens, log);
  const deploys = registerDeploy(context, log);
  const monitor = registerMonitor(context, lens, log);
  stopMonitor = monitor.stop;

  const activateMs = performance.now() - activateStart;
  // Like VS Code's own figure: code loading plus the activate() call, not the wait between them.
  const totalMs = loadMs + activateMs;
  const api: AgentOpsApi = {
    activation: { totalMs, loadMs, activateMs },
    loadedLazyModules,
    logFolder: context.logUri.toString(),
    trajectories,
    deploys,
    monitor: monitor.api,
  };
  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  log.info(`Agent Ops ${version} activated in ${totalMs.toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.appHost}, Node ${process.version})`);
  return api;
}

/**
 * The Output view learns of a log channel asynchronously; a reveal that arrives
 * first (the command itself activated us a moment ago) is dropped. Reveal again
 * once that window has passed.
 */
async function showLog(log: vscode.LogOutputChannel, createdAt: number): Promise<void> {
  log.show(true);
  const sinceCreated = performance.now() - createdAt;
  if (sinceCreated < freshChannelMs) {
    await new Promise((resolve) => setTimeout(resolve, freshChannelMs - sinceCreated));
    log.show(true);
  }
}
const freshChannelMs = 1500;

/** Set by activate(): stops the trace collector, so its last writes are flushed and the port released. */
let stopMonitor: (() => Promise<void>) | undefined;

export function deactivate(): Promise<void> | void {
  // Everything else is disposed through context.subscriptions; the collector's close is awaited here.
  return stopMonitor?.();
}
