import * as vscode from 'vscode';
import type { PromptEstimate } from '../../core/tokens';
import { formatPercent, formatTokens } from './format';
import { toVsRange, type PromptLensService } from './lensService';

/**
 * "Compress prompt": safe whitespace rewrites of one literal's content. The
 * saving in the title is exact: the rewritten document is detected and counted
 * again before the action is offered.
 */
export class CompressPromptActionProvider implements vscode.CodeActionProvider {
  static readonly kind = vscode.CodeActionKind.RefactorRewrite.append('agentOps.compressPrompt');
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [CompressPromptActionProvider.kind] };

  constructor(private readonly lens: PromptLensService) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): Promise<vscode.CodeAction[]> {
    const estimate = await this.lens.at(doc, range.start);
    if (!estimate) return [];
    const action = await this.compress(doc, estimate);
    return action ? [action] : [];
  }

  private async compress(doc: vscode.TextDocument, estimate: PromptEstimate): Promise<vscode.CodeAction | undefined> {
    const tokens = await this.lens.tokensModule();
    const promptRange = toVsRange(estimate.prompt.range);
    const source = doc.getText(promptRange);
    const isFile = estimate.prompt.kind === 'file';
    if (isFile && /\.ya?ml$/i.test(doc.fileName)) return undefined; // YAML block scalars are dedented by the parser already
    const content = isFile ? { start: 0, end: source.length } : tokens.literalContent(source);
    if (!content) return undefined;
    const base = doc.offsetAt(promptRange.start) + content.start;
    const protect = estimate.prompt.placeholders.map((p) => {
      const r = toVsRange(p.range);
      return { start: doc.offsetAt(r.start) - base, end: doc.offsetAt(r.end) - base };
    });
    const result = tokens.compressPrompt(source.slice(content.start, content.end), { protect });
    if (!result.changed) return undefined;

    const editRange = new vscode.Range(doc.positionAt(base), doc.positionAt(base + content.end - content.start));
    const full = doc.getText();
    const rewritten = full.slice(0, base) + result.text + full.slice(base + content.end - content.start);
    const lens = await this.lens.lensInstance();
    const after = await lens.detect(
      { fileName: doc.fileName, relativePath: vscode.workspace.asRelativePath(doc.uri, false), languageId: doc.languageId, text: rewritten },
      this.lens.settings.promptFiles,
    );
    const same = after.find((p) => p.range.start.line === estimate.prompt.range.start.line && p.range.start.character === estimate.prompt.range.start.character);
    const primary = estimate.models[0];
    if (!same || !primary) return undefined;
    const counter = await lens.counter(primary.tokenization.encoding);
    const before = counter.count(estimate.prompt.text);
    const saved = before - counter.count(same.text);
    if (saved <= 0) return undefined;

    const rules = result.applied.map((a) => a.rule).join(', ');
    const action = new vscode.CodeAction(
      vscode.l10n.t('Compress prompt: −{0} tokens ({1}, {2})', formatTokens(saved), formatPercent(saved / before), rules),
      CompressPromptActionProvider.kind,
    );
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(doc.uri, editRange, result.text);
    return action;
  }
}
