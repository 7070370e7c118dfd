import * as vscode from 'vscode';

export { formatPercent, formatTokens, formatUsd } from '../../core/format';

/** "≈" for estimates, nothing for exact counts. */
export function approx(exact: boolean): string {
  return exact ? '' : '≈';
}

export const t = vscode.l10n.t;
