import * as vscode from 'vscode';
import type * as Otlp from '../../core/otlp/index';
// A constant only: the reader itself stays in the lazily loaded bundle.
import { defaultMaxMemoryMb } from '../../core/otlp/workerProtocol';
import { isTraceViewerFromWebview, type TraceViewerFromWebview, type TraceViewerToWebview } from '../../shared/traceViewerProtocol';
import { CommandIds } from '../commandIds';
import { lazyModule } from '../lazy';
import type { PromptLensService } from '../tokens/lensService';
import { renderWebviewHtml, webviewOptions } from '../webview/html';
import { traceViewerStrings } from './traceViewerStrings';

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
  /** The first load (opening the session), settled either way. */
  firstLoad: Promise<void> | undefined;
  /** A trace and span to show once the webview has its list (see TraceViewerProvider.reveal). */
  pendingReveal: { traceId: string; index?: number } | undefined;
  /** Sends pendingReveal when the webview can take it; set while an editor shows the document. */
  flushReveal: (() => void) | undefined;

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
        const failure = this.failureText(err);
        // A worker that stopped during a reload was already reported by onSessionClosed.
        if (failure === this.failure) return;
        this.failure = failure;
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
        prices: await this.lens.priceInputs(),
        maxMemoryMb: maxMemoryMb(),
        onClose: (reason) => this.onSessionClosed(session, reason),
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
      this.logPriceProblems(session.priceProblems);
      return await session.counts();
    } finally {
      if (this.opening === abort) this.opening = undefined;
    }
  }

  /**
   * The worker stopped by itself (out of memory, a crash): show why; the next change of the file, or
   * reopening it, starts a new one.
   */
  private onSessionClosed(session: Otlp.TraceSession, reason: Error): void {
    if (this.session !== session || this.disposed) return;
    this.session = undefined;
    this.failure = this.failureText(reason);
    this.log.error(`Trace viewer: ${this.failure}`);
    this.changed.fire();
  }

  private failureText(err: unknown): string {
    if (!(err instanceof Error)) return String(err);
    if (err.name !== 'OutOfMemoryError') return err.message;
    return vscode.l10n.t('{0} Raise the setting agentOps.traceViewer.maxMemoryMB (now {1} MB) to open it.', err.message, maxMemoryMb());
  }

  /** Costs the open trace again with the token lens's current prices. */
  async updatePrices(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.logPriceProblems(await session.setPrices(await this.lens.priceInputs()));
    if (this.session === session) this.changed.fire();
  }


  private logPriceProblems(problems: readonly Otlp.PriceProblem[]): void {
    for (const p of problems) {
      this.log.warn(`Trace viewer: ${p.input === 'overrides' ? 'price overrides ignored' : 'ignoring refreshed prices'}: ${p.message}`);
    }
  }

  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;

  dispose(): void {
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
    this.disposed = true;
    this.opening?.abort();
    this.session?.dispose();
    this.session = undefined;
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

/** The worker's heap limit (agentOps.traceViewer.maxMemoryMB). */
function maxMemoryMb(): number {
  return vscode.workspace.getConfiguration('agentOps').get<number>('traceViewer.maxMemoryMB', defaultMaxMemoryMb);
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

  private readonly documents = new Set<TraceDocument>();

  async openCustomDocument(uri: vscode.Uri): Promise<TraceDocument> {
    const doc = new TraceDocument(uri, this.context, this.lens, this.log);
    this.documents.add(doc);
    doc.onDidDispose(() => this.documents.delete(doc));
    doc.firstLoad = doc.load(true);
    return doc;
  }

  /** Shows a trace of an open document, with a span selected (`agentOps.traceViewer.reveal`). */
  async reveal(uri: vscode.Uri, traceId: string, spanId?: string): Promise<void> {
    const doc = [...this.documents].find((d) => d.uri.toString() === uri.toString());
    if (!doc) return;
    await doc.firstLoad;
    const index = spanId !== undefined ? await doc.session?.spanIndex(traceId, spanId) : undefined;
    doc.pendingReveal = index === undefined ? { traceId } : { traceId, index };
    doc.flushReveal?.();
  }

  /** Prices or price settings changed (the token lens reloaded): cost every open trace again. */
  updatePrices(): void {
    for (const doc of this.documents) {
      doc.updatePrices().catch((err: unknown) => {
        if (!isAbortError(err)) this.log.error(`Trace viewer: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
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
      loaded = true;
      doc.flushReveal?.();
    };
    let loaded = false;
    doc.flushReveal = () => {
      if (!loaded || !doc.pendingReveal) return;
      post({ type: 'reveal', ...doc.pendingReveal });
      doc.pendingReveal = undefined;
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
          // The webview has no l10n of its own and shows nothing before its strings.
          post({ type: 'init', strings: traceViewerStrings() });
          ready = true;
          void relay(sendLoaded());
        } else void relay(this.onMessage(doc, m, post));
      }),
    ];
    panel.onDidDispose(() => {
      open = false;
      doc.flushReveal = undefined;
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
      case 'reload':
        await doc.load(true);
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
    lens.onDidChange(() => provider.updatePrices()),
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
      await openInViewer(target);
    }),
    // Internal (not in the palette): the Trajectories view reveals a finding's steps in their trace.
    vscode.commands.registerCommand(CommandIds.revealInTraceViewer, async (uri: vscode.Uri, traceId: string, spanId?: string) => {
      await openInViewer(uri);
      await provider.reveal(uri, traceId, spanId);
    }),
  );
}

/** The viewer registered for the file's name, so the tab reopens in it after a reload. */
async function openInViewer(uri: vscode.Uri): Promise<void> {
  const viewType = /\.otlp\.jsonl?(\.gz)?$/i.test(uri.path) ? TraceViewerProvider.viewType : TraceViewerProvider.anyJsonViewType;
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
}
