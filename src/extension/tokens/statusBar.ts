import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import { approx, formatTokens, formatUsd } from './format';
import type { PromptLensService } from './lensService';
import { lensLabel } from './render';

/**
 * Tokens and cost of the selection, or of the prompt under the cursor, on the
 * primary model. Hidden elsewhere, so nothing loads until the user is in a prompt.
 */
export class TokenStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('agentOps.tokens', vscode.StatusBarAlignment.Right, 100);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lens: PromptLensService) {
    this.item.name = vscode.l10n.t('Agent Ops Tokens');
    this.item.command = CommandIds.pickModel;
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule()),
      lens.onDidChange(() => this.schedule()),
    );
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), 150);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.item.hide();
    const selection = editor.selection;
    let text: string | undefined;
    let tooltip: string | undefined;
    if (!selection.isEmpty) {
      const estimate = await this.lens.estimateText(editor.document.getText(selection));
      const m = estimate.models[0];
      if (!m) return this.item.hide();
      const usd = m.promptInputUsd !== undefined ? ` · ${formatUsd(m.promptInputUsd)}` : '';
      text = `${approx(m.tokenization.exact)}${formatTokens(m.promptTokens)} tok${usd} ${m.model}`;
      tooltip = vscode.l10n.t('Tokens and input cost of the selection on {0} ({1}). Click to choose the model.', m.model, m.tokenization.basis);
    } else if (this.lens.mayHandle(editor.document)) {
      const estimate = await this.lens.at(editor.document, selection.active);
      if (estimate) {
        text = lensLabel(estimate);
        tooltip = vscode.l10n.t('Tokens and input cost of the prompt under the cursor. Click to choose the model.');
      }
    }
    if (generation !== this.generation) return;
    if (!text) return this.item.hide();
    this.item.text = `$(symbol-string) ${text}`;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
