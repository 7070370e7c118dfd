import { hasMessageType, isRecord } from './guards';

/** What the About panel shows: enough to answer "which Agent Ops, in which host?". */
export interface EnvironmentInfo {
  extensionVersion: string;
  vscodeVersion: string;
  appName: string;
  appHost: string;
  uiKind: 'desktop' | 'web';
  remoteName: string | null;
  extensionHostNode: string;
  platform: string;
  /** SQLite version bundled in the host's Node (node:sqlite), or null when the host has none. */
  sqlite: string | null;
  workspaceTrusted: boolean;
  workspaceFolders: string[];
  activationMs: number;
}

/** One row of the panel, labelled and formatted by the host (so it is localized there). */
export interface AboutFact {
  key: keyof EnvironmentInfo;
  label: string;
  value: string;
}

/** UI strings, localized by the host: webviews have no l10n API of their own. */
export interface AboutStrings {
  heading: string;
  showLog: string;
  copy: string;
  copied: string;
}

export type AboutToWebview = { type: 'environment'; env: EnvironmentInfo; facts: AboutFact[]; strings: AboutStrings };

export type AboutFromWebview = { type: 'ready' } | { type: 'showLog' } | { type: 'copyEnvironment' };

const fromWebviewTypes = ['ready', 'showLog', 'copyEnvironment'] as const;

export function isAboutFromWebview(message: unknown): message is AboutFromWebview {
  return hasMessageType(message, fromWebviewTypes);
}

export function isAboutToWebview(message: unknown): message is AboutToWebview {
  return hasMessageType(message, ['environment'] as const) && isRecord(message.env) && Array.isArray(message.facts) && isRecord(message.strings);
}
