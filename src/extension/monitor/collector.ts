import * as vscode from 'vscode';
import type { CollectorEvent, CollectorStats } from '../../core/monitor/types';
import { loadMonitor } from './load';
import { collectorAllowed } from './trust';

/** What the start command resolves to (the integration suite reads the port the collector got). */
export interface CollectorStartResult {
  url: string;
  port: number;
  /** The folder the collected traces are written to. */
  folder: string;
}

interface RunningCollector {
  url: string;
  port: number;
  folder: string;
  stats(): CollectorStats;
  close(): Promise<CollectorStats>;
}

/** The status bar text is rewritten at most this often, however many spans arrive. */
const statusIntervalMs = 1000;

/**
 * The trace collector of the editor: "Agent Ops: Start / Stop Trace Collector". It runs in a worker thread
 * (startCollectorInWorker), listens on 127.0.0.1 and writes `.agentops/traces/` of the first workspace
 * folder; the status bar counts the spans accepted. One collector per window.
 */
export class CollectorController implements vscode.Disposable {
  private running: RunningCollector | undefined;
  private starting: Promise<CollectorStartResult | undefined> | undefined;
  private spans = 0;
  private statusDirty = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly status: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Started, stopped. */
  readonly onDidChangeState = this.changed.event;
  private readonly accepted = new vscode.EventEmitter<void>();
  /** Spans were written (fires for every accepted request: listeners throttle). */
  readonly onDidAccept = this.accepted.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    dashboardCommand: string,
  ) {
    this.status = vscode.window.createStatusBarItem('agentOps.collectorStatus', vscode.StatusBarAlignment.Left, 9);
    this.status.name = vscode.l10n.t('Agent Ops Trace Collector');
    this.status.command = dashboardCommand;
    this.timer = setInterval(() => {
      if (this.statusDirty) this.updateStatus();
    }, statusIntervalMs);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The folder collected traces go to (whether or not the collector runs); undefined without a workspace folder. */
  get folder(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, '.agentops', 'traces') : undefined;
  }

  statusBarText(): string | undefined {
    return this.running ? this.status.text : undefined;
  }

  url(): string | undefined {
    return this.running?.url;
  }

  /** Starts on `portArg`, else on agentOps.collector.port. Resolves to undefined when refused or failed (the user was told why). */
  start(portArg?: number): Promise<CollectorStartResult | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops: the trace collector is already running on {0}.', this.running.url));
      return Promise.resolve(this.result(this.running));
    }
    this.starting ??= this.doStart(portArg).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(portArg: number | undefined): Promise<CollectorStartResult | undefined> {
    if (!collectorAllowed(vscode.workspace.isTrusted)) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('The Agent Ops trace collector is disabled in this workspace because it is not trusted: it opens a port and writes what it receives into the workspace. Trust the workspace to start it.'),
      );
      return undefined;
    }
    const folder = this.folder;
    if (!folder) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Agent Ops: open a folder first; the trace collector writes to its .agentops/traces folder.'));
      return undefined;
    }
    const config = vscode.workspace.getConfiguration('agentOps.collector');
    const port = portArg ?? config.get<number>('port', 4318);
    const monitor = await loadMonitor();
    try {
      const handle = await monitor.startCollectorInWorker(
        {
          port,
          outDir: folder.fsPath,
          maxBodyBytes: Math.round(config.get<number>('maxBodyMB', 16) * 1024 * 1024),
          rotateBytes: Math.round(config.get<number>('rotateMB', 64) * 1024 * 1024),
          rotateMs: Math.round(config.get<number>('rotateMinutes', 60) * 60_000),
          retentionMs: Math.round(config.get<number>('retentionDays', 7) * 86_400_000),
        },
        this.context.asAbsolutePath('dist/lazy/collectorWorker.js'),
        (event) => this.onEvent(event),
      );
      const running: RunningCollector = { url: handle.url, port: handle.port, folder: folder.fsPath, stats: () => handle.stats(), close: () => handle.close() };
      this.running = running;
      this.spans = 0;
      this.log.info(`Trace collector: listening on ${handle.url}, writing ${folder.fsPath}`);
      this.updateStatus();
      this.changed.fire();
      return this.result(running);
    } catch (err) {
      if (monitor.isPortInUseError(err)) {
        void this.offerOtherPort(err.port, err.suggestedPort, err.owner);
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`Trace collector: could not start on port ${port}: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Agent Ops: the trace collector could not start: {0}', message));
      return undefined;
    }
  }

  /** The port is taken: say by whom when the system told us, and offer the free port the core found. */
  private async offerOtherPort(port: number, suggested: number | undefined, owner: { pid: number; command: string } | undefined): Promise<void> {
    this.log.warn(`Trace collector: port ${port} is in use${owner ? ` by ${owner.command} (pid ${owner.pid})` : ''}`);
    const message = owner
      ? vscode.l10n.t('Agent Ops: port {0} is already in use by {1} (pid {2}).', port, owner.command, owner.pid)
      : vscode.l10n.t('Agent Ops: port {0} is already in use by another program.', port);
    if (suggested === undefined) {
      void vscode.window.showErrorMessage(message);
      return;
    }
    const use = vscode.l10n.t('Use Port {0}', suggested);
    const choice = await vscode.window.showErrorMessage(message, use);
    if (choice === use) await this.start(suggested);
  }

  async stop(): Promise<boolean> {
    await this.starting;
    const running = this.running;
    if (!running) return false;
    this.running = undefined;
    this.status.hide();
    this.changed.fire();
    try {
      const stats = await running.close();
      this.log.info(`Trace collector: stopped (${stats.accepted.traces} spans, ${stats.accepted.logs} log records, ${stats.accepted.metrics} metric points accepted; ${stats.failedRequests} requests refused)`);
    } catch (err) {
      this.log.error(`Trace collector: stopping failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return true;
  }

  private onEvent(event: CollectorEvent): void {
    switch (event.type) {
      case 'listening':
        break;
      case 'accepted':
        if (event.signal === 'traces') this.spans += event.items;
        this.log.trace(`Trace collector: ${event.items} ${event.signal} accepted${event.rejected > 0 ? `, ${event.rejected} rejected` : ''} → ${event.file}`);
        this.statusDirty = true;
        this.accepted.fire();
        break;
      case 'refused':
        this.log.warn(`Trace collector: ${event.path} answered ${event.status}: ${event.reason}`);
        break;
      case 'rotated':
        this.log.info(`Trace collector: ${event.signal} now written to ${event.to}`);
        break;
      case 'removed':
        this.log.info(`Trace collector: removed ${event.file} (${event.reason})`);
        break;
      case 'error':
        this.log.error(`Trace collector: ${event.message}`);
        break;
      case 'stopped':
        this.log.error(`Trace collector: stopped: ${event.reason}`);
        if (this.running) {
          this.running = undefined;
          this.status.hide();
          this.changed.fire();
          void vscode.window.showErrorMessage(vscode.l10n.t('Agent Ops: the trace collector stopped: {0}', event.reason));
        }
        break;
    }
  }

  private updateStatus(): void {
    this.statusDirty = false;
    const running = this.running;
    if (!running) return;
    // The worker's snapshot can lag the events by ~200 ms: show whichever has counted more.
    const spans = Math.max(this.spans, running.stats().accepted.traces);
    this.status.text = `$(radio-tower) OTLP :${running.port} · ${vscode.l10n.t('{0} spans', spans.toLocaleString('en-US'))}`;
    this.status.tooltip = vscode.l10n.t('Agent Ops trace collector on {0}, writing {1}. Click for the monitoring dashboard.', running.url, vscode.workspace.asRelativePath(running.folder));
    this.status.show();
  }

  private result(r: RunningCollector): CollectorStartResult {
    return { url: r.url, port: r.port, folder: r.folder };
  }

  dispose(): void {
    clearInterval(this.timer);
    void this.stop();
    this.status.dispose();
    this.changed.dispose();
    this.accepted.dispose();
  }
}
