import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { Workbench } from '../harness/workbench';
import type { UiContext } from './uiContext';

/** The trace viewer on real files: list → waterfall → span detail, keyboard, and a 100,000-span trace. */
export function traceViewerSpec(ctx: UiContext): void {
  describe('Trace viewer (UI)', () => {
    let workbench: Workbench;
    before(async () => {
      workbench = await ctx.openWorkbench();
      await workbench.whenContributed('Agent Ops: Open Trace File…');
    });
    after(async () => {
      await workbench?.close();
    });

    async function viewer(selector: string): Promise<Frame> {
      return workbench.webviewFrame(selector, 60_000);
    }

    it('opens the OpenTelemetry Demo capture: 141 traces in a sortable list', async () => {
      await workbench.openFile('corpus/otel-demo.otlp.jsonl');
      const frame = await viewer('table.trace-list tbody tr');
      assert.equal(await frame.locator('table.trace-list tbody tr').count(), 141);
      assert.match(await frame.locator('.summary').innerText(), /141 traces · 547 spans/);
      await frame.locator('th button.sort', { hasText: 'Spans' }).click();
      const first = Number((await frame.locator('table.trace-list tbody tr').first().locator('td').nth(4).innerText()).replace(/,/g, ''));
      const last = Number((await frame.locator('table.trace-list tbody tr').last().locator('td').nth(4).innerText()).replace(/,/g, ''));
      assert.ok(first >= last, `sorted by spans, descending: ${first} ≥ ${last}`);
    });

    it('opens a trace into its waterfall and shows a span’s detail', async () => {
      const frame = await viewer('table.trace-list tbody tr');
      await frame.locator('table.trace-list tbody tr').first().click();
      await frame.locator('.wf-row').first().waitFor({ timeout: 15_000 });
      await frame.locator('.wf-row').nth(1).click();
      await frame.locator('#span-detail .detail-title').waitFor({ timeout: 15_000 });
      assert.ok((await frame.locator('#span-detail table.kv').count()) > 0);
      await frame.locator('#back').click();
      await frame.locator('table.trace-list').waitFor();
    });

    it('shows GenAI detail (model, tokens, messages) for an LLM span of the agent trace', async () => {
      await workbench.openFile('corpus/genai-agent.otlp.json');
      const frame = await viewer('.wf-row.type-llm');
      await frame.locator('.wf-row.type-llm').first().click();
      const detail = frame.locator('#span-detail');
      await detail.locator('summary', { hasText: 'GenAI · llm' }).waitFor({ timeout: 15_000 });
      const text = await detail.innerText();
      assert.match(text, /Model/);
      assert.match(text, /Tokens\s+[\d,]+ in · [\d,]+ out/);
      // Keyboard: the next error is one key away.
      await frame.locator('.wf-viewport').focus();
      await workbench.page.keyboard.press('n');
      await frame.locator('.wf-row.error.selected').waitFor({ timeout: 10_000 });
    });

    it('opens a 100,000-span trace and scrolls to its end', async () => {
      await workbench.openFile('corpus/wide-100k.otlp.jsonl');
      const frame = await viewer('.wf-row');
      const rendered = await frame.locator('.wf-row').count();
      assert.ok(rendered < 500, `virtualized: ${rendered} rows in the DOM`);
      await frame.locator('.wf-viewport').focus();
      await workbench.page.keyboard.press('End');
      await frame.locator('.wf-row.selected[aria-posinset="100000"]').waitFor({ timeout: 15_000 });
      assert.ok((await frame.locator('.wf-row').count()) < 500, 'still virtualized at the end');
      assert.match(await frame.locator('label', { hasText: 'Critical path' }).innerText(), /Critical path \(\d+ spans\)/);
    });
  });
}
