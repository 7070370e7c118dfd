import * as assert from 'node:assert/strict';
import type { Workbench } from '../harness/workbench';
import { aboutFact, assertStrictCsp, openAboutPanel } from './aboutPanel';
import type { UiContext } from './uiContext';

/** The VSIX from `npm run package`, installed with --install-extension, as users get it. */
export function packagedSpec(ctx: UiContext): void {
  describe('Packaged VSIX (installed into the server)', () => {
    let workbench: Workbench;
    before(async () => {
      workbench = await ctx.openWorkbench();
    });
    after(async () => {
      await workbench?.close();
    });

    it('activates and renders its webview from the packaged bundles and media', async () => {
      const frame = await openAboutPanel(workbench);
      await assertStrictCsp(frame);
      assert.equal(await aboutFact(frame, 'extensionVersion'), ctx.version);
      const style = await frame.evaluate<string>('getComputedStyle(document.body).paddingLeft');
      assert.equal(style, '20px', 'media/webview.css is packaged and loaded');
    });

    it('counts prompts with the packaged tokenizer, grammars and prices (dist/lazy, dist/wasm)', async () => {
      await workbench.openFile('agent/support_agent.py');
      const hover = await workbench.hoverAt('You are a support agent', { expect: /tokens \(o200k_base\)/, timeoutMs: 60_000 });
      assert.match(hover, /\$\d/);
    });
  });
}
