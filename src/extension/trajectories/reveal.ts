import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import type { TrajectoryNode } from './tree';

/**
 * Shows what a row of the Trajectories view is about. Runs read from a trace open in the trace viewer at the
 * step's span (its `agentOps.traceViewer.reveal` command); runs read from a trajectory file open the file with
 * the step's line selected. A finding reveals its first step.
 */
export async function revealTrajectoryNode(node: TrajectoryNode | undefined, log: vscode.LogOutputChannel): Promise<void> {
  if (!node || node.kind === 'file' || node.kind === 'message') return;
  if (node.kind === 'failure') {
    await showLine(node.uri, node.line ?? 1, node.column);
    return;
  }
  const t = node.report.trajectory;
  const stepIndex = node.kind === 'step' ? node.step : node.kind === 'finding' ? node.finding.steps[0] : undefined;
  const step = stepIndex !== undefined ? t.steps[stepIndex] : undefined;
  if (t.format === 'otlp' && t.source.traceId) {
    // The step's first span (its model call), else the run's own agent span.
    const spanId = step?.spanIds?.[0] ?? t.source.spanId;
    try {
      await vscode.commands.executeCommand(CommandIds.revealInTraceViewer, node.uri, t.source.traceId, ...(spanId ? [spanId] : []));
    } catch (err) {
      // A trace viewer without the reveal command: open the file in it at least.
      log.warn(`Trajectories: revealing trace ${t.source.traceId} in the trace viewer failed (${err instanceof Error ? err.message : String(err)}); opening the file`);
      await vscode.commands.executeCommand(CommandIds.openTraceFile, node.uri);
    }
    return;
  }
  await showLine(node.uri, step?.line ?? t.source.line ?? 1);
}

/** Opens the file with the 1-based `line` selected (from `column` when given), keeping focus in the view. */
async function showLine(uri: vscode.Uri, line: number, column?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const index = Math.min(Math.max(0, line - 1), Math.max(0, doc.lineCount - 1));
  const whole = doc.lineAt(index).range;
  const selection = column !== undefined ? new vscode.Range(index, Math.max(0, column - 1), index, Math.max(0, column - 1)) : whole;
  const editor = await vscode.window.showTextDocument(doc, { selection, preserveFocus: true, preview: true });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
