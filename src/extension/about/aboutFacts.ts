import * as vscode from 'vscode';
import type { AboutFact, AboutStrings, EnvironmentInfo } from '../../shared/aboutProtocol';

export function aboutFacts(env: EnvironmentInfo): AboutFact[] {
  const t = vscode.l10n.t;
  const host = env.remoteName ? t('{0} ({1}, remote: {2})', env.appHost, env.uiKind, env.remoteName) : t('{0} ({1})', env.appHost, env.uiKind);
  return [
    { key: 'extensionVersion', label: t('Agent Ops'), value: env.extensionVersion },
    { key: 'vscodeVersion', label: t('VS Code'), value: `${env.appName} ${env.vscodeVersion}` },
    { key: 'appHost', label: t('Host'), value: host },
    { key: 'extensionHostNode', label: t('Extension host Node.js'), value: env.extensionHostNode },
    { key: 'platform', label: t('Platform'), value: env.platform },
    { key: 'sqlite', label: t('SQLite (node:sqlite)'), value: env.sqlite ?? t('not available in this host') },
    { key: 'workspaceTrusted', label: t('Workspace trusted'), value: env.workspaceTrusted ? t('yes') : t('no: deploy targets and webhooks are disabled') },
    { key: 'workspaceFolders', label: t('Workspace folders'), value: env.workspaceFolders.length > 0 ? env.workspaceFolders.join('\n') : t('(none)') },
    { key: 'activationMs', label: t('Activation'), value: t('{0} ms', env.activationMs.toFixed(1)) },
  ];
}

export function aboutStrings(): AboutStrings {
  const t = vscode.l10n.t;
  return { heading: t('Agent Ops'), showLog: t('Show Log'), copy: t('Copy as JSON'), copied: t('Copied.') };
}
