import * as vscode from 'vscode';
import type { Deploy, DeployStatus, GuardCheck, LedgerEvent } from '../../core/deploy/ledger/index';
import type { DeployRecord, DeployService } from './service';

/** What a row of the Deploy History view stands for. */
export type DeployNode =
  | { kind: 'message'; text: string }
  | { kind: 'environment'; name: string; records: DeployRecord[] }
  | { kind: 'deploy'; record: DeployRecord }
  | { kind: 'event'; event: LedgerEvent }
  | { kind: 'check'; check: GuardCheck };

const statusIcons: Record<DeployStatus, [string, string?]> = {
  pending: ['clock'],
  'in-progress': ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  'rolled-back': ['discard', 'charts.orange'],
  aborted: ['circle-slash'],
  interrupted: ['debug-disconnect', 'charts.yellow'],
};

export function statusIcon(status: DeployStatus): vscode.ThemeIcon {
  const [id, color] = statusIcons[status];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export function statusText(status: DeployStatus): string {
  switch (status) {
    case 'pending':
      return vscode.l10n.t('pending');
    case 'in-progress':
      return vscode.l10n.t('in progress');
    case 'paused':
      return vscode.l10n.t('paused');
    case 'succeeded':
      return vscode.l10n.t('succeeded');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'rolled-back':
      return vscode.l10n.t('rolled back');
    case 'aborted':
      return vscode.l10n.t('aborted');
    case 'interrupted':
      return vscode.l10n.t('interrupted');
  }
}

export function weightsText(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([v, w]) => `${v} ${w}%`)
    .join(', ');
}

/** Local date and time, to the second. */
function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** One line of an event's data: the parts a person reads (action output is in the tooltip). */
function eventSummary(e: LedgerEvent): string {
  const data = e.data;
  if (data === null || typeof data !== 'object') return data === undefined ? '' : String(data);
  const o = data as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['action', 'from', 'to', 'version', 'weight', 'ok', 'error', 'note', 'reason', 'actor']) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    parts.push(typeof v === 'object' ? `${key} ${JSON.stringify(v)}` : `${key} ${String(v)}`);
  }
  if (o.weights && typeof o.weights === 'object') parts.push(weightsText(o.weights as Record<string, number>));
  return parts.join(' · ');
}

function eventTooltip(e: LedgerEvent): string {
  return `${e.seq}. ${e.kind} — ${when(e.at)}\n${JSON.stringify(e.data ?? null, null, 2)}`;
}

/**
 * Environments (agentops.yaml's, then others in the ledger) → deploys, newest first (status icon; version,
 * strategy, time, actor) → their guard checks and events. Reads the snapshot of the DeployService.
 */
export class DeployTreeProvider implements vscode.TreeDataProvider<DeployNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeployNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: DeployService) {
    this.subscription = service.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async getChildren(node?: DeployNode): Promise<DeployNode[]> {
    if (!node) {
      const snap = this.service.snapshot ?? (await this.service.reload());
      const rows: DeployNode[] = [];
      if (!snap.config.ok) rows.push({ kind: 'message', text: snap.config.message });
      for (const env of snap.environments) rows.push({ kind: 'environment', name: env.name, records: env.deploys });
      return rows;
    }
    switch (node.kind) {
      case 'environment':
        return node.records.length > 0 ? node.records.map((record) => ({ kind: 'deploy', record })) : [{ kind: 'message', text: vscode.l10n.t('No deploys yet') }];
      case 'deploy':
        return [...node.record.checks.map((check): DeployNode => ({ kind: 'check', check })), ...node.record.events.map((event): DeployNode => ({ kind: 'event', event }))];
      default:
        return [];
    }
  }

  getTreeItem(node: DeployNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.contextValue = 'message';
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'environment': {
        const last = node.records[0]?.deploy;
        const item = new vscode.TreeItem(node.name, node.records.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `env:${node.name}`;
        item.contextValue = 'environment';
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.description = last ? `${last.version} · ${statusText(last.status)}` : vscode.l10n.t('nothing deployed');
        return item;
      }
      case 'deploy':
        return deployItem(node.record.deploy);
      case 'check': {
        const c = node.check;
        const item = new vscode.TreeItem(vscode.l10n.t('Guard check: {0}', c.verdict));
        item.id = `check:${c.deployId}:${c.id}`;
        item.contextValue = `check.${c.verdict}`;
        item.iconPath = new vscode.ThemeIcon(c.verdict === 'pass' ? 'pass' : c.verdict === 'breach' ? 'warning' : 'question');
        const parts = [
          c.step !== undefined ? vscode.l10n.t('step {0}', c.step + 1) : undefined,
          c.weight !== undefined ? `${c.weight}%` : undefined,
          c.errorRate !== undefined ? vscode.l10n.t('error rate {0}', `${(c.errorRate * 100).toFixed(2)}%`) : undefined,
          c.samples !== undefined ? vscode.l10n.t('{0} samples', c.samples) : undefined,
          c.latencyMs !== undefined ? `${c.latencyMs} ms` : undefined,
          c.detail,
        ];
        item.description = parts.filter((p) => p !== undefined && p !== '').join(' · ');
        item.tooltip = `${when(c.at)}\n${item.description}`;
        return item;
      }
      case 'event': {
        const e = node.event;
        const item = new vscode.TreeItem(e.kind);
        item.id = `event:${e.deployId}:${e.seq}`;
        item.contextValue = 'event';
        item.iconPath = new vscode.ThemeIcon(e.kind === 'action' ? 'run' : 'circle-small');
        item.description = eventSummary(e);
        item.tooltip = eventTooltip(e);
        return item;
      }
    }
  }
}

function deployItem(d: Deploy): vscode.TreeItem {
  const label = d.kind === 'rollback' ? vscode.l10n.t('Rollback: {0}', statusText(d.status)) : vscode.l10n.t('Deploy: {0}', statusText(d.status));
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `deploy:${d.id}`;
  item.contextValue = `deploy.${d.status}`;
  item.iconPath = statusIcon(d.status);
  item.description = [d.version, d.strategy, when(d.createdAt), d.actor].join(' · ') + (d.dryRun ? ` · ${vscode.l10n.t('dry run')}` : '');
  const lines = [
    `${d.kind} ${d.id}`,
    `${d.environment}: ${d.previousVersion ?? '—'} → ${d.version}`,
    vscode.l10n.t('Status: {0}', statusText(d.status)),
    vscode.l10n.t('Strategy: {0}', d.strategy),
    vscode.l10n.t('Weights: {0}', weightsText(d.weights) || '—'),
    vscode.l10n.t('By {0} at {1}', d.actor, when(d.createdAt)),
  ];
  if (d.finishedAt) lines.push(vscode.l10n.t('Finished at {0}', when(d.finishedAt)));
  if (d.reason) lines.push(vscode.l10n.t('Reason: {0}', d.reason));
  if (d.error) lines.push(vscode.l10n.t('Error: {0}', d.error));
  item.tooltip = lines.join('\n');
  return item;
}
