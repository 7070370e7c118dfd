import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import { contains, toVsRange, type PromptLensService } from './lensService';
import { hoverMarkdown, lensLabel } from './render';

export class PromptHoverProvider implements vscode.HoverProvider {
  constructor(private readonly lens: PromptLensService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const estimate = await this.lens.at(doc, pos);
    if (!estimate) return undefined;
    const md = new vscode.MarkdownString(hoverMarkdown(estimate));
    md.supportHtml = false;
    md.isTrusted = false;
    return new vscode.Hover(md, toVsRange(estimate.prompt.range));
  }
}

/** `1,234 tok · $0.0031 gpt-4o` above each prompt; a click opens the model picker. */
export class PromptCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly lens: PromptLensService) {
    this.onDidChangeCodeLenses = lens.onDidChange;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (this.lens.settings.display !== 'codeLens') return [];
    const analysis = await this.lens.analyze(doc);
    return (analysis?.estimates ?? []).map((e) => {
      const range = toVsRange(e.prompt.range);
      return new vscode.CodeLens(new vscode.Range(range.start, range.start), { title: lensLabel(e), command: CommandIds.pickModel, tooltip: vscode.l10n.t('Choose the model for token estimates') });
    });
  }
}

export class PromptInlayHintsProvider implements vscode.InlayHintsProvider {
  readonly onDidChangeInlayHints: vscode.Event<void>;
  constructor(private readonly lens: PromptLensService) {
    this.onDidChangeInlayHints = lens.onDidChange;
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    if (this.lens.settings.display !== 'inlayHint') return [];
    const analysis = await this.lens.analyze(doc);
    return (analysis?.estimates ?? [])
      .filter((e) => range.contains(toVsRange(e.prompt.range).end))
      .map((e) => {
        const hint = new vscode.InlayHint(toVsRange(e.prompt.range).end, lensLabel(e));
        hint.paddingLeft = true;
        return hint;
      });
  }
}

export { contains };
