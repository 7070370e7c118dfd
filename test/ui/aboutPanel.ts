import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { Workbench } from '../harness/workbench';

/** Opens "Agent Ops: About" from the palette and returns the rendered webview frame. */
export async function openAboutPanel(workbench: Workbench): Promise<Frame> {
  await workbench.runCommand('Agent Ops: About');
  const frame = await workbench.webviewFrame('table.facts td[data-key="extensionVersion"]');
  return frame;
}

export async function aboutFact(frame: Frame, key: string): Promise<string> {
  return frame.locator(`table.facts td[data-key="${key}"]`).innerText();
}

export async function assertStrictCsp(frame: Frame): Promise<void> {
  const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.ok(csp, 'the webview has a CSP');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
}
