import * as vscode from 'vscode';
import type { Finding, TrajectoryReport } from '../../core/trajectory/findings';
import { CommandIds } from '../commandIds';
import type { FileResult, TrajectoryController } from './controller';
import {
  addCounts,
  countSeverities,
  countsText,
  findingTooltip,
  runsCountText,
  runTooltip,
  severityIcon,
  stepDescription,
  stepIcon,
  stepLabel,
  stepList,
  stepsCountText,
  stepTooltip,
  wastedText,
  worstSeverity,
} from './format';

/** What a row of the Trajectories view stands for. Also the argument of the reveal command. */
export type TrajectoryNode =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'failure'; uri: vscode.Uri; message: string; line?: number; column?: number }
  | { kind: 'message'; uri: vscode.Uri; text: string }
  | { kind: 'run'; uri: vscode.Uri; report: TrajectoryReport; position: number }
  | { kind: 'finding'; uri: vscode.Uri; report: TrajectoryReport; position: number; finding: Finding; index: number }
  | { kind: 'step'; uri: vscode.Uri; report: TrajectoryReport; position: number; step: number; parent: string };

/** Active-file mode opens the runs with findings when a file has no more than this many runs. */
const expandRunsUpTo = 5;

/**
 * Files → runs (id, outcome, steps, finding counts) → findings (icon by severity, message, waste) → their
 * steps. Selecting a run, finding or step reveals it (see reveal.ts).
 */
export class TrajectoryTreeProvider implements vscode.TreeDataProvider<TrajectoryNode> {
  private readonly changed = new vscode.EventEmitter<TrajectoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly controller: TrajectoryController) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: TrajectoryNode): Promise<TrajectoryNode[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'file': {
        const result = this.controller.result(node.uri);
        return result ? this.fileChildren(result) : [];
      }
      case 'run':
        return node.report.findings.map((finding, index) => ({ kind: 'finding', uri: node.uri, report: node.report, position: node.position, finding, index }));
      case 'finding':
        return node.finding.steps
          .filter((i) => node.report.trajectory.steps[i] !== undefined)
          .map((step) => ({ kind: 'step', uri: node.uri, report: node.report, position: node.position, step, parent: `${idOf(node)}` }));
      default:
        return [];
    }
  }

  private async roots(): Promise<TrajectoryNode[]> {
    if (this.controller.mode === 'workspace') {
      return this.controller.allResults().filter((r) => r.failure || r.reports.length > 0).map((r) => ({ kind: 'file', uri: r.uri }));
    }
    // The file to show may be on its way (just opened, just saved): VS Code shows the view's progress bar meanwhile.
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const activeUri = active instanceof vscode.TabInputText || active instanceof vscode.TabInputCustom ? active.uri : undefined;
    if (activeUri) await this.controller.pendingFor(activeUri);
    const shown = this.controller.shown;
    if (shown) await this.controller.pendingFor(shown);
    const result = shown && this.controller.result(shown);
    return result ? this.fileChildren(result) : [];
  }

  private fileChildren(result: FileResult): TrajectoryNode[] {
    if (result.failure) return [{ kind: 'failure', uri: result.uri, ...result.failure }];
    if (result.reports.length === 0) return [{ kind: 'message', uri: result.uri, text: vscode.l10n.t('No runs in this file.') }];
    return result.reports.map((report, position) => ({ kind: 'run', uri: result.uri, report, position }));
  }

  getTreeItem(node: TrajectoryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'file':
        return this.fileItem(node.uri);
      case 'failure': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.id = idOf(node);
        item.iconPath = severityIcon('error');
        item.description = node.line !== undefined ? vscode.l10n.t('line {0}', node.line) : '';
        item.tooltip = node.message;
        item.contextValue = 'failure';
        item.command = { command: CommandIds.revealTrajectory, title: vscode.l10n.t('Show in File'), arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = idOf(node);
        item.contextValue = 'message';
        return item;
      }
      case 'run':
        return this.runItem(node);
      case 'finding': {
        const { finding } = node;
        const item = new vscode.TreeItem(finding.message, finding.steps.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = idOf(node);
        item.iconPath = severityIcon(finding.severity);
        const wasted = wastedText(finding.wasted);
        item.description = [finding.rule, finding.steps.length > 0 ? stepList(finding.steps) : '', wasted ? vscode.l10n.t('wasted {0}', wasted) : ''].filter(Boolean).join(' · ');
        item.tooltip = findingTooltip(node.report, finding);
        item.contextValue = `finding.${finding.severity}`;
        item.command = { command: CommandIds.revealTrajectory, title: vscode.l10n.t('Reveal Steps'), arguments: [node] };
        return item;
      }
      case 'step': {
        const step = node.report.trajectory.steps[node.step];
        if (!step) return new vscode.TreeItem(`#${node.step}`);
        const item = new vscode.TreeItem(stepLabel(step), vscode.TreeItemCollapsibleState.None);
        item.id = idOf(node);
        item.iconPath = stepIcon(step);
        item.description = stepDescription(step);
        item.tooltip = stepTooltip(step);
        item.contextValue = 'step';
        item.command = { command: CommandIds.revealTrajectory, title: vscode.l10n.t('Reveal Step'), arguments: [node] };
        return item;
      }
    }
  }

  private fileItem(uri: vscode.Uri): vscode.TreeItem {
    const result = this.controller.result(uri);
    const counts = (result?.reports ?? []).map((r) => countSeverities(r.findings)).reduce(addCounts, { error: 0, warning: 0, info: 0 });
    const item = new vscode.TreeItem(uri, counts.error + counts.warning > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = uri.toString();
    const relative = vscode.workspace.asRelativePath(uri, false);
    const dir = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '';
    item.description = [dir, result?.failure ? vscode.l10n.t('could not be read') : `${runsCountText(result?.reports.length ?? 0)} · ${countsText(counts)}`].filter(Boolean).join(' · ');
    item.tooltip = relative;
    item.iconPath = result?.failure ? severityIcon('error') : vscode.ThemeIcon.File;
    item.contextValue = 'file';
    return item;
  }

  private runItem(node: Extract<TrajectoryNode, { kind: 'run' }>): vscode.TreeItem {
    const { report } = node;
    const t = report.trajectory;
    const runs = this.controller.result(node.uri)?.reports.length ?? 0;
    const expand = this.controller.mode === 'activeFile' && runs <= expandRunsUpTo;
    const state = report.findings.length === 0 ? vscode.TreeItemCollapsibleState.None : expand ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(t.id, state);
    item.id = idOf(node);
    item.iconPath = severityIcon(worstSeverity(report.findings));
    item.description = [t.outcome.status, stepsCountText(t.totals.steps), countsText(countSeverities(report.findings))].join(' · ');
    item.tooltip = runTooltip(report);
    item.contextValue = 'run';
    item.command = { command: CommandIds.revealTrajectory, title: vscode.l10n.t('Reveal Run'), arguments: [node] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Stable ids keep what the user expanded across re-validations. */
function idOf(node: TrajectoryNode): string {
  switch (node.kind) {
    case 'file':
      return node.uri.toString();
    case 'failure':
      return `${node.uri.toString()}#failure`;
    case 'message':
      return `${node.uri.toString()}#message`;
    case 'run':
      return `${node.uri.toString()}#${node.position}:${node.report.trajectory.id}`;
    case 'finding':
      return `${node.uri.toString()}#${node.position}:${node.report.trajectory.id}/${node.index}:${node.finding.rule}`;
    case 'step':
      return `${node.parent}/${node.step}`;
  }
}
