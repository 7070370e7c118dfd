import * as vscode from 'vscode';
import { isInputError } from '../../core/errors';
// A pure function of a few lines: the glob matcher, not the tokens core.
import { globToRegExp } from '../../core/tokens/detect/glob';
import type { TrajectoryConfig, TrajectoryReport } from '../../core/trajectory/findings';
import type { Step, TrajectoryDiagnostic } from '../../core/trajectory/model';
import { lazyModule } from '../lazy';
import type { PromptLensService } from '../tokens/lensService';
import { countSeverities, toVsSeverity, type SeverityCounts } from './format';

const loadTrajectory = lazyModule('trajectory', () => import('../../core/trajectory/index'));

export type TrajectoryViewMode = 'activeFile' | 'workspace';

/** What validating one file gave. */
export interface FileResult {
  uri: vscode.Uri;
  /** Runs with their findings, in file order; empty when the file could not be read. */
  reports: TrajectoryReport[];
  /** Problems met while reading (broken lines, unknown records): never fatal. */
  diagnostics: TrajectoryDiagnostic[];
  /** Why the file could not be read at all (missing, invalid JSON, a format nobody knows). */
  failure?: { message: string; line?: number; column?: number };
}

export const defaultInclude = ['**/*.traj', '**/*.traj.json', '**/trajectories/**/*.json', '**/trajectories/**/*.jsonl', '**/*.otlp.json', '**/*.otlp.jsonl'];
const configFileName = 'agentops.yaml';
const debounceMs = 300;
/** Files worth a look when they are the active editor (the content decides; this only saves reading every file). */
const candidateName = /\.(json|jsonl|ndjson|traj)(\.gz)?$/i;

/** Larger files are read and validated in a worker thread; JSON.parse of 1 MB takes a few ms. */
const offThreadMinBytes = 1024 * 1024;

/** Larger files are validated when the Trajectories view shows, not merely because they were opened. */
const autoValidateMaxBytes = 32 * 1024 * 1024;

async function fileSize(uri: vscode.Uri): Promise<number> {
  try {
    return (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    return 0;
  }
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The file of the active editor tab: text editors, and custom editors such as the trace viewer. */
function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/**
 * The Trajectories view's state: which files are validated (the active editor's, or every trajectory and
 * trace file of the workspace), their runs and findings, Problems, and the `trajectory:` settings of each
 * workspace folder's agentops.yaml. The core loads lazily, on the first file to validate.
 */
export class TrajectoryController implements vscode.Disposable {
  private modeValue: TrajectoryViewMode = 'activeFile';
  /** Active-file mode: the file shown (it stays when the active editor moves to a file that is no trajectory). */
  private shownUri: vscode.Uri | undefined;
  private readonly results = new Map<string, FileResult>();
  /** Validations in flight, per file; the newest one wins. */
  private readonly pending = new Map<string, { generation: number; promise: Promise<FileResult | undefined> }>();
  private generation = 0;
  private readonly configs = new Map<string, Promise<TrajectoryConfig>>();
  private readonly problems = vscode.languages.createDiagnosticCollection('agentOps.trajectories');
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private scanning: Promise<void> | undefined;
  private configsRead = false;
  private includeRegExps: RegExp[] = [];
  /** Set by the view: whether it shows (then the active editor's JSON files are worth reading). */
  viewVisible: () => boolean = () => false;

  constructor(
    private readonly lens: PromptLensService,
    private readonly log: vscode.LogOutputChannel,
    /** dist/lazy/trajectoryWorker.js: reads and validates big files off the extension host's thread. */
    private readonly workerPath: string,
  ) {
    this.readInclude();
    const configWatcher = vscode.workspace.createFileSystemWatcher(`**/${configFileName}`);
    const onConfigFile = (uri: vscode.Uri) => this.isRootConfig(uri) && this.configChanged();
    this.disposables.push(
      this.problems,
      this.changed,
      configWatcher,
      configWatcher.onDidChange(onConfigFile),
      configWatcher.onDidCreate(onConfigFile),
      configWatcher.onDidDelete(onConfigFile),
      vscode.workspace.onDidSaveTextDocument((doc) => this.onSaved(doc.uri)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.scheduleFollowActive()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.scheduleFollowActive()),
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleFollowActive()),
      vscode.workspace.onDidDeleteFiles((e) => this.forget(e.files)),
      vscode.workspace.onDidRenameFiles((e) => this.forget(e.files.map((f) => f.oldUri))),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.configChanged()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('agentOps.trajectories.include')) this.readInclude();
      }),
    );
    // Like the token lens: the editors restored with the window are looked at shortly after activation, not during it.
    this.scheduleFollowActive();
  }

  get mode(): TrajectoryViewMode {
    return this.modeValue;
  }

  get shown(): vscode.Uri | undefined {
    return this.shownUri;
  }

  result(uri: vscode.Uri): FileResult | undefined {
    return this.results.get(uri.toString());
  }

  /** Every validated file, by path. */
  allResults(): FileResult[] {
    return [...this.results.values()].sort((a, b) => a.uri.path.localeCompare(b.uri.path));
  }

  /** The validation of `uri` in flight, if any. */
  pendingFor(uri: vscode.Uri): Promise<unknown> | undefined {
    return this.pending.get(uri.toString())?.promise;
  }

  get isScanning(): boolean {
    return this.scanning !== undefined;
  }

  /** Resolves once nothing is scheduled or running (bounded: the test hook's wait). */
  async idle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (this.timers.size > 0 || this.pending.size > 0 || this.scanning)) {
      await Promise.race([Promise.allSettled([...this.pending.values()].map((p) => p.promise)), new Promise((r) => setTimeout(r, 50))]);
    }
  }

  setMode(mode: TrajectoryViewMode): void {
    this.modeValue = mode;
    void vscode.commands.executeCommand('setContext', 'agentOps.trajectories.mode', mode);
    this.changed.fire();
    if (mode === 'activeFile') this.schedule('active', () => this.followActive(), 0);
  }

  /** Soon (debounced, never during activation): follow the active editor. */
  scheduleFollowActive(): void {
    this.schedule('active', () => this.followActive());
  }

  /** Active-file mode: validate the active editor's file when it is a trajectory or trace file. */
  async followActive(force = false): Promise<void> {
    if (this.modeValue !== 'activeFile') return;
    const uri = activeResource();
    if (!uri || uri.scheme !== 'file' || !candidateName.test(uri.path)) return;
    const key = uri.toString();
    if (!force && this.shownUri?.toString() === key && this.results.has(key)) return;
    // A file known to hold runs, or where the settings say runs are: read it even while the view is hidden (Problems).
    const known = this.results.has(key) || this.matchesInclude(uri);
    if (!known && !this.viewVisible()) return;
    // A huge trace is read by the trace viewer's worker; reading it here too waits until the view asks.
    if (!this.viewVisible() && (await fileSize(uri)) > autoValidateMaxBytes) return;
    const result = await this.validate(uri, { keepFailure: known || this.shownUri?.toString() === key });
    if (!result || this.modeValue !== 'activeFile' || activeResource()?.toString() !== key) return;
    if (result.failure && !known) return;
    this.shownUri = uri;
    this.changed.fire();
  }

  /** Validates the shown file, or scans the workspace again. */
  async refresh(): Promise<void> {
    this.configs.clear();
    if (this.modeValue === 'workspace') return this.validateWorkspace();
    const active = activeResource();
    if (this.shownUri && this.shownUri.toString() !== active?.toString()) await this.validate(this.shownUri, { keepFailure: true });
    await this.followActive(true);
  }

  /** Finds every file `agentOps.trajectories.include` matches and validates it, with a cancellable progress notification. */
  validateWorkspace(): Promise<void> {
    this.setMode('workspace');
    if (!this.scanning) void vscode.commands.executeCommand('setContext', 'agentOps.trajectories.scanning', true);
    this.scanning ??= Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agent Ops: validating trajectories'), cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        const started = performance.now();
        try {
          const files = await this.findWorkspaceFiles();
          let runs = 0;
          let counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
          for (const [i, uri] of files.entries()) {
            if (abort.signal.aborted) break;
            progress.report({ increment: 100 / files.length, message: vscode.l10n.t('{0} of {1}: {2}', i + 1, files.length, vscode.workspace.asRelativePath(uri)) });
            const result = await this.validate(uri, { keepFailure: true, signal: abort.signal });
            runs += result?.reports.length ?? 0;
            for (const r of result?.reports ?? []) {
              const c = countSeverities(r.findings);
              counts = { error: counts.error + c.error, warning: counts.warning + c.warning, info: counts.info + c.info };
            }
          }
          this.log.info(
            `Trajectories: ${abort.signal.aborted ? 'cancelled after' : 'validated'} ${files.length} files, ${runs} runs, ${counts.error} errors, ${counts.warning} warnings in ${(performance.now() - started).toFixed(0)} ms`,
          );
        } catch (err) {
          this.log.error(`Trajectories: validating the workspace failed: ${errorText(err)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Agent Ops: validating the workspace trajectories failed: {0}', err instanceof Error ? err.message : String(err)));
        } finally {
          cancel.dispose();
        }
      }),
    ).finally(() => {
      this.scanning = undefined;
      void vscode.commands.executeCommand('setContext', 'agentOps.trajectories.scanning', false);
      this.changed.fire();
    });
    return this.scanning;
  }

  /** Does `agentOps.trajectories.include` match this file? */
  matchesInclude(uri: vscode.Uri): boolean {
    const relative = vscode.workspace.asRelativePath(uri, false);
    return this.includeRegExps.some((r) => r.test(relative));
  }

  /**
   * Reads and validates one file, records the result (the view, Problems) and returns it. A file that cannot
   * be read is recorded only with `keepFailure` (a file known to be a trajectory: its error is news; any other
   * JSON file that is not one is not). Undefined when a newer validation of the same file superseded this one.
   */
  validate(uri: vscode.Uri, options: { keepFailure: boolean; signal?: AbortSignal }): Promise<FileResult | undefined> {
    const key = uri.toString();
    const generation = ++this.generation;
    const promise = this.read(uri, options.signal).then(
      (result) => {
        if (this.pending.get(key)?.generation !== generation) return undefined;
        if (!result.failure || options.keepFailure) this.record(result);
        return result;
      },
      (err: unknown) => {
        if (!isAbortError(err)) this.log.error(`Trajectories: ${uri.fsPath}: ${errorText(err)}`);
        return undefined;
      },
    );
    const entry = {
      generation,
      promise: promise.finally(() => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
      }),
    };
    this.pending.set(key, entry);
    return entry.promise;
  }

  private async read(uri: vscode.Uri, signal: AbortSignal | undefined): Promise<FileResult> {
    const core = await loadTrajectory();
    const config = await this.configFor(uri);
    const started = performance.now();
    try {
      // Runs read from traces are priced like the token lens prices prompts (overrides, refreshed table).
      // Parsing a big file would block the extension host: those go to a worker thread.
      const offThread = (await fileSize(uri)) > offThreadMinBytes;
      const { reports, diagnostics } = offThread
        ? await core.validateFileOffThread({ workerPath: this.workerPath, file: uri.fsPath, config, prices: await this.lens.priceInputs(), ...(signal ? { signal } : {}) })
        : await this.readInProcess(core, uri, config, signal);
      this.log.debug(`Trajectories: ${uri.fsPath}: ${reports.length} runs, ${reports.reduce((n, r) => n + r.findings.length, 0)} findings in ${(performance.now() - started).toFixed(0)} ms${offThread ? ' (worker)' : ''}`);
      return { uri, reports, diagnostics };
    } catch (err) {
      if (!isInputError(err)) throw err;
      const { line, column } = err.location;
      return { uri, reports: [], diagnostics: [], failure: { message: err.detail, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) } };
    }
  }

  private async readInProcess(core: Awaited<ReturnType<typeof loadTrajectory>>, uri: vscode.Uri, config: TrajectoryConfig, signal: AbortSignal | undefined): Promise<Pick<FileResult, 'reports' | 'diagnostics'>> {
    const prices = await this.lens.priceTable();
    const read = await core.readTrajectoryFile(uri.fsPath, signal ? { prices, signal } : { prices });
    return { reports: core.validateTrajectories(read.trajectories, config), diagnostics: read.diagnostics };
  }

  private record(result: FileResult): void {
    this.results.set(result.uri.toString(), result);
    this.problems.set(result.uri, problemsOf(result));
    this.changed.fire();
  }

  private forget(uris: readonly vscode.Uri[]): void {
    let any = false;
    for (const uri of uris) {
      const prefix = `${uri.toString()}/`;
      for (const key of [...this.results.keys()]) {
        if (key !== uri.toString() && !key.startsWith(prefix)) continue;
        this.results.delete(key);
        this.problems.delete(vscode.Uri.parse(key));
        if (this.shownUri?.toString() === key) this.shownUri = undefined;
        any = true;
      }
    }
    if (any) this.changed.fire();
  }

  private onSaved(uri: vscode.Uri): void {
    if (this.isRootConfig(uri)) {
      this.configChanged();
      return;
    }
    if (uri.scheme !== 'file' || !(this.results.has(uri.toString()) || this.matchesInclude(uri))) return;
    this.schedule(`save:${uri.toString()}`, async () => {
      await this.validate(uri, { keepFailure: true });
    });
  }

  /** agentops.yaml changed (or a folder came or went): read the settings again and validate every file again. */
  private configChanged(): void {
    this.configs.clear();
    this.schedule('config', async () => {
      // Read again what was read before, so Problems on agentops.yaml follow its fixes even with no file to validate.
      if (this.configsRead) for (const f of vscode.workspace.workspaceFolders ?? []) await this.configFor(f.uri);
      for (const result of this.allResults()) await this.validate(result.uri, { keepFailure: true });
    });
  }

  private isRootConfig(uri: vscode.Uri): boolean {
    return (vscode.workspace.workspaceFolders ?? []).some((f) => vscode.Uri.joinPath(f.uri, configFileName).toString() === uri.toString());
  }

  /** The `trajectory:` settings of the file's workspace folder (the first folder for files outside any), read once per change. */
  private configFor(uri: vscode.Uri): Promise<TrajectoryConfig> {
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    const key = folder?.uri.toString() ?? '';
    let config = this.configs.get(key);
    if (!config) {
      this.configsRead = true;
      config = this.loadConfig(folder).catch(async (err: unknown) => {
        this.log.error(`Trajectories: reading ${configFileName} failed, using the default rule settings: ${errorText(err)}`);
        this.configs.delete(key);
        return (await loadTrajectory()).defaultTrajectoryConfig();
      });
      this.configs.set(key, config);
    }
    return config;
  }

  private async loadConfig(folder: vscode.WorkspaceFolder | undefined): Promise<TrajectoryConfig> {
    const core = await loadTrajectory();
    if (!folder) return core.defaultTrajectoryConfig();
    const file = vscode.Uri.joinPath(folder.uri, configFileName);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    } catch {
      this.problems.delete(file);
      return core.defaultTrajectoryConfig();
    }
    const { config, problems } = core.loadTrajectoryConfig(text, file.fsPath);
    // Bad settings are not fatal here (the CLI exits 2): the rest applies, and Problems says what was wrong.
    for (const p of problems) this.log.warn(`Trajectories: ${file.fsPath}:${p.line}:${p.column}: ${p.message}`);
    this.problems.set(
      file,
      problems.map((p) => {
        const at = new vscode.Position(Math.max(0, (p.line ?? 1) - 1), Math.max(0, (p.column ?? 1) - 1));
        const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.field ? `${p.message} (${p.field})` : p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'Agent Ops';
        d.code = 'trajectory-config';
        return d;
      }),
    );
    return config;
  }

  private readInclude(): void {
    const globs = vscode.workspace.getConfiguration('agentOps').get<string[]>('trajectories.include', defaultInclude);
    this.includeRegExps = (Array.isArray(globs) ? globs : defaultInclude).filter((g) => typeof g === 'string' && g.trim() !== '').map(globToRegExp);
  }

  private async findWorkspaceFiles(): Promise<vscode.Uri[]> {
    const globs = vscode.workspace.getConfiguration('agentOps').get<string[]>('trajectories.include', defaultInclude);
    const found = new Map<string, vscode.Uri>();
    for (const glob of globs.filter((g) => typeof g === 'string' && g.trim() !== '')) {
      // files.exclude applies; dependencies never hold the user's runs.
      for (const uri of await vscode.workspace.findFiles(glob, undefined, 10_000)) {
        if (!/\/(node_modules|\.git)\//.test(uri.path)) found.set(uri.toString(), uri);
      }
    }
    return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Runs `fn` once `delayMs` after the last call with the same key. */
  private schedule(key: string, fn: () => Promise<void>, delayMs = debounceMs): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn().catch((err: unknown) => this.log.error(`Trajectories: ${errorText(err)}`));
      }, delayMs),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Problems of one file: each finding at its first step's line, the reading problems, or why it could not be read. */
function problemsOf(result: FileResult): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  if (result.failure) {
    const at = new vscode.Position(Math.max(0, (result.failure.line ?? 1) - 1), Math.max(0, (result.failure.column ?? 1) - 1));
    const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), result.failure.message, vscode.DiagnosticSeverity.Error);
    d.source = 'Agent Ops';
    d.code = 'unreadable';
    return [d];
  }
  for (const { trajectory: t, findings } of result.reports) {
    for (const f of findings) {
      const first = f.steps[0] !== undefined ? t.steps[f.steps[0]] : undefined;
      const d = new vscode.Diagnostic(lineRange(first?.line ?? t.source.line ?? 1), vscode.l10n.t('{0} (run {1})', f.message, t.id), toVsSeverity(f.severity));
      d.source = 'Agent Ops';
      d.code = f.rule;
      const related = f.steps
        .slice(1)
        .map((i) => t.steps[i])
        .filter((s): s is Step => s?.line !== undefined)
        .slice(0, 20)
        .map((s) => new vscode.DiagnosticRelatedInformation(new vscode.Location(result.uri, lineRange(s.line as number)), vscode.l10n.t('step #{0} of run {1}', s.index, t.id)));
      if (related.length > 0) d.relatedInformation = related;
      out.push(d);
    }
  }
  for (const r of result.diagnostics) {
    const d = new vscode.Diagnostic(lineRange(r.line ?? 1), r.message, toVsSeverity(r.severity));
    d.source = 'Agent Ops';
    d.code = r.code;
    out.push(d);
  }
  return out;
}

/** The whole line of a record (editors clamp the end to the line's length). */
function lineRange(line: number): vscode.Range {
  return new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 1_000_000);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
