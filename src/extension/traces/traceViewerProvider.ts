import * as vscode from 'vscode';
import type * as Otlp from '../../core/otlp/index';
import { isTraceViewerFromWebview, type TraceViewerFromWebview, type TraceViewerToWebview } from '../../shared/traceViewerProtocol';
import { CommandIds } from '../commandIds';
import { lazyModule } from '../lazy';
import { storedPricesUri, type PromptLensService } from '../tokens/lensService';
import { renderWebviewHtml, webviewOptions } from '../webview/html';

const loadOtlp = lazyModule('otlp', () => import('../../core/otlp/index'));

/**
 * One opened trace file. A worker thread reads it and keeps its model (a TraceSession); the extension host
 * only relays the small answers the webview asks for. When the file changes, the same worker reads it again.
 */
class TraceDocument implements vscode.CustomDocument {
  session: Otlp.TraceSession | undefined;
  failure: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** The session being opened (first load, or after a failed one). */
  private opening: AbortController | undefined;
  private disposed = false;
  /** The progress notification of the first load, while it shows. */
  private report: ((fraction: number) => void) | undefined;
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

  /** Opens the session (the first load shows a cancellable progress notification), or reloads it. */
  load(withNotification: boolean): Promise<void> {
    const run = async (abort?: AbortController) => {
      const started = performance.now();
      try {
        const counts = this.session ? await this.session.reload() : await this.open(abort ?? new AbortController());
        this.failure = undefined;
        this.log.info(
          `Trace viewer: ${this.uri.fsPath}: ${counts.traces} traces, ${counts.spans} spans, ${counts.diagnostics} diagnostics in ${(performance.now() - started).toFixed(0)} ms`,
        );
      } catch (err) {
        // Cancelled, superseded by a newer load, or the document was closed: nothing to show.
        if (isAbortError(err) || this.disposed) return;
        this.failure = err instanceof Error ? err.message : String(err);
        this.log.error(`Trace viewer: ${this.failure}`);
      }
      this.changed.fire();
    };
    if (!withNotification || this.session) {
      return run();
    }
    const loading = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agent Ops: reading {0}', vscode.workspace.asRelativePath(this.uri)), cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        this.report = (fraction) => {
          const pct = Math.floor(fraction * 100);
          if (pct > last) {
            progress.report({ increment: pct - last, message: `${pct}%` });
            last = pct;
          }
        };
        return run(abort).finally(() => (this.report = undefined));
      },
    ));
    return loading;
  }

  /** Starts the worker (aborting an open still in progress) with the same price inputs as the token lens. */
  private async open(abort: AbortController): Promise<Otlp.TraceCounts> {
    this.opening?.abort();
    this.opening = abort;
    try {
      const otlp = await loadOtlp();
      const session = await otlp.openTraceSession({
        workerPath: this.context.asAbsolutePath('dist/lazy/otlpWorker.js'),
        files: [this.uri.fsPath],
        prices: { ...(await this.storedPrices()), overrides: this.lens.settings.priceOverrides },
        signal: abort.signal,
        onProgress: ({ bytesRead, bytesTotal }) => {
          this.report?.(bytesTotal > 0 ? bytesRead / bytesTotal : 0);
          this.onProgress?.(bytesRead, bytesTotal);
        },
      });
      if (this.disposed || abort.signal.aborted) {
        session.dispose();
        throw new DOMException('the trace viewer was closed', 'AbortError');
      }
      this.session = session;
      for (const p of session.priceProblems) {
        this.log.warn(`Trace viewer: ${p.input === 'overrides' ? 'price overrides ignored' : 'ignoring refreshed prices'}: ${p.message}`);
      }
      return await session.counts();
    } finally {
      if (this.opening === abort) this.opening = undefined;
    }
  }

  /** The refreshed genai-prices copy in global storage, when there is one (the worker validates it). */
  private async storedPrices(): Promise<{ storedJson?: string; storedOrigin?: string }> {
    const stored = storedPricesUri(this.context);
    try {
      return { storedJson: new TextDecoder().decode(await vscode.workspace.fs.readFile(stored)), storedOrigin: stored.fsPath };
    } catch (err) {
      if (!(err instanceof vscode.FileSystemError)) this.log.warn(`Trace viewer: ignoring refreshed prices: ${err instanceof Error ? err.message : String(err)}`);
      return {};
    }
  }

  dispose(): void {
    this.disposed = true;
    this.opening?.abort();
    this.session?.dispose();
    this.session = undefined;
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
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
    // Answers come back from the worker asynchronously, possibly after the panel was closed.
    let open = true;
    const post = (m: TraceViewerToWebview) => open && void panel.webview.postMessage(m);
    let ready = false;
    const sendLoaded = async () => {
      if (!ready) return;
      if (doc.failure) {
        post({ type: 'failed', message: doc.failure });
        return;
      }
      const session = doc.session;
      if (!session) return;
      const [traces, diagnostics, counts] = await Promise.all([session.list(), session.diagnostics(), session.counts()]);
      post({ type: 'loaded', file: vscode.workspace.asRelativePath(doc.uri), traces, diagnostics, logRecords: counts.logRecords, metricDataPoints: counts.metricDataPoints });
    };
    const relay = (work: Promise<void>) =>
      work.catch((err: unknown) => {
        if (!isAbortError(err)) this.log.error(`Trace viewer: ${err instanceof Error ? err.message : String(err)}`);
      });
    doc.onProgress = (bytesRead, bytesTotal) => ready && post({ type: 'progress', bytesRead, bytesTotal });
    const subscriptions = [
      doc.onDidChange(() => void relay(sendLoaded())),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isTraceViewerFromWebview(m)) {
          this.log.warn('Trace viewer: ignored a malformed message from the webview');
          return;
        }
        if (m.type === 'ready') {
          ready = true;
          void relay(sendLoaded());
        } else void relay(this.onMessage(doc, m, post));
      }),
    ];
    panel.onDidDispose(() => {
      open = false;
      subscriptions.forEach((s) => s.dispose());
    });
  }

  private async onMessage(doc: TraceDocument, m: Exclude<TraceViewerFromWebview, { type: 'ready' }>, post: (m: TraceViewerToWebview) => void): Promise<void> {
    const session = doc.session;
    switch (m.type) {
      case 'openTrace': {
        const trace = await session?.trace(m.traceId);
        if (trace) post(trace);
        break;
      }
      case 'selectSpan': {
        const detail = await session?.detail(m.traceId, m.index);
        if (detail) post({ type: 'spanDetail', detail });
        break;
      }
      case 'search':
        post({ type: 'searchResult', traceId: m.traceId, matches: (await session?.search(m.traceId, m.query)) ?? [] });
        break;
      case 'requestStats':
        if (session) post({ type: 'stats', ...(await session.stats()) });
        break;
      case 'compare':
        post({ type: 'comparison', a: m.a, b: m.b, diff: (await session?.compare(m.a, m.b)) ?? null });
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
