import * as vscode from 'vscode';
import { formatUsd } from './format';
import { storedPricesUri, type PromptLensService } from './lensService';
import { defaultModels } from './settings';

/** Models offered by the picker besides the configured ones. */
const popularModels = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3', 'o4-mini', 'claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gpt-oss-120b'];

/** Puts the chosen model first in agentOps.models, where the setting is defined. */
export async function pickModel(lens: PromptLensService): Promise<void> {
  const tokens = await lens.tokensModule();
  const prices = await lens.priceTable();
  const configured = lens.settings.models;
  const items: (vscode.QuickPickItem & { model?: string })[] = [...new Set([...configured, ...popularModels])].map((model) => {
    const tokenization = tokens.tokenizationFor(model, lens.settings.calibration);
    const price = prices.find(model);
    return {
      model,
      label: model,
      description: price ? vscode.l10n.t('{0} in / {1} out per 1M tokens', formatUsd(price.inputPerMTok), formatUsd(price.outputPerMTok)) : vscode.l10n.t('no price'),
      detail: tokenization.exact ? tokenization.encoding : tokenization.basis,
      picked: model === configured[0],
    };
  });
  const choice = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Model for token and cost estimates'), placeHolder: configured[0], matchOnDetail: true });
  if (!choice?.model) return;
  const config = vscode.workspace.getConfiguration('agentOps');
  const inspect = config.inspect<string[]>('models');
  const target = inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspect?.workspaceValue : inspect?.globalValue) ?? defaultModels;
  await config.update('models', [choice.model, ...current.filter((m) => m !== choice.model)], target);
}

/** Forgets the refreshed table: the bundled prices (and overrides) apply again. */
export async function resetPrices(context: vscode.ExtensionContext, lens: PromptLensService, log: vscode.LogOutputChannel): Promise<void> {
  try {
    await vscode.workspace.fs.delete(storedPricesUri(context));
  } catch (err) {
    if (!(err instanceof vscode.FileSystemError)) throw err;
  }
  lens.reload();
  log.info('Model prices reset to the bundled table');
  void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops: using the bundled model prices.'));
}

/** agentOps.pricesUrl, or undefined for genai-prices' own address. */
function pricesUrl(): string | undefined {
  const url = vscode.workspace.getConfiguration('agentOps').get<string>('pricesUrl')?.trim();
  return url ? url : undefined;
}

/** Downloads genai-prices' current table into global storage; the bundled table stays the fallback. */
export async function refreshPrices(context: vscode.ExtensionContext, lens: PromptLensService, log: vscode.LogOutputChannel): Promise<void> {
  const tokens = await lens.tokensModule();
  try {
    const { table, json } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agent Ops: refreshing model prices…'), cancellable: false },
      () =>
        tokens.refreshPrices(async (url) => {
          log.info(`Fetching model prices from ${url}`);
          const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
          if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
          return response.text();
        }, pricesUrl()),
    );
    await vscode.workspace.fs.createDirectory(context.globalStorageUri);
    await vscode.workspace.fs.writeFile(storedPricesUri(context), new TextEncoder().encode(json));
    lens.reload();
    log.info(`Model prices refreshed: ${table.size()} models`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops: model prices updated ({0} models).', String(table.size())));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`Refreshing model prices failed: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Agent Ops: could not refresh model prices ({0}). The bundled prices stay in use.', message));
  }
}
