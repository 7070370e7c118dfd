import * as vscode from 'vscode';
import type { Finding, FindingSeverity, TrajectoryReport, Wasted } from '../../core/trajectory/findings';
import type { Step } from '../../core/trajectory/model';
import { formatTokens, formatUsd } from '../../core/format';

/** Texts of the Trajectories view and Problems. Strings from files are only ever shown as plain text. */

export function durationText(ms: number): string {
  if (ms < 1000) return vscode.l10n.t('{0} ms', Math.round(ms));
  if (ms < 60_000) return vscode.l10n.t('{0} s', (ms / 1000).toFixed(1));
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return vscode.l10n.t('{0} min {1} s', minutes, seconds);
}

/** `1,234 tok, $0.012, 3.4 s`: the parts that are not zero; empty when nothing was wasted. */
export function wastedText(w: Wasted): string {
  const parts: string[] = [];
  if (w.tokens > 0) parts.push(vscode.l10n.t('{0} tok', formatTokens(w.tokens)));
  if (w.costUsd > 0) parts.push(formatUsd(w.costUsd));
  if (w.ms > 0) parts.push(durationText(w.ms));
  return parts.join(', ');
}

/** 0-based step indices, consecutive ones as a range: `#3–#7, #9`. */
export function stepList(steps: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < steps.length) {
    const start = steps[i] as number;
    let end = start;
    while (steps[i + 1] === end + 1) end = steps[++i] as number;
    parts.push(end === start ? `#${start}` : `#${start}–#${end}`);
    i++;
  }
  return parts.join(', ');
}

export interface SeverityCounts {
  error: number;
  warning: number;
  info: number;
}

export function countSeverities(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function addCounts(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  return { error: a.error + b.error, warning: a.warning + b.warning, info: a.info + b.info };
}

/** `2 errors, 1 warning`, or `no findings`. */
export function countsText(c: SeverityCounts): string {
  const parts: string[] = [];
  if (c.error > 0) parts.push(c.error === 1 ? vscode.l10n.t('1 error') : vscode.l10n.t('{0} errors', c.error));
  if (c.warning > 0) parts.push(c.warning === 1 ? vscode.l10n.t('1 warning') : vscode.l10n.t('{0} warnings', c.warning));
  if (c.info > 0) parts.push(c.info === 1 ? vscode.l10n.t('1 info') : vscode.l10n.t('{0} infos', c.info));
  return parts.length > 0 ? parts.join(', ') : vscode.l10n.t('no findings');
}

export function stepsCountText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 step') : vscode.l10n.t('{0} steps', n);
}

export function runsCountText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 run') : vscode.l10n.t('{0} runs', n);
}

export function worstSeverity(findings: readonly Finding[]): FindingSeverity | undefined {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return findings.length > 0 ? 'info' : undefined;
}

export function severityIcon(severity: FindingSeverity | undefined): vscode.ThemeIcon {
  switch (severity) {
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'warning':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'info':
      return new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground'));
    default:
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  }
}

export function toVsSeverity(severity: 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return severity === 'error' ? vscode.DiagnosticSeverity.Error : severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

const stepIcons: Record<Step['kind'], string> = { user: 'account', llm: 'comment', tool: 'tools', think: 'lightbulb', final: 'check', error: 'error' };

export function stepIcon(step: Step): vscode.ThemeIcon {
  if (step.kind === 'error' || step.calls.some((c) => c.isError)) return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  return new vscode.ThemeIcon(stepIcons[step.kind]);
}

/** `#4 search_kb({"query":"resend invoice"})`, `#3 think`, `#0 user: The invoice…`: one line, cut to a readable length. */
export function stepLabel(step: Step): string {
  const calls = step.calls.map((c) => `${c.toolName}(${preview(c.rawArguments ?? (c.arguments === null ? '' : JSON.stringify(c.arguments)), 60)})`);
  if (calls.length > 0) return `#${step.index} ${calls.join(', ')}`;
  const text = step.text ? `: ${preview(step.text, 80)}` : '';
  return `#${step.index} ${step.kind}${text}`;
}

/** Tokens, cost and time of one step, as far as the file recorded them. */
export function stepDescription(step: Step): string {
  const parts: string[] = [];
  if (step.calls.length > 0 && (step.kind === 'final' || step.kind === 'think')) parts.push(step.kind);
  if (step.tokens) parts.push(vscode.l10n.t('{0} tok', formatTokens(step.tokens.input + step.tokens.output)));
  if (step.costUsd !== undefined && step.costUsd > 0) parts.push(formatUsd(step.costUsd));
  if (step.durationMs !== undefined && step.durationMs > 0) parts.push(durationText(step.durationMs));
  if (step.calls.some((c) => c.isError)) parts.push(vscode.l10n.t('failed'));
  return parts.join(' · ');
}

export function stepTooltip(step: Step): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`#${step.index} ${step.kind}${step.model ? ` · ${step.model}` : ''}${step.line !== undefined ? ` · ${vscode.l10n.t('line {0}', step.line)}` : ''}\n`);
  if (step.text) md.appendCodeblock(preview(step.text, 1500, false), 'text');
  for (const c of step.calls) {
    md.appendText(`${c.toolName}${c.isError ? ` (${vscode.l10n.t('failed')})` : ''}\n`);
    md.appendCodeblock(preview(c.rawArguments ?? JSON.stringify(c.arguments, null, 2), 1500, false), 'json');
    if (c.result !== undefined) md.appendCodeblock(preview(c.result, 1500, false), 'text');
  }
  return md;
}

export function findingTooltip(report: TrajectoryReport, finding: Finding): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${finding.severity} · ${finding.rule} · ${report.trajectory.id}\n\n`);
  md.appendText(`${finding.message}\n\n`);
  if (finding.steps.length > 0) md.appendText(`${vscode.l10n.t('Steps')}: ${stepList(finding.steps)}\n`);
  const wasted = wastedText(finding.wasted);
  if (wasted) md.appendText(`${vscode.l10n.t('Wasted: {0}', wasted)}\n`);
  return md;
}

export function runTooltip(report: TrajectoryReport): vscode.MarkdownString {
  const t = report.trajectory;
  const md = new vscode.MarkdownString();
  const lines = [
    `${t.id} · ${t.format}${t.source.index !== undefined ? ` · ${vscode.l10n.t('record {0}', t.source.index)}` : ''}`,
    t.taskId ? vscode.l10n.t('Task: {0}', t.taskId) : '',
    t.model ? vscode.l10n.t('Model: {0}', t.model) : '',
    vscode.l10n.t('Outcome: {0} ({1})', t.outcome.status, t.outcome.reason),
    t.outcome.reward !== undefined ? vscode.l10n.t('Reward: {0}', t.outcome.reward) : '',
    `${stepsCountText(t.totals.steps)} · ${vscode.l10n.t('{0} tool calls', t.totals.toolCalls)}`,
    t.totals.tokens ? vscode.l10n.t('{0} tok', formatTokens(t.totals.tokens.input + t.totals.tokens.output)) : '',
    t.totals.costUsd !== undefined ? formatUsd(t.totals.costUsd) : '',
    t.totals.durationMs !== undefined ? durationText(t.totals.durationMs) : '',
    countsText(countSeverities(report.findings)),
  ].filter((l) => l !== '');
  md.appendText(lines.join('\n\n'));
  return md;
}

function preview(text: string, max: number, oneLine = true): string {
  const t = oneLine ? text.replace(/\s+/g, ' ').trim() : text;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
