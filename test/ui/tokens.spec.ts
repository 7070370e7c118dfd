import * as assert from 'node:assert/strict';
import type { Workbench } from '../harness/workbench';
import type { UiContext } from './uiContext';

/** The token lens as a user sees it: hover, CodeLens and status bar on the sample prompts. */
export function tokensSpec(ctx: UiContext): void {
  describe('Token and cost lens (UI)', () => {
    let workbench: Workbench;
    before(async () => {
      workbench = await ctx.openWorkbench();
      await workbench.openFile('agent/support_agent.py');
    });
    after(async () => {
      await workbench?.close();
    });

    it('hovering a prompt shows its token count and cost per model', async () => {
      const hover = await workbench.hoverAt('You are a support agent', { expect: /tokens \(o200k_base\)/, timeoutMs: 60_000 });
      assert.match(hover, /gpt-4o/);
      assert.match(hover, /claude-sonnet-4-5/);
      assert.match(hover, /\$\d/);
    });

    it('shows a CodeLens with tokens and cost above each prompt', async () => {
      const lens = workbench.page.locator('.monaco-editor .codelens-decoration', { hasText: /tok · \$/ }).first();
      await lens.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await lens.innerText(), /^[\d,]+ tok · \$[\d.e-]+ gpt-4o/);
    });

    it('shows the prompt under the cursor in the status bar', async () => {
      await workbench.page.locator('.editor-instance .monaco-editor .view-line span span', { hasText: 'Classify this ticket' }).first().click();
      const item = workbench.page.locator('.statusbar-item', { hasText: /tok/ }).first();
      await item.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await item.innerText(), /[\d,]+ tok · \$[\d.e-]+ gpt-4o/);
    });

    it('clicking the status bar item opens the model picker', async () => {
      await workbench.page.locator('.statusbar-item', { hasText: /tok/ }).first().click();
      const picker = workbench.page.locator('.quick-input-widget', { hasText: 'Model for token and cost estimates' });
      await picker.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(await picker.locator('.monaco-list-row', { hasText: 'claude-sonnet-4-5' }).count());
      await workbench.page.keyboard.press('Escape');
    });
  });
}
