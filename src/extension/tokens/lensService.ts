import * as vscode from 'vscode';
import type * as Tokens from '../../core/tokens';
import { lazyModule } from '../lazy';
import { readTokenSettings, type TokenSettings } from './settings';

const loadTokens = lazyModule('tokens', () => import('../../core/tokens/index'));

export interface DocumentAnalysis {
  version: number;
  estimates: Tokens.PromptEstimate[];
}

/**
 * One TokenLens for the window: loads the tokenizer engine, prompt detector and
 * price table on first use, and caches each document's analysis per version.
 */
export class PromptLensService implements vscode.Disposable {
  private lens: Promise<Tokens.TokenLens> | undefined;
  private prices: Promise<Tokens.PriceTable> | undefined;
  private readonly cache = new Map<string, { version: number; analysis: Promise<DocumentAnalysis | undefined> }>();
  private readonly changed = new vscode.EventEmitter<void>();
  private current: TokenSettings = readTokenSettings();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get settings(): TokenSettings {
    return this.current;
  }

  /** Settings or prices changed: drop every cached analysis. */
  reload(): void {
    this.current = readTokenSettings();
    this.prices = undefined;
    this.cache.clear();
    this.changed.fire();
  }

  forget(doc: vscode.TextDocument): void {
    this.cache.delete(doc.uri.toString());
  }

  /** Cheap test, no module loaded: could this document hold prompts? */
  mayHandle(doc: vscode.TextDocument): boolean {
    if (['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].includes(doc.languageId)) return true;
    if (this.current.promptFiles && this.current.promptFiles.length > 0) return true;
    return /\.(prompty|prompt\.ya?ml|j2|jinja2?|md|txt)$/i.test(doc.fileName);
  }

  analyze(doc: vscode.TextDocument): Promise<DocumentAnalysis | undefined> {
    if (!this.mayHandle(doc)) return Promise.resolve(undefined);
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const version = doc.version;
    const analysis = this.run(doc, version).catch((err: unknown) => {
      this.log.error(`Token lens failed on ${doc.uri.fsPath}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    });
    this.cache.set(key, { version, analysis });
    return analysis;
  }

  /** The prompt whose range holds `pos`. */
  async at(doc: vscode.TextDocument, pos: vscode.Position): Promise<Tokens.PromptEstimate | undefined> {
    const analysis = await this.analyze(doc);
    return analysis?.estimates.find((e) => contains(e.prompt.range, pos));
  }

  async estimateText(text: string): Promise<Tokens.PromptEstimate> {
    const lens = await this.lensInstance();
    return lens.estimateText(text, { ...this.current, prices: await this.priceTable() });
  }

  async tokensModule(): Promise<typeof Tokens> {
    return loadTokens();
  }

  async lensInstance(): Promise<Tokens.TokenLens> {
    this.lens ??= loadTokens().then((m) => m.TokenLens.create({ wasmDir: this.context.asAbsolutePath('dist/wasm') }));
    return this.lens;
  }

  async priceTable(): Promise<Tokens.PriceTable> {
    this.prices ??= this.loadPrices();
    return this.prices;
  }

  /**
   * What priceTable() is built from, as plain data for a worker thread (the trace viewer's session, the
   * trajectory worker), which builds and validates the same table itself.
   */
  async priceInputs(): Promise<Tokens.PriceInputs> {
    const stored = storedPricesUri(this.context);
    const overrides = this.current.priceOverrides;
    try {
      return { storedJson: new TextDecoder().decode(await vscode.workspace.fs.readFile(stored)), storedOrigin: stored.fsPath, overrides };
    } catch (err) {
      if (!(err instanceof vscode.FileSystemError)) this.log.warn(`Ignoring refreshed prices: ${err instanceof Error ? err.message : String(err)}`);
      return { overrides };
    }
  }

  /** The refreshed copy in global storage when there is a valid one, else the bundled table; then the user's overrides. */
  private async loadPrices(): Promise<Tokens.PriceTable> {
    const m = await loadTokens();
    let table = m.bundledPriceTable();
    const stored = storedPricesUri(this.context);
    try {
      const json = new TextDecoder().decode(await vscode.workspace.fs.readFile(stored));
      table = m.loadStoredPrices(json, stored.fsPath);
    } catch (err) {
      if (!(err instanceof vscode.FileSystemError)) this.log.warn(`Ignoring refreshed prices: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      return m.withOverrides(table, m.parsePriceOverrides(this.current.priceOverrides, 'settings'));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(message);
      void vscode.window.showWarningMessage(vscode.l10n.t('Agent Ops: price overrides ignored: {0}', message));
      return table;
    }
  }

  private async run(doc: vscode.TextDocument, version: number): Promise<DocumentAnalysis | undefined> {
    const lens = await this.lensInstance();
    const lensDoc = { fileName: doc.fileName, relativePath: vscode.workspace.asRelativePath(doc.uri, false), languageId: doc.languageId, text: doc.getText() };
    if (!lens.handles(lensDoc, this.current.promptFiles)) return undefined;
    const estimates = await lens.analyze(lensDoc, { ...this.current, prices: await this.priceTable() });
    return { version, estimates };
  }

  dispose(): void {
    this.changed.dispose();
    void this.lens?.then((l) => l.dispose());
  }
}

export function storedPricesUri(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.globalStorageUri, 'prices.json');
}

export function contains(range: Tokens.Range, pos: vscode.Position): boolean {
  const { start, end } = range;
  if (pos.line < start.line || pos.line > end.line) return false;
  if (pos.line === start.line && pos.character < start.character) return false;
  if (pos.line === end.line && pos.character > end.character) return false;
  return true;
}

export function toVsRange(range: Tokens.Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** The model the lens text, status bar and diagnostics speak for. */
export function primaryEstimate(estimate: Tokens.PromptEstimate): Tokens.ModelEstimate | undefined {
  return estimate.models[0];
}
