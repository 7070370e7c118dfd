import { hostname, userInfo } from 'node:os';
import * as vscode from 'vscode';
import type { DeployConfig, SecretRef, Target } from '../../core/deploy/config';
import type { DeployOutcome, EngineBase, EngineEvent } from '../../core/deploy/engine/index';
import type { Deploy, GuardCheck, Ledger, LedgerEvent } from '../../core/deploy/ledger/index';
import { lazyModule } from '../lazy';
import type * as DeployCore from './deployCore';

const loadDeploy = lazyModule('deploy', () => import('./deployCore'));

/** The workspace's deploy configuration, or why there is none. */
export type LoadedConfig = { ok: true; config: DeployConfig; folder: vscode.Uri } | { ok: false; message: string };

export interface DeployRecord {
  deploy: Deploy;
  events: LedgerEvent[];
  checks: GuardCheck[];
}

/** What the history view and the status bar show: one read of the ledger. */
export interface DeploySnapshot {
  config: LoadedConfig;
  /** Environments of agentops.yaml first (in its order), then any others the ledger knows. */
  environments: { name: string; deploys: DeployRecord[] }[];
  /** The newest in-flight deploy, else the newest deploy. */
  headline?: Deploy;
}

const historyLimit = 50;

/**
 * The deploy core for the editor: reads agentops.yaml of the first workspace folder, opens the ledger
 * (.agentops/ledger.sqlite, node:sqlite) for each operation and closes it after, so CLI processes and
 * other windows share it. Secrets: `${env:VAR}` from the extension host's environment, SecretStorage
 * references from `context.secrets`; neither is ever logged or stored.
 */
export class DeployService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeploySnapshot>();
  /** Fires after every reload of the snapshot. */
  readonly onDidChange = this.changed.event;
  private current: DeploySnapshot | undefined;
  private loading: Promise<DeploySnapshot> | undefined;
  private again = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** The last snapshot read, if any. */
  get snapshot(): DeploySnapshot | undefined {
    return this.current;
  }

  /** Reads the configuration and the ledger again (serialised: a request during a read reads once more after it). */
  reload(): Promise<DeploySnapshot> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      let snap: DeploySnapshot;
      do {
        this.again = false;
        snap = await this.read();
      } while (this.again);
      return snap;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading.then((snap) => {
      this.current = snap;
      this.changed.fire(snap);
      return snap;
    });
  }

  folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  async loadConfig(): Promise<LoadedConfig> {
    const folder = this.folder();
    if (!folder) return { ok: false, message: vscode.l10n.t('Open a folder with an agentops.yaml to deploy.') };
    const uri = vscode.Uri.joinPath(folder.uri, 'agentops.yaml');
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return { ok: false, message: vscode.l10n.t('No agentops.yaml in {0}.', folder.name) };
    }
    const deploy = await loadDeploy();
    const { config, problems } = deploy.loadDeployConfig(text, 'agentops.yaml');
    const first = problems[0];
    if (first) return { ok: false, message: vscode.l10n.t('agentops.yaml:{0}:{1}: {2}', first.line, first.column, first.message) };
    if (!config) return { ok: false, message: vscode.l10n.t('agentops.yaml has no deploy configuration: add agent: and environments:.') };
    return { ok: true, config, folder: folder.uri };
  }

  /** Runs `body` with the workspace's ledger open (created if missing), closing it after. */
  async withLedger<T>(folder: vscode.Uri, body: (ledger: Ledger) => Promise<T> | T): Promise<T> {
    const deploy = await loadDeploy();
    const ledger = await deploy.Ledger.open(deploy.defaultLedgerPath(folder.fsPath), { driver: 'node:sqlite' });
    try {
      ledger.reconcile();
      return await body(ledger);
    } finally {
      ledger.close();
    }
  }

  private async read(): Promise<DeploySnapshot> {
    const config = await this.loadConfig();
    const folder = config.ok ? config.folder : this.folder()?.uri;
    if (!folder) return { config, environments: [] };
    const ledgerFile = vscode.Uri.joinPath(folder, '.agentops', 'ledger.sqlite');
    const exists = await vscode.workspace.fs.stat(ledgerFile).then(
      () => true,
      () => false,
    );
    const names = config.ok ? Object.keys(config.config.environments) : [];
    if (!exists) return { config, environments: names.map((name) => ({ name, deploys: [] })) };
    try {
      return await this.withLedger(folder, (ledger) => {
        for (const known of ledger.environments()) if (!names.includes(known)) names.push(known);
        const environments = names.map((name) => ({
          name,
          deploys: ledger.history(name, historyLimit).map((deploy) => ({ deploy, events: ledger.events(deploy.id), checks: ledger.checks(deploy.id) })),
        }));
        const all = environments.flatMap((e) => e.deploys.map((r) => r.deploy)).filter((d) => !d.dryRun);
        const newest = (ds: Deploy[]) => ds.reduce<Deploy | undefined>((a, d) => (a === undefined || d.createdAt > a.createdAt ? d : a), undefined);
        const headline = newest(all.filter((d) => d.status === 'pending' || d.status === 'in-progress' || d.status === 'paused')) ?? newest(all);
        return { config, environments, ...(headline ? { headline } : {}) };
      });
    } catch (err) {
      this.log.error(`Deploy history: could not read the ledger: ${err instanceof Error ? err.message : String(err)}`);
      return { config: { ok: false, message: vscode.l10n.t('Could not read the deploy ledger: {0}', err instanceof Error ? err.message : String(err)) }, environments: [] };
    }
  }

  /** The shared options of the engine's calls: targets with the editor's secrets and logging, the actor, the log. */
  async engineBase(config: DeployConfig, folder: vscode.Uri, ledger: Ledger, signal: AbortSignal): Promise<EngineBase> {
    const deploy = await loadDeploy();
    const log = this.log;
    const secrets = this.secrets;
    const ctx = {
      cwd: folder.fsPath,
      environ: process.env,
      async secret(ref: SecretRef): Promise<string | undefined> {
        if (ref.kind === 'env') return process.env[ref.name];
        const value = await secrets.get(ref.key);
        if (value === undefined) log.warn(`Deploy: no secret '${ref.key}' in VS Code's secret storage`);
        return value;
      },
      log: (line: string) => log.info(`  ${line}`),
    };
    return {
      config,
      ledger,
      targets: (t: Target) => deploy.createTarget(t, ctx),
      actor: actor(),
      signal,
      onEvent: (e: EngineEvent) => log.info(`[${e.kind}] ${e.message}`),
    };
  }

  async core(): Promise<typeof DeployCore> {
    return loadDeploy();
  }
}

/** `AGENTOPS_ACTOR`, else user@host (as the CLI records it). */
export function actor(): string {
  if (process.env.AGENTOPS_ACTOR) return process.env.AGENTOPS_ACTOR;
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** An outcome as the commands return it to programmatic callers (plain data). */
export interface DeployCommandResult {
  outcome: DeployOutcome['outcome'];
  ok: boolean;
  reason?: string;
  deployId: string;
  environment: string;
  version: string;
  status: Deploy['status'];
}

export function commandResult(o: DeployOutcome, ok: boolean): DeployCommandResult {
  return {
    outcome: o.outcome,
    ok,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    deployId: o.deploy.id,
    environment: o.deploy.environment,
    version: o.deploy.version,
    status: o.deploy.status,
  };
}
