import * as vscode from 'vscode';
import { defaultMonitorAttributes, type MonitorAttributes } from '../../core/monitor/types';
import { isDashboardFromWebview, type DashboardData, type DashboardFromWebview, type DashboardToWebview, type DashboardView, type TimeChart } from '../../shared/dashboardProtocol';
import { CommandIds } from '../commandIds';
import type { PromptLensService } from '../tokens/lensService';
import { renderWebviewHtml, webviewOptions } from '../webview/html';
import type { CollectorController } from './collector';
import { dashboardStrings } from './dashboardStrings';
import { loadMonitor } from './load';
import { Throttle } from './throttle';
import type { CallRef, DashboardModel, DashboardSession } from './monitorCore';

/** Live updates reach the webview at most this often, however fast spans arrive. */
export const minUpdateIntervalMs = 1000;
/** While collecting, the window slides with the clock even when nothing arrives. */
const liveTickMs = 5000;
/** Clicks name the revision they saw: the refs of the last few are kept. */
const keptRevisions = 5;

/** The collected traces folder (default) or files and folders the user chose. */
type Source = { kind: 'collected' } | { kind: 'chosen'; uris: vscode.Uri[] };

/**
 * "Agent Ops: Open Monitoring Dashboard": one panel per window over the collected traces (or chosen files).
 * A worker (openDashboardSession) reads the files and computes the figures; this class only schedules
 * updates (at most one a second), relays them to the webview, and opens the traces behind a clicked point.
 */
export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = 'agentOps.dashboard';
  private static current: DashboardPanel | undefined;

  static show(context: vscode.ExtensionContext, collector: CollectorController, lens: PromptLensService, log: vscode.LogOutputChannel): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, vscode.l10n.t('Agent Ops: Monitoring Dashboard'), vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      retainContextWhenHidden: true,
    });
    DashboardPanel.current = new DashboardPanel(panel, context, collector, lens, log);
    return DashboardPanel.current;
  }

  /** The open dashboard, if any (the integration suite's hook reads its data). */
  static get open(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private readonly disposables: vscode.Disposable[] = [];
  private source: Source = { kind: 'collected' };
  private view: DashboardView = { range: '1h', latency: { kind: 'all' } };
  private session: DashboardSession | undefined;
  private ready = false;
  private revision = 0;
  /** Bumped by every restart: a session opened for an earlier source is dropped, not kept. */
  private generation = 0;
  private readonly models = new Map<number, DashboardModel>();
  /** The last data sent to the webview. */
  latest: DashboardData | undefined;
  private readonly watchers: vscode.FileSystemWatcher[] = [];
  /** Every trigger (spans accepted, files changed, the clock while live) goes through here: at most one update a second. */
  private readonly updates = new Throttle(() => this.update(), minUpdateIntervalMs);
  private readonly tick: ReturnType<typeof setInterval>;
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly collector: CollectorController,
    private readonly lens: PromptLensService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = renderWebviewHtml(panel.webview, context.extensionUri, { script: 'dashboard', title: vscode.l10n.t('Agent Ops: Monitoring Dashboard'), styles: ['dashboard.css'] });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      collector.onDidAccept(() => {
        if (this.source.kind === 'collected') this.scheduleUpdate();
      }),
      collector.onDidChangeState(() => this.scheduleUpdate()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Prices come with the token lens's reload (below).
        if (e.affectsConfiguration('agentOps.monitor.attributes')) this.restart();
      }),
      lens.onDidChange(() => this.restart()),
    );
    this.tick = setInterval(() => {
      if (this.collector.isRunning && this.source.kind === 'collected') this.scheduleUpdate();
    }, liveTickMs);
    this.watch();
  }

  /** Shows the collected traces folder again (the default). */
  useCollected(): void {
    this.source = { kind: 'collected' };
    this.restart();
  }

  /** Shows the given files and folders. */
  useFiles(uris: vscode.Uri[]): void {
    this.source = { kind: 'chosen', uris };
    this.restart();
  }

  /** Another source or other settings: a new worker reads everything again. */
  private restart(): void {
    this.generation++;
    this.session?.dispose();
    this.session = undefined;
    this.models.clear();
    this.latest = undefined;
    this.watch();
    this.scheduleUpdate(true);
  }

  /** File changes of the shown source (another window's collector, `agentops collect`, an edited file) update it too. */
  private watch(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    const generation = this.generation;
    void this.watchPatterns().then((patterns) => {
      // Superseded by a newer source while the chosen items were looked at.
      if (generation !== this.generation || this.disposed) return;
      const changed = () => this.scheduleUpdate();
      for (const pattern of patterns) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        watcher.onDidChange(changed);
        watcher.onDidCreate(changed);
        watcher.onDidDelete(changed);
        this.watchers.push(watcher);
      }
    });
  }

  /** The collected folder's trace files; a chosen folder's files, or a chosen file itself. */
  private async watchPatterns(): Promise<vscode.RelativePattern[]> {
    if (this.source.kind === 'collected') {
      const folder = this.collector.folder;
      return folder ? [new vscode.RelativePattern(folder, '**/*.otlp.json*')] : [];
    }
    const patterns: vscode.RelativePattern[] = [];
    for (const uri of this.source.uris) {
      const stat = await vscode.workspace.fs.stat(uri).then(
        (s) => s,
        () => undefined,
      );
      if (!stat) continue;
      patterns.push(stat.type & vscode.FileType.Directory ? new vscode.RelativePattern(uri, '**/*') : new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop() ?? '*'));
    }
    return patterns;
  }

  /** An update soon (at most one a second), or `now` when the user asked for it. */
  private scheduleUpdate(now = false): void {
    if (!this.disposed && this.ready) this.updates.request(now);
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    try {
      const fresh = !this.session;
      const session = this.session ?? (await this.openSession(this.generation));
      const live = this.source.kind === 'collected' && this.collector.isRunning;
      const request = { view: this.view, live, nowMs: Date.now(), revision: ++this.revision, source: this.sourceLabel(), collecting: live, collectorRunning: this.collector.isRunning };
      // The first read of a source may take a while (a month of collected files): say so in the status bar too.
      const model = fresh
        ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Agent Ops: reading traces for the dashboard') }, () => session.update(request))
        : await session.update(request);
      if (this.disposed || session !== this.session) return;
      this.models.set(model.data.revision, model);
      for (const r of this.models.keys()) if (r <= model.data.revision - keptRevisions) this.models.delete(r);
      this.latest = model.data;
      this.post({ type: 'data', data: model.data });
    } catch (err) {
      if (this.disposed || (err instanceof Error && err.name === 'AbortError')) return;
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`Dashboard: ${message}`);
      this.post({ type: 'failed', message });
      // A worker that stopped (out of memory, a crash) is replaced by the next update.
      if (this.session?.closed) this.session = undefined;
    }
  }

  private async openSession(generation: number): Promise<DashboardSession> {
    const monitor = await loadMonitor();
    const prices = await this.lens.priceInputs();
    // The source or the settings changed while loading: the update that asked is superseded.
    if (generation !== this.generation || this.disposed) throw new DOMException('the dashboard source changed', 'AbortError');
    const session = monitor.openDashboardSession({
      workerPath: this.context.asAbsolutePath('dist/lazy/dashboardWorker.js'),
      init: { sources: this.sourcePaths(), attributes: monitorAttributes(), prices },
      onProgress: ({ bytesRead, bytesTotal }) => this.post({ type: 'progress', bytesRead, bytesTotal }),
      onClose: (reason) => this.log.error(`Dashboard: ${reason.message}`),
    });
    this.session = session;
    return session;
  }

  private sourcePaths(): string[] {
    if (this.source.kind === 'chosen') return this.source.uris.map((u) => u.fsPath);
    const folder = this.collector.folder;
    return folder ? [folder.fsPath] : [];
  }

  private sourceLabel(): string {
    if (this.source.kind === 'chosen') return this.source.uris.map((u) => vscode.workspace.asRelativePath(u)).join(', ');
    const folder = this.collector.folder;
    return folder ? vscode.workspace.asRelativePath(folder) : '.agentops/traces';
  }

  private post(message: DashboardToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isDashboardFromWebview(message)) {
      this.log.warn('Dashboard: ignored a malformed message from the webview');
      return;
    }
    try {
      await this.handle(message);
    } catch (err) {
      this.log.error(`Dashboard: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async handle(m: DashboardFromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        // The webview has no l10n of its own and shows nothing before its strings.
        this.post({ type: 'init', strings: dashboardStrings(), view: this.view });
        this.ready = true;
        this.scheduleUpdate(true);
        break;
      case 'setView':
        this.view = m.view;
        this.scheduleUpdate(true);
        break;
      case 'chooseFiles': {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: true,
          canSelectFolders: true,
          canSelectMany: true,
          title: vscode.l10n.t('Choose Trace Files or a Folder'),
          filters: { [vscode.l10n.t('OTLP JSON traces')]: ['json', 'jsonl', 'gz'] },
        });
        if (picked && picked.length > 0) this.useFiles(picked);
        break;
      }
      case 'useCollected':
        this.useCollected();
        break;
      case 'toggleCollector':
        await vscode.commands.executeCommand(this.collector.isRunning ? CommandIds.stopCollector : CommandIds.startCollector);
        break;
      case 'openPoint':
        await this.openPoint(m.revision, m.chart, m.index);
        break;
      case 'openBar':
        await openRefs(this.models.get(m.revision)?.barRefs[m.dimension][m.key] ?? []);
        break;
    }
  }

  /** A click on a time chart's point: the traces of the calls behind it. */
  openPoint(revision: number, chart: TimeChart, index: number): Promise<void> {
    return openRefs(this.models.get(revision)?.pointRefs[chart][index] ?? []);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    DashboardPanel.current = undefined;
    clearInterval(this.tick);
    this.updates.dispose();
    this.session?.dispose();
    for (const w of this.watchers.splice(0)) w.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The attributes of settings agentOps.monitor.attributes.*; an empty setting keeps the default. */
export function monitorAttributes(): Partial<MonitorAttributes> {
  const config = vscode.workspace.getConfiguration('agentOps.monitor.attributes');
  const out: Partial<MonitorAttributes> = {};
  for (const key of ['user', 'session', 'conversation', 'project'] as const) {
    const value = config.get<string>(key, defaultMonitorAttributes[key]).trim();
    if (value !== '') out[key] = value;
  }
  return out;
}

/** One ref: its file in the trace viewer with the span selected; several: a quick pick first. */
export async function openRefs(refs: readonly CallRef[]): Promise<void> {
  const usable = refs.filter((r): r is CallRef & { file: string } => r.file !== undefined);
  if (usable.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops: no trace is behind this point.'));
    return;
  }
  let ref: (CallRef & { file: string }) | undefined = usable[0];
  if (usable.length > 1) {
    const picked = await vscode.window.showQuickPick(
      usable.map((r) => ({
        label: vscode.l10n.t('Trace {0}', r.traceId.slice(0, 12)),
        description: vscode.l10n.t('span {0}', r.spanId),
        detail: r.line !== undefined ? `${vscode.workspace.asRelativePath(r.file)}:${r.line}` : vscode.workspace.asRelativePath(r.file),
        ref: r,
      })),
      { title: vscode.l10n.t('Open a Trace Behind This Point'), placeHolder: vscode.l10n.t('{0} calls, errors and the slowest first', usable.length), matchOnDescription: true, matchOnDetail: true },
    );
    ref = picked?.ref;
  }
  if (!ref) return;
  await vscode.commands.executeCommand(CommandIds.revealInTraceViewer, vscode.Uri.file(ref.file), ref.traceId, ref.spanId);
}
