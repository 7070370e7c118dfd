import * as vscode from 'vscode';
import { formatTokens } from './format';
import { toVsRange, type PromptLensService } from './lensService';

/**
 * Problems for prompts in visible editors: a call over its model's context
 * window (error), a prompt over agentOps.promptBudget (warning).
 */
export class TokenDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('agentOps.tokens');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lens: PromptLensService) {
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.schedule(e.document))),
      vscode.workspace.onDidChangeTextDocument((e) => this.isVisible(e.document) && this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.collection.delete(doc.uri);
        lens.forget(doc);
      }),
      lens.onDidChange(() => vscode.window.visibleTextEditors.forEach((e) => this.schedule(e.document))),
    );
    vscode.window.visibleTextEditors.forEach((e) => this.schedule(e.document));
  }

  private isVisible(doc: vscode.TextDocument): boolean {
    return vscode.window.visibleTextEditors.some((e) => e.document === doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.lens.mayHandle(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.update(doc);
      }, 300),
    );
  }

  async update(doc: vscode.TextDocument): Promise<void> {
    const analysis = await this.lens.analyze(doc);
    if (!analysis || analysis.version !== doc.version) return;
    const budget = this.lens.settings.promptBudget;
    const diagnostics: vscode.Diagnostic[] = [];
    for (const e of analysis.estimates) {
      const m = e.models[0];
      if (!m) continue;
      const range = toVsRange(e.prompt.range);
      const { inputTokens, outputTokens, contextWindow, cost } = m.call;
      // As the APIs reject it: the input plus the output the call allows must fit the window.
      if (contextWindow !== undefined && cost?.overContextWindow) {
        diagnostics.push(
          diagnostic(
            range,
            vscode.DiagnosticSeverity.Error,
            'context-window',
            vscode.l10n.t('This call needs {0} input + {1} output tokens, over the {2}-token context window of {3}.', formatTokens(inputTokens), formatTokens(outputTokens), formatTokens(contextWindow), m.model),
          ),
        );
      }
      if (budget > 0 && m.promptTokens > budget) {
        diagnostics.push(
          diagnostic(range, vscode.DiagnosticSeverity.Warning, 'prompt-budget', vscode.l10n.t('This prompt is {0} tokens on {1}, over agentOps.promptBudget ({2}).', formatTokens(m.promptTokens), m.model, formatTokens(budget))),
        );
      }
    }
    this.collection.set(doc.uri, diagnostics);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function diagnostic(range: vscode.Range, severity: vscode.DiagnosticSeverity, code: string, message: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, severity);
  d.source = 'Agent Ops';
  d.code = code;
  return d;
}
