import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import { pickModel, refreshPrices, resetPrices } from './commands';
import { CompressPromptActionProvider } from './compressAction';
import { TokenDiagnostics } from './diagnostics';
import { PromptLensService } from './lensService';
import { PromptCodeLensProvider, PromptHoverProvider, PromptInlayHintsProvider } from './providers';
import { affectsTokenSettings } from './settings';
import { TokenStatusBar } from './statusBar';

/** Where prompts can be: source languages and prompt files (the providers filter further). */
const selector: vscode.DocumentSelector = [
  { language: 'python' },
  { language: 'typescript' },
  { language: 'typescriptreact' },
  { language: 'javascript' },
  { language: 'javascriptreact' },
  { pattern: '**/*.{prompty,j2,jinja,jinja2}' },
  { pattern: '**/*.prompt.{yml,yaml}' },
  { pattern: '**/prompts/**/*.{md,txt}' },
  { scheme: 'file', pattern: '**/*' },
];

/**
 * Registers the token and cost lens. Registration is cheap; the tokenizer,
 * detector and prices load on the first hover, lens or status-bar update.
 */
export function registerTokenLens(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PromptLensService {
  const lens = new PromptLensService(context, log);
  context.subscriptions.push(
    lens,
    vscode.languages.registerHoverProvider(selector, new PromptHoverProvider(lens)),
    vscode.languages.registerCodeLensProvider(selector, new PromptCodeLensProvider(lens)),
    vscode.languages.registerInlayHintsProvider(selector, new PromptInlayHintsProvider(lens)),
    vscode.languages.registerCodeActionsProvider(selector, new CompressPromptActionProvider(lens), CompressPromptActionProvider.metadata),
    new TokenStatusBar(lens),
    new TokenDiagnostics(lens),
    vscode.commands.registerCommand(CommandIds.pickModel, () => pickModel(lens)),
    vscode.commands.registerCommand(CommandIds.refreshPrices, () => refreshPrices(context, lens, log)),
    vscode.commands.registerCommand(CommandIds.resetPrices, () => resetPrices(context, lens, log)),
    vscode.workspace.onDidChangeConfiguration((e) => affectsTokenSettings(e) && lens.reload()),
  );
  return lens;
}
