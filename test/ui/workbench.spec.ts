import * as assert from 'node:assert/strict';
import type { Workbench } from '../harness/workbench';
import { aboutFact, assertStrictCsp, openAboutPanel } from './aboutPanel';
import type { UiContext } from './uiContext';

/** The extension as a user meets it in a real workbench, loaded as the development extension. */
export function workbenchSpec(ctx: UiContext): void {
  describe('Workbench (development extension)', () => {
    let workbench: Workbench;
    before(async () => {
      workbench = await ctx.openWorkbench();
    });
    after(async () => {
      await workbench?.close();
    });

    it('"Agent Ops: Show Log" from the command palette shows the Agent Ops log', async () => {
      await workbench.runCommand('Agent Ops: Show Log');
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline && !/activated in/.test(text)) {
        text = await workbench.panelText().catch(() => '');
        await workbench.page.waitForTimeout(200);
      }
      assert.match(text, new RegExp(`Agent Ops ${ctx.version.replace(/\./g, '\\.')} activated in [\\d.]+ ms`));
    });

    it('"Agent Ops: About" renders a webview with a strict CSP, in the server host', async () => {
      const frame = await openAboutPanel(workbench);
      await assertStrictCsp(frame);
      assert.equal(await aboutFact(frame, 'extensionVersion'), ctx.version);
      assert.match(await aboutFact(frame, 'extensionHostNode'), /^v24\./);
      assert.match(await aboutFact(frame, 'sqlite'), /^3\.\d+/);
    });

    it('the About panel is keyboard operable: Tab to "Copy as JSON", Enter copies the environment', async () => {
      const frame = await workbench.webviewFrame('#copy-environment');
      await frame.locator('h1').click();
      await workbench.page.keyboard.press('Tab');
      assert.equal(await frame.evaluate<string | undefined>('document.activeElement?.id'), 'show-log');
      await workbench.page.keyboard.press('Tab');
      assert.equal(await frame.evaluate<string | undefined>('document.activeElement?.id'), 'copy-environment');
      await workbench.page.keyboard.press('Enter');
      await frame.locator('[role="status"]', { hasText: 'Copied.' }).waitFor({ timeout: 15_000 });
      const copied = JSON.parse(await frame.evaluate<string>('navigator.clipboard.readText()')) as { extensionVersion: string; extensionHostNode: string };
      assert.equal(copied.extensionVersion, ctx.version);
      assert.match(copied.extensionHostNode, /^v24\./);
    });

    it('opens a workspace file and shows a language hover in it', async () => {
      await workbench.openFile('web/summarize.ts');
      const hover = await workbench.hoverAt('summarizeConversation', { expect: /summarizeConversation\(transcript: string\)/, timeoutMs: 60_000 });
      assert.match(hover, /Promise<string>/);
    });
  });
}
