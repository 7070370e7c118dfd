import type { ModelEstimate, PromptEstimate } from '../../core/tokens';
import * as vscode from 'vscode';
import { approx, formatPercent, formatTokens, formatUsd } from './format';

/** `1,234 tok · $0.0031 gpt-4o`: the prompt's own tokens and its share of the call's input cost on the primary model. */
export function lensLabel(estimate: PromptEstimate): string {
  const m = estimate.models[0];
  if (!m) return '';
  const tokens = `${approx(m.tokenization.exact)}${formatTokens(m.promptTokens)} tok`;
  if (m.promptInputUsd === undefined) return `${tokens} · ${m.model} (${vscode.l10n.t('no price')})`;
  return `${tokens} · ${formatUsd(m.promptInputUsd)} ${m.model}`;
}

const kindLabels: Record<string, string> = {
  message: 'message',
  system: 'system prompt',
  instructions: 'instructions',
  prompt: 'prompt',
  template: 'prompt template',
  variable: 'prompt constant',
  file: 'prompt file',
};

/** The hover: counts per encoding, the call's cost per model, context share, dynamic parts. */
export function hoverMarkdown(estimate: PromptEstimate): string {
  const { prompt } = estimate;
  const lines: string[] = [];
  const kind = kindLabels[prompt.kind] ?? prompt.kind;
  lines.push(`**Agent Ops** · ${escapeMd(prompt.role ? `${prompt.role} ${kind}` : kind)}`);
  lines.push('');
  const counts = Object.entries(estimate.counts)
    .map(([enc, n]) => `${formatTokens(n)} tokens (${enc})`)
    .join(' · ');
  lines.push(counts || vscode.l10n.t('no tokens'));
  if (prompt.placeholders.length > 0) {
    const names = prompt.placeholders.slice(0, 8).map((p) => `\`${escapeCode(p.name)}\``);
    const more = prompt.placeholders.length > 8 ? ` +${prompt.placeholders.length - 8}` : '';
    lines.push('');
    lines.push(`${vscode.l10n.t('+ {0} dynamic parts, counted as 0 tokens:', String(prompt.placeholders.length))} ${names.join(', ')}${more}`);
  }
  const first = estimate.models[0];
  if (first) {
    const call = first.call;
    lines.push('');
    const scope = call.messages > 1 ? vscode.l10n.t('Whole call ({0} messages, chat overhead included)', String(call.messages)) : vscode.l10n.t('One call');
    const output = call.outputFrom === 'max_tokens' ? vscode.l10n.t('{0} output tokens (max_tokens)', formatTokens(call.outputTokens)) : vscode.l10n.t('{0} output tokens (agentOps.expectedOutputTokens)', formatTokens(call.outputTokens));
    lines.push(`${scope}, ${vscode.l10n.t('assuming')} ${output}:`);
    lines.push('');
    lines.push(`| ${vscode.l10n.t('Model')} | ${vscode.l10n.t('Input tokens')} | ${vscode.l10n.t('Input')} | ${vscode.l10n.t('Cached input')} | ${vscode.l10n.t('Output')} | ${vscode.l10n.t('Total')} | ${vscode.l10n.t('Context')} |`);
    lines.push('|---|--:|--:|--:|--:|--:|--:|');
    for (const m of estimate.models) lines.push(modelRow(m));
  }
  const basis = estimate.models.filter((m) => !m.tokenization.exact).map((m) => `\`${escapeCode(m.model)}\`: ${escapeMd(m.tokenization.basis)}`);
  if (basis.length > 0) {
    lines.push('');
    lines.push(`≈ ${basis.join('; ')}`);
  }
  const notes = [...new Set(estimate.models.flatMap((m) => m.call.cost?.notes ?? []))];
  if (notes.length > 0) {
    lines.push('');
    for (const n of notes) lines.push(`- ${escapeMd(n)}`);
  }
  return lines.join('\n');
}

function modelRow(m: ModelEstimate): string {
  const call = m.call;
  const cost = call.cost;
  const name = `${approx(m.tokenization.exact)}\`${escapeCode(m.model)}\``;
  const tokens = `${approx(m.tokenization.exact)}${formatTokens(call.inputTokens)}`;
  if (!cost) return `| ${name} | ${tokens} | ${vscode.l10n.t('no price')} | | | | |`;
  const cached = cost.cachedInputUsd !== undefined ? formatUsd(cost.cachedInputUsd) : '—';
  const context = call.contextShare !== undefined && call.contextWindow ? `${formatPercent(call.contextShare)} ${vscode.l10n.t('of')} ${formatTokens(call.contextWindow)}` : '—';
  return `| ${name} | ${tokens} | ${formatUsd(cost.inputUsd)} | ${cached} | ${formatUsd(cost.outputUsd)} | ${formatUsd(cost.totalUsd)} | ${context} |`;
}

/** File contents never become markup: escape everything markdown would act on. */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, '¦');
}
