import * as vscode from 'vscode';
import type { EnvironmentInfo } from '../shared/aboutProtocol';

export function collectEnvironment(context: vscode.ExtensionContext, activationMs: number): EnvironmentInfo {
  const packageJson = context.extension.packageJSON as { version?: unknown };
  return {
    extensionVersion: typeof packageJson.version === 'string' ? packageJson.version : 'unknown',
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    appHost: vscode.env.appHost,
    uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
    remoteName: vscode.env.remoteName ?? null,
    extensionHostNode: process.version,
    platform: `${process.platform}-${process.arch}`,
    // Read from process.versions so that asking does not load node:sqlite.
    sqlite: (process.versions as Record<string, string | undefined>).sqlite ?? null,
    workspaceTrusted: vscode.workspace.isTrusted,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString(true)),
    activationMs,
  };
}
