import * as assert from 'node:assert/strict';
import type { Workbench } from '../harness/workbench';
import type { UiContext } from './uiContext';

/**
 * Deploy and roll back the way a user does: the command palette, the quick picks, the summary in a
 * modal, the outcome as a notification. The sample workspace's `staging` runs ./deploy.sh, directly.
 */
export function deploySpec(ctx: UiContext): void {
  describe('Deploys (command palette)', () => {
    let workbench: Workbench;
    const version = `ui-${Date.now().toString(36)}`;
    before(async () => {
      workbench = await ctx.openWorkbench();
      await workbench.whenContributed('Agent Ops: Deploy Version…');
    });
    after(async () => {
      await workbench?.close();
    });

    it('"Deploy Version…": environment, version, strategy, then a summary to confirm; the outcome is notified', async () => {
      await workbench.runCommand('Agent Ops: Deploy Version…', 30_000, { opensQuickInput: true });
      assert.match(await workbench.quickInputTitle(/environment/), /Deploy Version: environment/);
      await workbench.answerQuickInput('staging', 'staging');
      assert.match(await workbench.quickInputTitle(/version/), /Deploy Version to staging: version/);
      // A version never deployed: offered as "new version" on top, accepted with Enter.
      await workbench.answerQuickInput(version, version);
      assert.match(await workbench.quickInputTitle(/strategy/), /Deploy Version to staging: strategy/);
      await workbench.answerQuickInput('direct', 'direct');
      const summary = await workbench.answerDialog('Deploy');
      assert.match(summary, new RegExp(`Deploy ${version} to staging\\?`));
      assert.match(summary, /Strategy: direct/);
      assert.match(summary, /Target: command \.\/deploy\.sh/);
      await workbench.notification(new RegExp(`staging: ${version} succeeded`));
      assert.ok((await workbench.statusBarTexts()).some((t) => t.includes(`staging: ${version} succeeded`)), 'the status bar shows the deploy');
      await workbench.page.keyboard.press('Escape');
    });

    it('"Roll Back…": environment, then the last good version; confirmed, it is notified', async () => {
      await workbench.runCommand('Agent Ops: Roll Back…', 30_000, { opensQuickInput: true });
      assert.match(await workbench.quickInputTitle(/Roll Back: environment/), /Roll Back: environment/);
      await workbench.answerQuickInput('staging', 'staging');
      assert.match(await workbench.quickInputTitle(/to which version/), /Roll Back staging: to which version\?/);
      const row = workbench.page.locator('.quick-input-list .monaco-list-row').first();
      const label = (await row.locator('.label-name').innerText()).trim();
      const target = /^Last good version: (.+)$/.exec(label)?.[1];
      assert.ok(target, `the first choice is the last good version (got '${label}')`);
      await workbench.answerQuickInput('', label);
      const summary = await workbench.answerDialog('Roll Back');
      assert.match(summary, new RegExp(`Version: ${version} → ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      await workbench.notification(new RegExp(`staging: ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} succeeded`));
      await workbench.page.keyboard.press('Escape');
    });
  });
}
