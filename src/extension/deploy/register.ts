import * as vscode from 'vscode';
import type { DeployConfig, EnvironmentConfig, Strategy, Target } from '../../core/deploy/config';
import type { DeployOutcome, EngineBase } from '../../core/deploy/engine/index';
import type { GuardFn } from '../../core/deploy/guard/index';
import type { Deploy, Ledger } from '../../core/deploy/ledger/index';
import type { DeployViewApi, DeployViewRow } from '../api';
import { CommandIds } from '../commandIds';
import { commandResult, DeployService, type DeployCommandResult, type DeploySnapshot } from './service';
import { DeployTreeProvider, statusText, weightsText, type DeployNode } from './tree';
import { deployActionAllowed, type DeployAction } from './trust';

export const deployHistoryViewId = 'agentOps.deployHistory';

/**
 * Arguments the deploy commands accept when run programmatically (`executeCommand`), e.g. by the
 * integration suite or a task: every value given skips its quick pick, and `yes: true` skips the
 * confirmation (including typing a protected environment's name). From the command palette no
 * argument is passed and every step asks.
 *   agentOps.deploy.run(env?, version?, { yes?, strategy?, reason? })
 *   agentOps.deploy.rollback(env?, toVersion?, { yes?, reason? })   toVersion undefined: the last good version
 *   agentOps.deploy.promote(env?, { yes?, reason?, full? }) / agentOps.deploy.abort(env?, { yes?, reason? })
 *   agentOps.deploy.resume(env?, { yes?, reason? })   an interrupted deploy, from its recorded weight
 * Each resolves to a DeployCommandResult (the outcome, plain data), or undefined when cancelled or refused.
 */
export interface DeployCommandOptions {
  yes?: boolean;
  /** `direct`, `blue-green`, or the environment's own configured strategy type. */
  strategy?: string;
  reason?: string;
  /** Promote: all traffic now, skipping a paused canary's remaining steps (default: its next step). */
  full?: boolean;
}

interface Loaded {
  config: DeployConfig;
  folder: vscode.Uri;
}

/**
 * Versioned deploys in the editor: the deploy / roll back / promote / abort commands (trusted workspaces
 * only), the "Agent Ops: Deploy History" view (Explorer) and a status bar item. Registration is cheap: the
 * deploy core and SQLite load with the first command, history read or ledger change.
 */
export function registerDeploy(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): DeployViewApi {
  const service = new DeployService(context.secrets, log);
  const provider = new DeployTreeProvider(service);
  const view = vscode.window.createTreeView(deployHistoryViewId, { treeDataProvider: provider, showCollapseAll: true });
  const status = vscode.window.createStatusBarItem('agentOps.deployStatus', vscode.StatusBarAlignment.Left, 10);
  status.name = vscode.l10n.t('Agent Ops Deploy Status');
  status.command = CommandIds.showDeployHistory;
  const commands = new DeployCommands(service, log);
  /** Interrupted deploys already offered for resuming in this window. */
  const told = new Set<string>();

  let debounce: NodeJS.Timeout | undefined;
  const reloadSoon = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      void service.reload();
    }, 300);
  };

  const watchers: vscode.Disposable[] = [];
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    // Another window or the CLI deployed: the ledger (or its WAL) changed.
    const ledgerWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.agentops/ledger.sqlite*'));
    // agentops.yaml changes only matter once the history has been read.
    const configWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, 'agentops.yaml'));
    const configChanged = () => {
      if (service.snapshot) reloadSoon();
    };
    watchers.push(
      ledgerWatcher,
      ledgerWatcher.onDidChange(reloadSoon),
      ledgerWatcher.onDidCreate(reloadSoon),
      ledgerWatcher.onDidDelete(reloadSoon),
      configWatcher,
      configWatcher.onDidChange(configChanged),
      configWatcher.onDidCreate(configChanged),
      configWatcher.onDidDelete(configChanged),
    );
  }

  context.subscriptions.push(
    service,
    provider,
    view,
    status,
    ...watchers,
    { dispose: () => debounce && clearTimeout(debounce) },
    service.onDidChange((snap) => {
      updateStatus(status, snap);
      view.description = snap.headline ? `${snap.headline.environment}: ${snap.headline.version}` : undefined;
      for (const d of newlyInterrupted(snap, told)) void offerResume(d);
    }),
    vscode.commands.registerCommand(CommandIds.deploy, (env?: string, version?: string, options?: DeployCommandOptions) => commands.deploy(env, version, options ?? {})),
    vscode.commands.registerCommand(CommandIds.rollback, (env?: string, to?: string, options?: DeployCommandOptions) => commands.rollback(env, to, options ?? {})),
    vscode.commands.registerCommand(CommandIds.promote, (env?: string, options?: DeployCommandOptions) => commands.end('promote', env, options ?? {})),
    vscode.commands.registerCommand(CommandIds.abort, (env?: string, options?: DeployCommandOptions) => commands.end('abort', env, options ?? {})),
    vscode.commands.registerCommand(CommandIds.resumeDeploy, (env?: string, options?: DeployCommandOptions) => commands.resume(env, options ?? {})),
    vscode.commands.registerCommand(CommandIds.showDeployHistory, async () => {
      await vscode.commands.executeCommand(`${deployHistoryViewId}.focus`);
      await service.reload();
    }),
    vscode.commands.registerCommand(CommandIds.refreshDeployHistory, () => service.reload()),
  );

  // A ledger in the workspace: read it once the window has settled, so the status bar shows where
  // each environment stands and an interrupted deploy is offered for resuming without a command first.
  if (folder) {
    const early = setTimeout(() => {
      void vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.agentops', 'ledger.sqlite')).then(
        () => service.reload(),
        () => undefined,
      );
    }, 3000);
    context.subscriptions.push({ dispose: () => clearTimeout(early) });
  }

  return {
    async rows(depth = 1) {
      return rowsOf(provider, undefined, depth);
    },
    async refresh() {
      await service.reload();
    },
    statusBarText: () => (status.text === '' ? undefined : status.text),
  };
}

/** The environments whose newest deploy is interrupted and not yet offered in this window. */
function newlyInterrupted(snap: DeploySnapshot, told: Set<string>): Deploy[] {
  const out: Deploy[] = [];
  for (const env of snap.environments) {
    const newest = env.deploys.find((r) => !r.deploy.dryRun)?.deploy;
    if (newest?.status !== 'interrupted' || told.has(newest.id)) continue;
    told.add(newest.id);
    out.push(newest);
  }
  return out;
}

async function offerResume(d: Deploy): Promise<void> {
  const resume = vscode.l10n.t('Resume');
  const rollBack = vscode.l10n.t('Roll Back');
  const history = vscode.l10n.t('Show History');
  const at = weightsText(d.weights) || vscode.l10n.t('its start');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('The {0} of {1} to {2} was interrupted at {3}: {4}', d.kind, d.version, d.environment, at, d.error ?? ''),
    resume,
    rollBack,
    history,
  );
  if (answer === resume) await vscode.commands.executeCommand(CommandIds.resumeDeploy, d.environment);
  else if (answer === rollBack) await vscode.commands.executeCommand(CommandIds.rollback, d.environment);
  else if (answer === history) await vscode.commands.executeCommand(CommandIds.showDeployHistory);
}

function updateStatus(item: vscode.StatusBarItem, snap: DeploySnapshot): void {
  const d = snap.headline;
  if (!d) {
    item.hide();
    return;
  }
  const inFlight = d.status === 'pending' || d.status === 'in-progress' || d.status === 'paused';
  const icon = inFlight ? (d.status === 'paused' ? '$(debug-pause)' : '$(sync~spin)') : d.status === 'succeeded' ? '$(rocket)' : '$(warning)';
  item.text = `${icon} ${d.environment}: ${d.version} ${inFlight ? weightsText(d.weights) || statusText(d.status) : statusText(d.status)}`;
  item.tooltip = vscode.l10n.t('{0} of {1} to {2}: {3} (by {4}). Click for the deploy history.', d.kind, d.version, d.environment, statusText(d.status), d.actor);
  item.backgroundColor = d.status === 'failed' || d.status === 'rolled-back' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  item.show();
}

class DeployCommands {
  constructor(
    private readonly service: DeployService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Refuses (with the reason shown) in an untrusted workspace, or when there is no usable agentops.yaml. */
  private async prepare(action: DeployAction): Promise<Loaded | undefined> {
    if (!deployActionAllowed(action, vscode.workspace.isTrusted)) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Agent Ops deploys are disabled in this workspace because it is not trusted: a deploy runs the target of agentops.yaml (a program or a request with a secret). Trust the workspace to deploy.'),
      );
      return undefined;
    }
    const loaded = await this.service.loadConfig();
    if (!loaded.ok) {
      void vscode.window.showErrorMessage(loaded.message);
      return undefined;
    }
    return loaded;
  }

  private environmentOf(l: Loaded, name: string): EnvironmentConfig | undefined {
    const env = l.config.environments[name];
    if (!env) void vscode.window.showErrorMessage(vscode.l10n.t("Unknown environment '{0}'; agentops.yaml has {1}.", name, Object.keys(l.config.environments).join(', ')));
    return env;
  }

  async deploy(envArg: string | undefined, versionArg: string | undefined, options: DeployCommandOptions): Promise<DeployCommandResult | undefined> {
    const l = await this.prepare('deploy');
    if (!l) return undefined;
    const facts = await this.service.withLedger(l.folder, (ledger) => {
      const out = new Map<string, { current?: string; inFlight?: string; versions: string[] }>();
      for (const name of Object.keys(l.config.environments)) {
        const inFlight = ledger.inFlight(name);
        const current = ledger.current(name).current?.version;
        out.set(name, {
          ...(current !== undefined ? { current } : {}),
          ...(inFlight ? { inFlight: inFlight.version } : {}),
          versions: ledger.history(name, 50).map((d) => d.version),
        });
      }
      return out;
    });
    const envName =
      envArg ??
      (await pickEnvironment(
        l,
        vscode.l10n.t('Deploy Version: environment'),
        (name) => facts.get(name)?.current,
        (name) => facts.get(name)?.inFlight,
      ));
    if (envName === undefined) return undefined;
    const env = this.environmentOf(l, envName);
    if (!env) return undefined;
    const recent = [...new Set([...(facts.get(envName)?.versions ?? []), ...[...facts.values()].flatMap((f) => f.versions)])];
    const version = versionArg ?? (await pickVersion(envName, recent, facts.get(envName)?.current));
    if (version === undefined || version === '') return undefined;
    let strategy: Strategy | undefined;
    if (options.strategy !== undefined) {
      strategy = strategyOf(options.strategy, env);
      if (!strategy) {
        void vscode.window.showErrorMessage(vscode.l10n.t("Strategy '{0}' is not available for '{1}': use direct, blue-green or its configured strategy.", options.strategy, envName));
        return undefined;
      }
    } else if (options.yes === true) {
      strategy = env.strategy;
    } else {
      strategy = await pickStrategy(env);
      if (!strategy) return undefined;
    }
    const current = facts.get(envName)?.current;
    if (options.yes !== true) {
      const summary = [
        vscode.l10n.t('Version: {0} → {1}', current ?? vscode.l10n.t('(nothing deployed)'), version),
        vscode.l10n.t('Strategy: {0}', strategy.type),
        vscode.l10n.t('Traffic: {0}', trafficPlan(strategy, version, current)),
        vscode.l10n.t('Target: {0}', targetText(env.target)),
        ...(env.guard ? [vscode.l10n.t('Guard: {0}, rolls back above {1}% errors', env.guard.source.type, String(env.guard.maxErrorRate * 100))] : []),
        ...(facts.get(envName)?.inFlight ? [vscode.l10n.t('A deploy of {0} is in flight: this one will be refused.', facts.get(envName)?.inFlight ?? '')] : []),
      ].join('\n');
      if (!(await confirm(env, vscode.l10n.t('Deploy {0} to {1}?', version, envName), summary, vscode.l10n.t('Deploy')))) return undefined;
    }
    return this.run(vscode.l10n.t('Deploying {0} to {1}', version, envName), l, async (core, base) =>
      core.runDeploy({
        ...base,
        environment: envName,
        version,
        strategy,
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
        ...guardOf(core, env, l),
      }),
    );
  }

  async rollback(envArg: string | undefined, toArg: string | undefined, options: DeployCommandOptions): Promise<DeployCommandResult | undefined> {
    const l = await this.prepare('rollback');
    if (!l) return undefined;
    const envName = envArg ?? (await pickEnvironment(l, vscode.l10n.t('Roll Back: environment')));
    if (envName === undefined) return undefined;
    const env = this.environmentOf(l, envName);
    if (!env) return undefined;
    const facts = await this.service.withLedger(l.folder, (ledger) => {
      const { current, previousGood } = ledger.current(envName);
      return { current: current?.version, previousGood: previousGood?.version, inFlight: ledger.inFlight(envName), history: ledger.history(envName, 50) };
    });
    let to = toArg;
    if (toArg === undefined && options.yes !== true) {
      type Item = vscode.QuickPickItem & { to?: string };
      const items: Item[] = [];
      if (facts.inFlight) {
        items.push({ label: vscode.l10n.t('Roll back the deploy in flight'), description: `${facts.inFlight.version} → ${facts.inFlight.previousVersion ?? '—'}` });
      } else {
        if (facts.previousGood !== undefined) items.push({ label: vscode.l10n.t('Last good version: {0}', facts.previousGood), description: `${facts.current ?? '—'} → ${facts.previousGood}`, to: facts.previousGood });
        const seen = new Set([facts.current, facts.previousGood]);
        for (const d of facts.history) {
          if (d.status !== 'succeeded' || d.dryRun || seen.has(d.version)) continue;
          seen.add(d.version);
          items.push({ label: d.version, description: `${statusText(d.status)} · ${new Date(d.createdAt).toLocaleString()} · ${d.actor}`, to: d.version });
        }
      }
      if (items.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no earlier good version to roll back to.', envName));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Roll Back {0}: to which version?', envName), ignoreFocusOut: true });
      if (!picked) return undefined;
      to = picked.to;
    }
    if (options.yes !== true) {
      const target = to ?? facts.inFlight?.previousVersion ?? facts.previousGood ?? '—';
      const summary = [vscode.l10n.t('Version: {0} → {1}', facts.inFlight?.version ?? facts.current ?? '—', target), vscode.l10n.t('Target: {0}', targetText(env.target))].join('\n');
      if (!(await confirm(env, vscode.l10n.t('Roll back {0} to {1}?', envName, target), summary, vscode.l10n.t('Roll Back')))) return undefined;
    }
    return this.run(vscode.l10n.t('Rolling back {0}', envName), l, (core, base) =>
      core.rollback({ ...base, environment: envName, ...(to !== undefined ? { to } : {}), ...(options.reason !== undefined ? { reason: options.reason } : {}) }),
    );
  }

  async end(action: 'promote' | 'abort', envArg: string | undefined, options: DeployCommandOptions): Promise<DeployCommandResult | undefined> {
    const l = await this.prepare(action);
    if (!l) return undefined;
    const inFlight = await this.service.withLedger(l.folder, (ledger) => ledger.status().flatMap((s) => (s.inFlight ? [s.inFlight] : [])));
    let envName = envArg;
    if (envName === undefined) {
      if (inFlight.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No deploy is in flight.'));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        inFlight.map((d) => ({ label: d.environment, description: `${d.version} · ${statusText(d.status)} · ${weightsText(d.weights)}` })),
        { title: action === 'promote' ? vscode.l10n.t('Promote: environment with a deploy in flight') : vscode.l10n.t('Abort: environment with a deploy in flight'), ignoreFocusOut: true },
      );
      envName = picked?.label;
    }
    if (envName === undefined) return undefined;
    const env = this.environmentOf(l, envName);
    if (!env) return undefined;
    const running = inFlight.find((d) => d.environment === envName);
    // A paused canary goes on to its next step (Argo Rollouts' promote); "all traffic" skips the rest.
    const steps = running && running.status === 'paused' && running.strategy === 'canary' && env.strategy.type === 'canary' ? env.strategy.steps : undefined;
    const nextIndex = steps && running ? (await this.service.core()).nextCanaryStep(steps, running) : undefined;
    const next = nextIndex === undefined ? undefined : steps?.[nextIndex];
    let full = options.full === true || next === undefined;
    if (options.yes !== true) {
      const summary = running ? vscode.l10n.t('{0}: {1} ({2})', running.version, statusText(running.status), weightsText(running.weights)) : vscode.l10n.t('No deploy is in flight.');
      if (action === 'promote' && !full && next !== undefined) {
        const nextStep = vscode.l10n.t('Next Step ({0}%)', String(next));
        const all = vscode.l10n.t('All Traffic Now');
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Promote {0} in {1}?', running?.version ?? '?', envName), { modal: true, detail: vscode.l10n.t('{0}\nNext step: {1}% with its guard checks; all traffic now skips the remaining steps and checks.', summary, String(next)) }, nextStep, all);
        if (answer === undefined || !(await confirm(env, '', '', '', true))) return undefined;
        full = answer === all;
      } else {
        const ok =
          action === 'promote'
            ? await confirm(env, vscode.l10n.t('Promote {0} in {1} to all traffic?', running?.version ?? '?', envName), summary, vscode.l10n.t('Promote'))
            : await confirm({ ...env, protected: false }, vscode.l10n.t('Abort the deploy of {0} in {1}? Traffic returns to the stable version.', running?.version ?? '?', envName), summary, vscode.l10n.t('Abort Deploy'));
        if (!ok) return undefined;
      }
    }
    const title = action === 'promote' ? vscode.l10n.t('Promoting {0}', envName) : vscode.l10n.t('Aborting the deploy in {0}', envName);
    return this.run(title, l, (core, base) => {
      const o = { ...base, environment: envName, ...(options.reason !== undefined ? { reason: options.reason } : {}) };
      return action === 'promote' ? core.promote({ ...o, full, ...guardOf(core, env, l) }) : core.abort(o);
    });
  }

  async resume(envArg: string | undefined, options: DeployCommandOptions): Promise<DeployCommandResult | undefined> {
    const l = await this.prepare('resume');
    if (!l) return undefined;
    const core = await this.service.core();
    const stranded = await this.service.withLedger(l.folder, (ledger) => Object.keys(l.config.environments).flatMap((name) => [core.interruptedDeploy(ledger, name)].filter((d) => d !== undefined)));
    let envName = envArg;
    if (envName === undefined) {
      if (stranded.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No deploy was interrupted.'));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        stranded.map((d) => ({ label: d.environment, description: `${d.version} · ${weightsText(d.weights) || vscode.l10n.t('its start')}`, detail: d.error })),
        { title: vscode.l10n.t('Resume: environment with an interrupted deploy'), ignoreFocusOut: true },
      );
      envName = picked?.label;
    }
    if (envName === undefined) return undefined;
    const env = this.environmentOf(l, envName);
    if (!env) return undefined;
    const d = stranded.find((x) => x.environment === envName);
    if (options.yes !== true) {
      const summary = d ? vscode.l10n.t('{0} was at {1}; the target is told that weight again, then the {2} goes on from there.', d.version, weightsText(d.weights) || vscode.l10n.t('its start'), d.strategy) : vscode.l10n.t('No deploy was interrupted.');
      if (!(await confirm(env, vscode.l10n.t('Resume the deploy of {0} to {1}?', d?.version ?? '?', envName), summary, vscode.l10n.t('Resume')))) return undefined;
    }
    return this.run(vscode.l10n.t('Resuming the deploy in {0}', envName), l, (c, base) =>
      c.resume({ ...base, environment: envName, ...(options.reason !== undefined ? { reason: options.reason } : {}), ...guardOf(c, env, l) }),
    );
  }

  /** Runs one engine call under a cancellable progress notification; reports the outcome; reloads the history. */
  private async run(
    title: string,
    l: Loaded,
    body: (core: Awaited<ReturnType<DeployService['core']>>, base: EngineBase) => Promise<DeployOutcome>,
  ): Promise<DeployCommandResult | undefined> {
    const core = await this.service.core();
    this.log.info(`${title}`);
    let result: DeployCommandResult | undefined;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => {
          this.log.warn('Cancelled: aborting');
          controller.abort(new Error('cancelled by the user'));
        });
        try {
          return await this.service.withLedger(l.folder, async (ledger: Ledger) => {
            const base = await this.service.engineBase(l.config, l.folder, ledger, controller.signal);
            const logEvent = base.onEvent;
            base.onEvent = (e) => {
              logEvent?.(e);
              progress.report({ message: e.message });
            };
            // The refresh the file watcher would do, sooner: after each step is recorded.
            const o = await body(core, base);
            return commandResult(o, core.outcomeOk(o));
          });
        } finally {
          cancel.dispose();
        }
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`${title}: ${message}`);
      void this.fail(vscode.l10n.t('{0}: {1}', title, message));
      await this.service.reload();
      return undefined;
    }
    const line = `${result.environment}: ${result.version} ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`;
    if (result.ok) {
      this.log.info(line);
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1} {2}.', result.environment, result.version, result.outcome));
    } else {
      this.log.error(line);
      void this.fail(vscode.l10n.t('{0}: {1} {2}{3}', result.environment, result.version, result.outcome, result.reason ? ` — ${result.reason}` : ''));
    }
    await this.service.reload();
    return result;
  }

  private async fail(message: string): Promise<void> {
    const show = vscode.l10n.t('Show Log');
    if ((await vscode.window.showErrorMessage(message, show)) === show) this.log.show(true);
  }
}

/** The environment's guard as the engine calls it (none when agentops.yaml has none). */
function guardOf(core: Awaited<ReturnType<DeployService['core']>>, env: EnvironmentConfig, l: Loaded): { guard?: GuardFn } {
  return env.guard ? { guard: core.createGuard(env.guard, { cwd: l.folder.fsPath, environ: process.env }) } : {};
}

async function pickEnvironment(l: Loaded, title: string, current?: (name: string) => string | undefined, inFlight?: (name: string) => string | undefined): Promise<string | undefined> {
  const items = Object.values(l.config.environments).map((env) => {
    const cur = current?.(env.name);
    const running = inFlight?.(env.name);
    return {
      label: env.name,
      description: [env.strategy.type, env.target.type, env.protected ? vscode.l10n.t('protected') : undefined].filter((x) => x !== undefined).join(' · '),
      detail: [cur !== undefined ? vscode.l10n.t('current {0}', cur) : undefined, running !== undefined ? vscode.l10n.t('{0} in flight', running) : undefined].filter((x) => x !== undefined).join(' · ') || undefined,
    };
  });
  return (await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true }))?.label;
}

/** The version: typed, or one of the versions the ledger has seen (newest first). */
function pickVersion(envName: string, recent: string[], current: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick();
    qp.title = vscode.l10n.t('Deploy Version to {0}: version', envName);
    qp.placeholder = vscode.l10n.t('Type a version (a tag, an image digest, a model version) or pick a recent one');
    qp.ignoreFocusOut = true;
    const recentItems = recent.map((v) => ({ label: v, description: v === current ? vscode.l10n.t('current') : vscode.l10n.t('deployed before') }));
    qp.items = recentItems;
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidChangeValue((value) => {
      const v = value.trim();
      qp.items = v && !recent.includes(v) ? [{ label: v, description: vscode.l10n.t('new version') }, ...recentItems] : recentItems;
    });
    qp.onDidAccept(() => finish(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined)));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

function strategyOf(name: string, env: EnvironmentConfig): Strategy | undefined {
  if (name === env.strategy.type) return env.strategy;
  if (name === 'direct' || name === 'blue-green') return { type: name };
  return undefined;
}

async function pickStrategy(env: EnvironmentConfig): Promise<Strategy | undefined> {
  const choices: Strategy[] = [env.strategy, ...(['direct', 'blue-green'] as const).filter((t) => t !== env.strategy.type).map((type): Strategy => ({ type }))];
  const picked = await vscode.window.showQuickPick(
    choices.map((s, i) => ({ label: s.type, description: i === 0 ? vscode.l10n.t('configured in agentops.yaml') : undefined, detail: trafficPlan(s, vscode.l10n.t('the new version'), undefined), strategy: s })),
    { title: vscode.l10n.t('Deploy Version to {0}: strategy', env.name), ignoreFocusOut: true },
  );
  return picked?.strategy;
}

function trafficPlan(s: Strategy, version: string, current: string | undefined): string {
  switch (s.type) {
    case 'direct':
      return vscode.l10n.t('{0} at 100% at once', version);
    case 'blue-green':
      return vscode.l10n.t('{0} starts beside {1}, then takes 100% in one switch', version, current ?? '—');
    case 'canary':
      return vscode.l10n.t('{0} at {1}%, {2} s between steps, guarded', version, s.steps.join('% → '), String(s.interval / 1000));
    case 'ab':
      return vscode.l10n.t('{0} at {1}%, {2} at {3}% (held until promoted or aborted)', version, String(s.split), current ?? '—', String(100 - s.split));
  }
}

/** What the target is, without any secret (webhook secrets are references, never values). */
function targetText(t: Target): string {
  switch (t.type) {
    case 'command':
      return `command ${t.run.join(' ')}`;
    case 'webhook':
      return `webhook ${t.url}`;
    default:
      return t.type;
  }
}

/** A modal with the summary (`answered`: the caller asked already); a protected environment also needs its name typed. */
async function confirm(env: EnvironmentConfig, question: string, summary: string, action: string, answered = false): Promise<boolean> {
  if (!answered && (await vscode.window.showWarningMessage(question, { modal: true, detail: summary }, action)) !== action) return false;
  if (!env.protected) return true;
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} is protected', env.name),
    prompt: vscode.l10n.t("Type the environment's name ({0}) to confirm.", env.name),
    ignoreFocusOut: true,
    validateInput: (v) => (v === env.name || v === '' ? undefined : vscode.l10n.t("Type '{0}' exactly.", env.name)),
  });
  return typed === env.name;
}

/** The view's rows as its TreeDataProvider gives them, `depth` levels deep (for the integration tests). */
async function rowsOf(provider: DeployTreeProvider, parent: DeployNode | undefined, depth: number): Promise<DeployViewRow[]> {
  const rows: DeployViewRow[] = [];
  for (const node of await provider.getChildren(parent)) {
    const item = provider.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const row: DeployViewRow = { label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
    if (depth > 1 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) row.children = await rowsOf(provider, node, depth - 1);
    rows.push(row);
  }
  return rows;
}
