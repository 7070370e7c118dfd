import * as vscode from 'vscode';
import type { DashboardData } from '../../shared/dashboardProtocol';
import type { MonitorApi } from '../api';
import { CommandIds } from '../commandIds';
import type { PromptLensService } from '../tokens/lensService';
import { AlertWatcher } from './alertWatcher';
import { CollectorController, type CollectorStartResult } from './collector';
import { DashboardPanel } from './dashboardPanel';

/**
 * Live monitoring in the editor: the trace collector's start / stop commands and status bar item, the
 * monitoring dashboard, and the alert rules judged while collecting. Registration is cheap: the collector and the dashboard's reader load (dist/lazy/
 * monitor.js, and their worker threads) with the first command.
 */
export function registerMonitor(context: vscode.ExtensionContext, lens: PromptLensService, log: vscode.LogOutputChannel): { api: MonitorApi; stop(): Promise<void> } {
  const collector = new CollectorController(context, log, CommandIds.openDashboard);
  const openDashboard = () => DashboardPanel.show(context, collector, lens, log);
  const alerts = new AlertWatcher(context, collector, lens, log);
  context.subscriptions.push(
    collector,
    alerts,
    { dispose: () => DashboardPanel.open?.dispose() },
    // (port?: number) when run programmatically; resolves to CollectorStartResult, or undefined when refused.
    vscode.commands.registerCommand(CommandIds.startCollector, (port?: number): Promise<CollectorStartResult | undefined> => collector.start(typeof port === 'number' ? port : undefined)),
    vscode.commands.registerCommand(CommandIds.stopCollector, async () => {
      if (!(await collector.stop())) void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops: the trace collector is not running.'));
    }),
    // (uris?: Uri[]) when run programmatically: the dashboard over those files instead of the collected ones.
    vscode.commands.registerCommand(CommandIds.openDashboard, (uris?: unknown) => {
      const panel = openDashboard();
      if (Array.isArray(uris) && uris.length > 0 && uris.every((u) => u instanceof vscode.Uri)) panel.useFiles(uris as vscode.Uri[]);
    }),
  );
  const api: MonitorApi = {
    async alerts() {
      await alerts.evaluate();
      return alerts.current.map(({ rule, severity, value, threshold, since }) => ({ rule, severity, value, threshold, since }));
    },
    collectorUrl: () => collector.url(),
    statusBarText: () => collector.statusBarText(),
    dashboardData: () => DashboardPanel.open?.latest,
    async dashboardUpdate(accept: (d: DashboardData) => boolean, timeoutMs = 20_000): Promise<DashboardData> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const panel = DashboardPanel.open;
        const latest = panel?.latest;
        if (latest && accept(latest)) return latest;
        if (Date.now() > deadline) throw new Error(`no dashboard update accepted within ${timeoutMs} ms; last: ${JSON.stringify(latest?.cards)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async openPoint(chart, index) {
      const panel = DashboardPanel.open;
      const revision = panel?.latest?.revision;
      if (panel && revision !== undefined) await panel.openPoint(revision, chart, index);
    },
  };
  return { api, stop: async () => void (await collector.stop()) };
}
