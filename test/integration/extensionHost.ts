import * as vscode from 'vscode';
import type { AgentOpsApi } from '../../src/extension/api';

export const extensionId = 'agent-ops.agent-ops';

export function agentOpsExtension(): vscode.Extension<AgentOpsApi> {
  const ext = vscode.extensions.getExtension<AgentOpsApi>(extensionId);
  if (!ext) throw new Error(`extension ${extensionId} is not installed in this host`);
  return ext;
}

export async function activatedApi(): Promise<AgentOpsApi> {
  return agentOpsExtension().activate();
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
