import * as vscode from 'vscode';
import type { TrajectoryViewApi, TrajectoryViewRow } from '../api';
import { CommandIds } from '../commandIds';
import type { PromptLensService } from '../tokens/lensService';
import { TrajectoryController } from './controller';
import { addCounts, countSeverities, countsText } from './format';
import { revealTrajectoryNode } from './reveal';
import { TrajectoryTreeProvider, type TrajectoryNode } from './tree';

export const trajectoriesViewId = 'agentOps.trajectories';

/**
 * The trajectory validator in the editor: the "Agent Ops: Trajectories" view (Explorer), Problems on
 * trajectory and trace files, re-validation on save and when agentops.yaml changes. Registration is cheap;
 * the trajectory core loads when the first file is validated.
 */
export function registerTrajectories(context: vscode.ExtensionContext, lens: PromptLensService, log: vscode.LogOutputChannel): TrajectoryViewApi {
  const controller = new TrajectoryController(lens, log, context.asAbsolutePath('dist/lazy/trajectoryWorker.js'));
  const provider = new TrajectoryTreeProvider(controller);
  const view = vscode.window.createTreeView(trajectoriesViewId, { treeDataProvider: provider, showCollapseAll: true });
  controller.viewVisible = () => view.visible;
  void vscode.commands.executeCommand('setContext', 'agentOps.trajectories.mode', controller.mode);

  const describe = () => {
    const results = controller.mode === 'workspace' ? controller.allResults() : controller.shown ? [controller.result(controller.shown)].filter((r) => r !== undefined) : [];
    const counts = results.flatMap((r) => r.reports).map((r) => countSeverities(r.findings)).reduce(addCounts, { error: 0, warning: 0, info: 0 });
    if (controller.mode === 'workspace') {
      view.description = controller.isScanning ? vscode.l10n.t('Workspace · validating…') : vscode.l10n.t('Workspace · {0}', countsText(counts));
    } else {
      view.description = controller.shown && results.length > 0 ? `${vscode.workspace.asRelativePath(controller.shown, false)} · ${countsText(counts)}` : undefined;
    }
  };

  context.subscriptions.push(
    controller,
    provider,
    view,
    controller.onDidChange(() => {
      provider.refresh();
      describe();
    }),
    view.onDidChangeVisibility((e) => {
      if (e.visible) controller.scheduleFollowActive();
    }),
    vscode.commands.registerCommand(CommandIds.validateWorkspaceTrajectories, async () => {
      void vscode.commands.executeCommand(`${trajectoriesViewId}.focus`);
      await controller.validateWorkspace();
    }),
    vscode.commands.registerCommand(CommandIds.showActiveFileTrajectories, async () => {
      void vscode.commands.executeCommand(`${trajectoriesViewId}.focus`, { preserveFocus: true });
      controller.setMode('activeFile');
      await controller.followActive(true);
    }),
    vscode.commands.registerCommand(CommandIds.refreshTrajectories, () => controller.refresh()),
    vscode.commands.registerCommand(CommandIds.revealTrajectory, (node?: TrajectoryNode) => revealTrajectoryNode(node, log)),
  );

  return {
    async rows(depth = 1) {
      return rowsOf(provider, undefined, depth);
    },
    idle: () => controller.idle(),
  };
}

/** The view's rows as its TreeDataProvider gives them, `depth` levels deep (for the integration tests). */
async function rowsOf(provider: TrajectoryTreeProvider, parent: TrajectoryNode | undefined, depth: number): Promise<TrajectoryViewRow[]> {
  const rows: TrajectoryViewRow[] = [];
  for (const node of await provider.getChildren(parent)) {
    const item = provider.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? (item.resourceUri ? (item.resourceUri.path.split('/').pop() ?? '') : ''));
    const row: TrajectoryViewRow = { label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
    if (item.command) row.command = { command: item.command.command, arguments: item.command.arguments ?? [] };
    if (depth > 1 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) row.children = await rowsOf(provider, node, depth - 1);
    rows.push(row);
  }
  return rows;
}
