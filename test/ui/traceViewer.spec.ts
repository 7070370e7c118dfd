import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { manyTraces } from '../harness/traceFixtures';
import type { Workbench } from '../harness/workbench';
import type { UiContext } from './uiContext';
import { paintedPixels } from './canvas';

/**
 * Records the webview's CSP violations in window.cspViolations from now on. A style attribute set on purpose
 * must be reported first, so an empty list later means "none happened", not "the listener never heard".
 */
async function watchCspViolations(frame: Frame): Promise<void> {
  await frame.evaluate(`(() => {
    window.cspViolations = [];
    if (!window.cspListening) {
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
      window.cspListening = true;
    }
    const probe = document.createElement('span');
    document.body.append(probe);
    probe.setAttribute('style', 'color: red');
    probe.remove();
  })()`);
  // Polled with evaluate: waitForFunction re-evaluates its string with eval, which the webview's CSP blocks.
  const deadline = Date.now() + 5_000;
  while (!(await frame.evaluate<boolean>('window.cspViolations.length > 0'))) {
    if (Date.now() > deadline) throw new Error('the deliberate CSP violation was never reported');
    await new Promise((r) => setTimeout(r, 100));
  }
  await frame.evaluate('window.cspViolations = []');
}

/** "+4.54 ms", "−120 µs", "1.20 s" → milliseconds, signed. */
function parseDelta(text: string): number {
  const m = /^([+\u2212]?)([\d.,]+) (µs|ms|s|min)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { µs: 0.001, ms: 1, s: 1000, min: 60_000 }[m[3] as 'µs' | 'ms' | 's' | 'min'];
  return (m[1] === '\u2212' ? -1 : 1) * Number((m[2] ?? '').replace(/,/g, '')) * unit;
}

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
      const first = Number((await frame.locator('table.trace-list tbody tr').first().locator('td.col-spans').innerText()).replace(/,/g, ''));
      const last = Number((await frame.locator('table.trace-list tbody tr').last().locator('td.col-spans').innerText()).replace(/,/g, ''));
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

    it('shows statistics over all traces: operation and model tables, a latency chart, no CSP violation', async () => {
      const frame = await viewer('table.trace-list tbody tr');
      await watchCspViolations(frame);
      await frame.locator('#show-stats').focus();
      await workbench.page.keyboard.press('Enter');
      const operations = frame.locator('table.stats-operations tbody tr');
      await operations.first().waitFor({ timeout: 15_000 });
      // Every span belongs to exactly one operation: the counts add up to the file's 547 spans.
      const counts = (await frame.locator('table.stats-operations td.col-count').allInnerTexts()).map((t) => Number(t.replace(/,/g, '')));
      assert.equal(counts.reduce((n, c) => n + c, 0), 547);
      assert.match(await frame.locator('#operations-heading').innerText(), new RegExp(`Operations \\(${counts.length}\\)`));
      assert.match(await frame.locator('table.stats-models').innerText(), /No LLM or embedding spans/);
      // Sortable like the trace list, and by keyboard: the header button keeps the focus.
      await frame.locator('table.stats-operations button.sort', { hasText: 'Count' }).focus();
      await workbench.page.keyboard.press('Enter');
      const sorted = (await frame.locator('table.stats-operations td.col-count').allInnerTexts()).map((t) => Number(t.replace(/,/g, '')));
      assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
      assert.equal(await frame.evaluate<string | undefined>('document.activeElement?.dataset.sort'), 'count');
      // The chart: a canvas with a size, and bars drawn on it.
      const box = await frame.locator('canvas#latency-chart').boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `chart size ${JSON.stringify(box)}`);
      const painted = await paintedPixels(frame, 'latency-chart');
      assert.ok(painted > 1000, `${painted} pixels painted`);
      assert.deepEqual(await frame.evaluate<string[]>('window.cspViolations'), []);
      await frame.locator('#back').focus();
      await workbench.page.keyboard.press('Enter');
      await frame.locator('table.trace-list').waitFor();
      assert.equal(await frame.evaluate<string | undefined>('document.activeElement?.id'), 'show-stats');
    });

    it('compares two traces picked from the list by keyboard: totals’ deltas and matched spans', async () => {
      const frame = await viewer('table.trace-list tbody tr');
      await watchCspViolations(frame);
      // Two runs of the same 18-span request (a frontend HTTP GET) in the OpenTelemetry Demo capture.
      const [a, b] = ['bbad4eb5153b984404dfd154094bb031', '8765a1e9a3cd816cc763f9c7bdcf4fb2'];
      for (const id of [a, b]) {
        await frame.locator(`table.trace-list tr[data-trace="${id}"]`).focus();
        await workbench.page.keyboard.press('Space');
      }
      assert.match(await frame.locator('#pick-note').innerText(), /^A: HTTP GET .* · B: HTTP GET /);
      await frame.locator('#compare').focus();
      await workbench.page.keyboard.press('Enter');
      const matched = frame.locator('table.compare-matched tbody tr');
      await matched.first().waitFor({ timeout: 15_000 });
      assert.equal(await matched.count(), 18);
      assert.match(await frame.locator('.compare').innerText(), /Only in A \(0\)[\s\S]*Only in B \(0\)/);
      // B − A of the whole trace is 25.11 ms − 20.57 ms (shown to a tenth of a millisecond).
      const total = parseDelta(await frame.locator('#delta-duration').innerText());
      assert.ok(Math.abs(total - 4.54) < 0.06, `duration delta ${total}`);
      // Largest change first.
      const deltas = (await frame.locator('table.compare-matched td.col-durationDelta').allInnerTexts()).map(parseDelta);
      assert.deepEqual(deltas.map(Math.abs), [...deltas.map(Math.abs)].sort((x, y) => y - x));
      // Swapping A and B turns every change around.
      await frame.locator('#swap').focus();
      await workbench.page.keyboard.press('Enter');
      await frame.locator('#delta-duration', { hasText: '\u2212' }).waitFor({ timeout: 15_000 });
      assert.ok(Math.abs(parseDelta(await frame.locator('#delta-duration').innerText()) + total) < 0.01);
      assert.deepEqual(await frame.evaluate<string[]>('window.cspViolations'), []);
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

    it('costs the open trace again when the price settings change', async () => {
      const settingsFile = join(ctx.workspace, '.vscode', 'settings.json');
      const before = readFileSync(settingsFile, 'utf8');
      await workbench.openFile('corpus/genai-agent.otlp.json');
      const frame = await viewer('.wf-row.type-llm');
      const summary = frame.locator('.toolbar .muted:not(#match-count)');
      // Its models (model-a, model-b) are in no price table: no cost.
      assert.doesNotMatch(await summary.innerText(), /\$/);
      try {
        writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(before), 'agentOps.priceOverrides': { 'model-a': { inputPerMTok: 3, outputPerMTok: 15 } } }, null, 2));
        await summary.filter({ hasText: '$0.038' }).waitFor({ timeout: 20_000 });
      } finally {
        writeFileSync(settingsFile, before);
      }
      await frame.locator('.toolbar .muted:not(#match-count)', { hasNotText: '$' }).waitFor({ timeout: 20_000 });
    });

    it('a file too big for the reader\'s memory limit shows why and the setting; Try Again reads it once raised', async () => {
      const settingsFile = join(ctx.workspace, '.vscode', 'settings.json');
      const before = readFileSync(settingsFile, 'utf8');
      // 150,000 spans: far more than 32 MB of model (about 640 B a span).
      writeFileSync(join(ctx.workspace, 'corpus', 'too-big.otlp.jsonl'), manyTraces(1500));
      try {
        writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(before), 'agentOps.traceViewer.maxMemoryMB': 32 }, null, 2));
        // The settings file reaches the extension host a moment later, and the limit applies to files opened
        // after it: reopen until the viewer was opened under it.
        const deadline = Date.now() + 60_000;
        for (;;) {
          await workbench.openFile('corpus/too-big.otlp.jsonl');
          const shown = await viewer('.failed, table.trace-list');
          if (await shown.locator('.failed').count()) break;
          if (Date.now() > deadline) throw new Error('the 32 MB limit never applied to a newly opened file');
          await workbench.runCommand('View: Close All Editors');
          await new Promise((r) => setTimeout(r, 1_000));
        }
        const frame = await viewer('.failed');
        assert.match(await frame.locator('.failed').innerText(), /needs more than the trace reader's 32 MB of memory[\s\S]*agentOps\.traceViewer\.maxMemoryMB \(now 32 MB\)/);
      } finally {
        writeFileSync(settingsFile, before);
      }
      // The restored setting reaches the host a moment later: Try Again until a read under the default limit.
      const deadline = Date.now() + 90_000;
      let frame = await viewer('.failed');
      while (!(await frame.locator('table.trace-list').count())) {
        if (Date.now() > deadline) throw new Error('Try Again never opened the file with the default memory limit');
        await frame.locator('#try-again').click();
        // The failure gives way to the progress line while the file is read again.
        await frame.locator('.failed').waitFor({ state: 'detached', timeout: 10_000 });
        frame = await viewer('.failed, table.trace-list');
      }
      assert.equal(await frame.locator('table.trace-list tbody tr').count(), 1500);
    });

    it('a run picked in the Agent Ops: Trajectories view is shown in the trace viewer, its agent span selected', async () => {
      await workbench.openFile('traces/support-run.otlp.jsonl');
      const frame = await viewer('.wf-row');
      await workbench.runCommand('Agent Ops: Show Trajectories of the Active File');
      const pane = workbench.page.locator('.pane', { has: workbench.page.locator('.pane-header', { hasText: 'Agent Ops: Trajectories' }) });
      const run = pane.locator('.monaco-list-row', { hasText: 'final-answer' });
      await run.waitFor({ timeout: 30_000 });
      await run.click();
      const selected = frame.locator('.wf-row.selected');
      await selected.waitFor({ timeout: 20_000 });
      assert.match(await selected.innerText(), /invoke_agent support-bot/);
      // Let the selection's detail arrive before the next test takes the keyboard (it would close its Quick Open).
      await frame.locator('#span-detail', { hasText: 'invoke_agent support-bot' }).waitFor({ timeout: 20_000 });
      await workbench.runCommand('View: Focus Active Editor Group');
    });

    it('updates in place when the file grows, as when a collector appends to it', async () => {
      const run = readFileSync(join(ctx.workspace, 'traces', 'support-run.otlp.jsonl'), 'utf8').trim();
      const traceId = /"traceId":"([0-9a-f]{32})"/.exec(run)?.[1];
      assert.ok(traceId);
      const growing = join(ctx.workspace, 'corpus', 'growing.otlp.jsonl');
      writeFileSync(growing, `${run}\n`);
      await workbench.openFile('corpus/growing.otlp.jsonl');
      const frame = await viewer('#back');
      assert.match(await frame.locator('#back').innerText(), /All traces \(1\)/);
      // A second run of the agent arrives: same shape, another trace id.
      appendFileSync(growing, `${run.split(traceId).join('f'.repeat(32))}\n`);
      await frame.locator('#back', { hasText: 'All traces (2)' }).waitFor({ timeout: 20_000 });
      await frame.locator('#back').click();
      assert.equal(await frame.locator('table.trace-list tbody tr').count(), 2);
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

    it('draws an overview of the whole 100,000-span trace; a click on it scrolls the waterfall there', async () => {
      await workbench.openFile('corpus/wide-100k.otlp.jsonl');
      const frame = await viewer('.wf-row');
      await watchCspViolations(frame);
      await frame.locator('.wf-viewport').focus();
      await workbench.page.keyboard.press('Home');
      await frame.locator('.wf-row.selected[aria-posinset="1"]').waitFor({ timeout: 15_000 });
      // Polled from here: waitForFunction re-evaluates a string with eval, which the webview's CSP blocks.
      const until = async (expression: string, what: string) => {
        const deadline = Date.now() + 15_000;
        while (!(await frame.evaluate<boolean>(expression))) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await workbench.page.waitForTimeout(100);
        }
      };
      const overview = frame.locator('canvas.wf-overview');
      assert.equal(await overview.getAttribute('aria-hidden'), 'true');
      const box = await overview.boundingBox();
      assert.ok(box && box.width > 200 && box.height >= 40, `overview size ${JSON.stringify(box)}`);
      // Painted once its size is known (a ResizeObserver, then an animation frame).
      await until(
        `(() => {
          const c = document.querySelector('canvas.wf-overview');
          if (!c || c.width === 0 || c.height === 0) return false;
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n > 1000;
        })()`,
        'painted pixels in the overview',
      );
      const maxRow = `Math.max(...[...document.querySelectorAll('.wf-row')].map((r) => Number(r.getAttribute('aria-posinset'))))`;
      assert.ok((await frame.evaluate<number>(maxRow)) < 1000, 'at the top before the click');
      await overview.click({ position: { x: box.width / 2, y: box.height - 2 } });
      await until(`${maxRow} > 90000`, 'a row past 90,000 in the waterfall');
      assert.ok((await frame.locator('.wf-row').count()) < 500, 'still virtualized');
      assert.deepEqual(await frame.evaluate<string[]>('window.cspViolations'), []);
    });
  });
}
