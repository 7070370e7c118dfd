import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Alert, AlertRule, AlertsResult, AlertTransition, DashboardSession } from './monitorCore';
import type { PromptLensService } from '../tokens/lensService';
import { CommandIds } from '../commandIds';
import type { CollectorController } from './collector';
import { monitorAttributes, openRefs } from './dashboardPanel';
import { loadMonitor } from './load';

/** How often the rules are judged while collecting; accepted spans bring it forward (at most every `soonMs`). */
const everyMs = 15_000;
const soonMs = 5_000;

/**
 * The alert rules of agentops.yaml (`alerts:`; error rate above 5% over 5 minutes when it has none)
 * judged while the collector runs, in a worker of their own that follows the collected files. A rule
 * that starts firing is a notification (an error or a warning, per its severity) with its traces one
 * click away; a resolved one says so. Transitions go to .agentops/alerts.jsonl and, when configured, to
 * Alertmanager. The hysteresis state lives in the worker, so a value near its threshold does not flap.
 */
export class AlertWatcher implements vscode.Disposable {
  private session: DashboardSession | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private firing: Alert[] = [];
  private lastProblems = '';
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly collector: CollectorController,
    private readonly lens: PromptLensService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      collector.onDidChangeState(() => (collector.isRunning ? this.start() : this.stop())),
      collector.onDidAccept(() => {
        this.soon ??= setTimeout(() => {
          this.soon = undefined;
          void this.evaluate();
        }, soonMs);
      }),
    ];
  }

  /** The alerts firing after the last evaluation. */
  get current(): readonly Alert[] {
    return this.firing;
  }

  dispose(): void {
    this.stop();
    for (const s of this.subscriptions) s.dispose();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.evaluate(), everyMs);
    void this.evaluate();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = undefined;
    this.session?.dispose();
    this.session = undefined;
    this.firing = [];
  }

  /** Judges the rules now (serialised: a request during an evaluation runs once more after it). */
  evaluate(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.evaluateOnce().catch((err: unknown) => this.log.error(`Alerts: ${err instanceof Error ? err.message : String(err)}`));
      } while (this.again && this.collector.isRunning);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async evaluateOnce(): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const traces = this.collector.folder;
    if (!root || !traces || !this.collector.isRunning) return;
    const monitor = await loadMonitor();
    const text = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, 'agentops.yaml')).then(
      (b) => new TextDecoder().decode(b),
      () => '',
    );
    const { config, problems } = monitor.loadMonitorConfig(text, 'agentops.yaml');
    const said = problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
    if (said !== this.lastProblems) {
      this.lastProblems = said;
      if (said) this.log.warn(`Alerts: agentops.yaml has problems; the rules without them are used:\n${said}`);
    }
    this.session ??= monitor.openDashboardSession({
      workerPath: this.context.asAbsolutePath('dist/lazy/dashboardWorker.js'),
      init: { sources: [traces.fsPath], attributes: monitorAttributes(), prices: await this.lens.priceInputs() },
      onClose: (reason) => {
        this.log.error(`Alerts: the reader stopped: ${reason.message}`);
        this.session = undefined;
      },
    });
    const r = await this.session.alerts({
      rules: config.alerts.rules,
      nowMs: Date.now(),
      logFile: join(root.fsPath, '.agentops', 'alerts.jsonl'),
      ...(config.alerts.alertmanager ? { alertmanager: config.alerts.alertmanager } : {}),
    });
    if (!this.collector.isRunning) return;
    this.firing = r.firing;
    for (const p of r.problems) this.log.warn(`Alerts: ${p}`);
    const rules = new Map(config.alerts.rules.map((rule) => [rule.name, rule]));
    for (const e of r.events) void this.notify(e, rules.get(e.rule), r, monitor.formatAlertValue);
  }

  private async notify(e: AlertTransition, rule: AlertRule | undefined, r: AlertsResult, format: (rule: AlertRule | undefined, v: number) => string): Promise<void> {
    const value = format(rule, e.value);
    const threshold = format(rule, e.threshold);
    const where = e.project !== undefined ? ` {project=${e.project}}` : '';
    this.log[e.state === 'firing' ? (e.severity === 'error' ? 'error' : 'warn') : 'info'](`Alert ${e.rule}${where} ${e.state}: ${value} (threshold ${threshold}), ${e.traceIds.length} trace(s)`);
    if (e.state === 'resolved') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops alert {0}{1} resolved: {2} (threshold {3}).', e.rule, where, value, threshold));
      return;
    }
    const refs = e.traceIds.flatMap((id) => (r.refs[id] ? [r.refs[id]] : []));
    const showTraces = vscode.l10n.t('Show Traces');
    const dashboard = vscode.l10n.t('Open Dashboard');
    const message = vscode.l10n.t('Agent Ops alert {0}{1}: {2}, above {3}.', e.rule, where, value, threshold);
    const buttons = refs.length > 0 ? [showTraces, dashboard] : [dashboard];
    const answer = e.severity === 'error' ? await vscode.window.showErrorMessage(message, ...buttons) : await vscode.window.showWarningMessage(message, ...buttons);
    if (answer === showTraces) await openRefs(refs);
    else if (answer === dashboard) await vscode.commands.executeCommand(CommandIds.openDashboard);
  }
}
