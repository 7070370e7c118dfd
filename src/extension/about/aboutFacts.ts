import * as vscode from 'vscode';
import type { AboutFact, AboutStrings, EnvironmentInfo } from '../../shared/aboutProtocol';

export function aboutFacts(env: EnvironmentInfo): AboutFact[] {
  const host = env.remoteName ? vscode.l10n.t('{0} ({1}, remote: {2})', env.appHost, env.uiKind, env.remoteName) : vscode.l10n.t('{0} ({1})', env.appHost, env.uiKind);
  return [
    { key: 'extensionVersion', label: vscode.l10n.t('Agent Ops'), value: env.extensionVersion },
    { key: 'vscodeVersion', label: vscode.l10n.t('VS Code'), value: `${env.appName} ${env.vscodeVersion}` },
    { key: 'appHost', label: vscode.l10n.t('Host'), value: host },
    { key: 'extensionHostNode', label: vscode.l10n.t('Extension host Node.js'), value: env.extensionHostNode },
    { key: 'platform', label: vscode.l10n.t('Platform'), value: env.platform },
    { key: 'sqlite', label: vscode.l10n.t('SQLite (node:sqlite)'), value: env.sqlite ?? vscode.l10n.t('not available in this host') },
    { key: 'workspaceTrusted', label: vscode.l10n.t('Workspace trusted'), value: env.workspaceTrusted ? vscode.l10n.t('yes') : vscode.l10n.t('no: deploy targets and webhooks are disabled') },
    { key: 'workspaceFolders', label: vscode.l10n.t('Workspace folders'), value: env.workspaceFolders.length > 0 ? env.workspaceFolders.join('\n') : vscode.l10n.t('(none)') },
    { key: 'activationMs', label: vscode.l10n.t('Activation'), value: vscode.l10n.t('{0} ms', env.activationMs.toFixed(1)) },
  ];
}

export function aboutStrings(): AboutStrings {
  return { heading: vscode.l10n.t('Agent Ops'), showLog: vscode.l10n.t('Show Log'), copy: vscode.l10n.t('Copy as JSON'), copied: vscode.l10n.t('Copied.') };
}
