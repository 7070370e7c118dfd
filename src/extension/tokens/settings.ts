import * as vscode from 'vscode';
import type { LensSettings } from '../../core/tokens/lens';
import type { EstimateFamily } from '../../core/tokens/models';

export type LensDisplay = 'codeLens' | 'inlayHint' | 'off';

export interface TokenSettings extends Omit<LensSettings, 'prices'> {
  display: LensDisplay;
  promptBudget: number;
  priceOverrides: unknown;
}

export const defaultModels = ['gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-pro'];

/** Reads the agentOps.* settings the lens uses; invalid values fall back to defaults. */
export function readTokenSettings(scope?: vscode.ConfigurationScope): TokenSettings {
  const config = vscode.workspace.getConfiguration('agentOps', scope);
  const models = config.get<unknown>('models');
  const display = config.get<string>('lens.display');
  return {
    models: Array.isArray(models) && models.every((m) => typeof m === 'string') && models.length > 0 ? models : defaultModels,
    calibration: numberRecord(config.get<unknown>('tokenEstimateFactors')) as Partial<Record<EstimateFamily, number>>,
    expectedOutputTokens: positive(config.get<unknown>('expectedOutputTokens'), 500),
    promptFiles: stringArray(config.get<unknown>('promptFiles')),
    display: display === 'inlayHint' || display === 'off' ? display : 'codeLens',
    promptBudget: positive(config.get<unknown>('promptBudget'), 0),
    priceOverrides: config.get<unknown>('priceOverrides') ?? {},
  };
}

export function affectsTokenSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return ['models', 'tokenEstimateFactors', 'expectedOutputTokens', 'promptFiles', 'lens.display', 'promptBudget', 'priceOverrides'].some((k) =>
    e.affectsConfiguration(`agentOps.${k}`),
  );
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function numberRecord(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v > 0)) as Record<string, number>;
}
