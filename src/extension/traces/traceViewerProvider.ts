import * as vscode from 'vscode';
import type * as Otlp from '../../core/otlp/index';
import { isTraceViewerFromWebview, type TraceViewerFromWebview, type TraceViewerToWebview } from '../../shared/traceViewerProtocol';
import { CommandIds } from '../commandIds';
import { lazyModule } from '../lazy';
import type { PromptLensService } from '../tokens/lensService';
import { renderWebviewHtml, webviewOptions } from '../webview/html';

const loadOtlp = lazyModule('otlp', () => import('../../core/otlp/index'));

/** One opened trace file: its traces, read off the extension host's thread, reloaded when the file grows. */
class TraceDocument implements vscode.CustomDocument {
  model: Otlp.TraceViewModel | undefined;
  failure: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | undefined;
  onProgress: ((bytesRead: number, bytesTotal: number) => void) | undefined;

  constructor(
    readonly uri: vscode.Uri,
    private readonly context: vscode.ExtensionContext,
    private readonly lens: PromptLensService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    if (uri.scheme === 'file') {
      const folder = vscode.Uri.joinPath(uri, '..');
      const name = uri.path.split('/').pop() ?? '';
      this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, name));
      const reload = () => {
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.load(false), 400);
      };
      this.watcher.onDidChange(reload);
      this.watcher.onDidCreate(reload);
    }
  }

  /** Reads the file in a worker thread; the first load shows a cancellable progress notification. */
  load(withNotification: boolean): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const run = async (report?: (fraction: number) => void) => {
      const started = performance.now();
      try {
        const otlp = await loadOtlp();
        const set = await otlp.readTraceFilesInWorker([this.uri.fsPath], {
          workerPath: this.context.asAbsolutePath('dist/lazy/otlpWorker.js'),
          signal: abort.signal,
          onProgress: ({ bytesRead, bytesTotal }) => {
            report?.(bytesTotal > 0 ? bytesRead / bytesTotal : 0);
            this.onProgress?.(bytesRead, bytesTotal);
          },
        });
        this.model = new otlp.TraceViewModel(set, await this.lens.priceTable());
        this.failure = undefined;
        const spans = set.traces.reduce((n, t) => n + t.spans.length, 0);
        this.log.info(`Trace viewer: ${this.uri.fsPath}: ${set.traces.length} traces, ${spans} spans, ${set.diagnostics.length} diagnostics in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (err) {
        if (abort.signal.aborted) return;
        this.failure = err instanceof Error ? err.message : String(err);
        this.log.error(`Trace viewer: ${this.failure}`);
      }
      this.changed.fire();
    };
    if (!withNotification) {
      return run();
    }
    const loading = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agent Ops: reading {0}', vscode.workspace.asRelativePath(this.uri)), cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return run((fraction) => {
          const pct = Math.floor(fraction * 100);
          if (pct > last) {
            progress.report({ increment: pct - last, message: `${pct}%` });
            last = pct;
          }
        });
      },
    ));
    return loading;
  }

  dispose(): void {
    this.abort?.abort();
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

/**
 * "Agent Ops Trace Viewer": a read-only custom editor for OTLP JSON / JSONL
 * files (default for *.otlp.json(l), "Open With…" for any .json/.jsonl).
 */
export class TraceViewerProvider implements vscode.CustomReadonlyEditorProvider<TraceDocument> {
  static readonly viewType = 'agentOps.traceViewer';
  static readonly anyJsonViewType = 'agentOps.traceViewer.json';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly lens: PromptLensService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<TraceDocument> {
    const doc = new TraceDocument(uri, this.context, this.lens, this.log);
    void doc.load(true);
    return doc;
  }

  async resolveCustomEditor(doc: TraceDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, this.context.extensionUri, { script: 'traceViewer', title: vscode.l10n.t('Agent Ops Trace Viewer'), styles: ['traceViewer.css'] });
    const post = (m: TraceViewerToWebview) => void panel.webview.postMessage(m);
    let ready = false;
    const sendLoaded = () => {
      if (!ready) return;
      if (doc.failure) post({ type: 'failed', message: doc.failure });
      else if (doc.model) {
        post({
          type: 'loaded',
          file: vscode.workspace.asRelativePath(doc.uri),
          traces: doc.model.list(),
          diagnostics: doc.model.diagnostics(),
          logRecords: doc.model.set.logRecords,
          metricDataPoints: doc.model.set.metricDataPoints,
        });
      }
    };
    doc.onProgress = (bytesRead, bytesTotal) => ready && post({ type: 'progress', bytesRead, bytesTotal });
    const subscriptions = [
      doc.onDidChange(sendLoaded),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isTraceViewerFromWebview(m)) {
          this.log.warn('Trace viewer: ignored a malformed message from the webview');
          return;
        }
        if (m.type === 'ready') {
          ready = true;
          sendLoaded();
        } else void this.onMessage(doc, m, post);
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }

  private async onMessage(doc: TraceDocument, m: Exclude<TraceViewerFromWebview, { type: 'ready' }>, post: (m: TraceViewerToWebview) => void): Promise<void> {
    const model = doc.model;
    switch (m.type) {
      case 'openTrace': {
        const trace = model?.trace(m.traceId);
        if (trace) post(trace);
        break;
      }
      case 'selectSpan': {
        const detail = model?.detail(m.traceId, m.index);
        if (detail) post({ type: 'spanDetail', detail });
        break;
      }
      case 'search':
        post({ type: 'searchResult', traceId: m.traceId, matches: model?.search(m.traceId, m.query) ?? [] });
        break;
      case 'requestStats':
        if (model) post({ type: 'stats', ...model.stats() });
        break;
      case 'compare':
        post({ type: 'comparison', a: m.a, b: m.b, diff: model?.compare(m.a, m.b) ?? null });
        break;
      case 'goToCode':
        await this.goToCode(doc, m.file, m.line);
        break;
      case 'revealSource': {
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(m.file), { preview: true, viewColumn: vscode.ViewColumn.Beside });
        const pos = new vscode.Position(Math.max(0, m.line - 1), 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
        break;
      }
    }
  }

  /** code.file.path may be absolute, workspace-relative, or relative to where the app ran: try them in that order. */
  private async goToCode(doc: TraceDocument, file: string, line: number): Promise<void> {
    const candidates: vscode.Uri[] = [];
    if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) candidates.push(vscode.Uri.file(file));
    for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, file));
    candidates.push(vscode.Uri.joinPath(doc.uri, '..', file));
    for (const uri of candidates) {
      try {
        await vscode.workspace.fs.stat(uri);
        const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside });
        const pos = new vscode.Position(Math.max(0, line - 1), 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
        return;
      } catch {
        // try the next candidate
      }
    }
    const matches = await vscode.workspace.findFiles(`**/${file.split(/[\\/]/).pop() ?? file}`, '**/node_modules/**', 5);
    if (matches[0]) {
      await vscode.window.showTextDocument(matches[0], { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(line - 1, 0, line - 1, 0) });
      return;
    }
    void vscode.window.showWarningMessage(vscode.l10n.t('Agent Ops: {0} is not in this workspace.', file));
  }
}

export function registerTraceViewer(context: vscode.ExtensionContext, lens: PromptLensService, log: vscode.LogOutputChannel): void {
  const provider = new TraceViewerProvider(context, lens, log);
  const options = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
  context.subscriptions.push(
    // The default editor of *.otlp.json(l), and an "Open With…" choice for any .json/.jsonl.
    vscode.window.registerCustomEditorProvider(TraceViewerProvider.viewType, provider, options),
    vscode.window.registerCustomEditorProvider(TraceViewerProvider.anyJsonViewType, provider, options),
    vscode.commands.registerCommand(CommandIds.openTraceFile, async (uri?: vscode.Uri) => {
      const target =
        uri ??
        (
          await vscode.window.showOpenDialog({
            canSelectMany: false,
            title: vscode.l10n.t('Open Trace File'),
            filters: { [vscode.l10n.t('OTLP JSON traces')]: ['json', 'jsonl', 'gz'] },
          })
        )?.[0];
      if (!target) return;
      // The viewer registered for the file's name, so the tab reopens in it after a reload.
      const viewType = /\.otlp\.jsonl?(\.gz)?$/i.test(target.path) ? TraceViewerProvider.viewType : TraceViewerProvider.anyJsonViewType;
      await vscode.commands.executeCommand('vscode.openWith', target, viewType);
    }),
  );
}
