import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Workbench } from '../harness/workbench';
import { assertStrictCsp } from './aboutPanel';
import type { UiContext } from './uiContext';
import { paintedPixels } from './canvas';

interface Generated {
  lines: string[];
  requests: number;
  errors: number;
  tokens: number;
}

/**
 * An hour of agent traffic ending `endMs`, the way the sample's traffic.mjs sends it: chat calls of three
 * users, two projects and two models, one in twelve failed, and a burst 20 minutes before the end (the
 * anomaly markers' case). Deterministic (a fixed LCG), so the expected card values are known.
 */
function generate(endMs: number): Generated {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const users = ['alice', 'bob', 'carol'];
  const projects = ['billing', 'search'];
  const models = ['gpt-4o-mini', 'gpt-4o'];
  const out: Generated = { lines: [], requests: 0, errors: 0, tokens: 0 };
  const ns = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();
  let i = 0;
  for (let t = endMs - 3_600_000; t < endMs; t += 20_000) {
    const burst = Math.abs(t - (endMs - 20 * 60_000)) < 60_000 ? 6 : 1;
    const spans = [];
    for (let k = 0; k < burst * 2; k++) {
      i++;
      const error = i % 12 === 0;
      const input = 200 + Math.floor(random() * 800);
      const output = error ? 0 : 20 + Math.floor(random() * 200);
      const duration = 300 + random() * 1500;
      const end = t + k * 500;
      spans.push({
        traceId: i.toString(16).padStart(32, '0'),
        spanId: i.toString(16).padStart(16, '0'),
        name: 'chat',
        kind: 3,
        startTimeUnixNano: ns(end - duration),
        endTimeUnixNano: ns(end),
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
          { key: 'gen_ai.request.model', value: { stringValue: models[i % 2] } },
          { key: 'gen_ai.usage.input_tokens', value: { intValue: String(input) } },
          { key: 'gen_ai.usage.output_tokens', value: { intValue: String(output) } },
          { key: 'user.id', value: { stringValue: users[i % 3] } },
          { key: 'agentops.project', value: { stringValue: projects[i % 2] } },
          { key: 'gen_ai.agent.name', value: { stringValue: 'support-bot' } },
        ],
        status: error ? { code: 2, message: 'RateLimitError' } : { code: 1 },
      });
      out.requests++;
      if (error) out.errors++;
      out.tokens += input + output;
    }
    out.lines.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-bot' } }] }, scopeSpans: [{ scope: { name: 'ui-spec' }, spans }] }] }));
  }
  return out;
}

const thousands = (n: number): string => new Intl.NumberFormat('en-US').format(n);

async function card(frame: Frame, key: string): Promise<string> {
  return (await frame.locator(`.card[data-card="${key}"] .card-value`).innerText()).trim();
}

/** The monitoring dashboard opened from the command palette over the collected traces folder. */
export function dashboardSpec(ctx: UiContext): void {
  describe('Monitoring dashboard (UI)', () => {
    let workbench: Workbench;
    let expected: Generated;
    before(async () => {
      // The collected folder holds only this spec's hour of traffic (the host suites' collector wrote there too).
      const traces = join(ctx.workspace, '.agentops', 'traces');
      rmSync(traces, { recursive: true, force: true });
      mkdirSync(traces, { recursive: true });
      expected = generate(Date.now() - 60_000);
      writeFileSync(join(traces, 'traces-ui-spec.otlp.jsonl'), `${expected.lines.join('\n')}\n`);
      workbench = await ctx.openWorkbench();
      await workbench.whenContributed('Agent Ops: Open Monitoring Dashboard');
    });
    after(async () => {
      await workbench?.close();
    });

    it('opens from the command palette and shows the collected traffic in its cards', async () => {
      await workbench.runCommand('Agent Ops: Open Monitoring Dashboard');
      const frame = await workbench.webviewFrame('.card[data-card="requests"]', 60_000);
      await assertStrictCsp(frame);
      const deadline = Date.now() + 30_000;
      while ((await card(frame, 'requests')) !== thousands(expected.requests)) {
        if (Date.now() > deadline) throw new Error(`requests card shows ${await card(frame, 'requests')}, expected ${thousands(expected.requests)}`);
        await workbench.page.waitForTimeout(200);
      }
      assert.equal(await card(frame, 'errors'), thousands(expected.errors));
      assert.equal(await card(frame, 'tokens'), thousands(expected.tokens));
      assert.match(await card(frame, 'p95'), /^\d[\d.,]* (ms|s)$/);
      assert.match(await card(frame, 'cost'), /^\$\d/);
      assert.match(await frame.locator('.card[data-card="errors"] .card-sub').innerText(), /\d+(\.\d)?% error rate/);
      // The charts are drawn: the requests chart's canvas has painted pixels; its text summary names the burst.
      const painted = await paintedPixels(frame, 'chart-requests');
      assert.ok(painted > 1000, `${painted} pixels painted`);
      assert.match((await frame.locator('#chart-requests').getAttribute('aria-label')) ?? '', /Requests per second: \d+ points .* [1-9]\d* unusual\./);
      assert.match(await frame.locator('figure[data-cost="user"] .chart-summary').innerText(), /alice: \$/);
      if (process.env.AGENTOPS_SCREENSHOT_DIR) {
        // The README's picture: AGENTOPS_SCREENSHOT_DIR=$PWD/docs/images npm run test:integration. The side bar is hidden for it.
        await workbench.page.locator('.monaco-workbench').focus();
        await workbench.page.keyboard.press('Control+B');
        await workbench.page.waitForTimeout(1000);
        await workbench.screenshot(join(process.env.AGENTOPS_SCREENSHOT_DIR, 'dashboard.png'));
      }
    });

    it('changes the time range by keyboard and keeps the data table reachable', async () => {
      const frame = await workbench.webviewFrame('.card[data-card="requests"]');
      await frame.locator('#range-15m').focus();
      await workbench.page.keyboard.press('Enter');
      assert.equal(await frame.locator('#range-15m').getAttribute('aria-pressed'), 'true');
      const deadline = Date.now() + 15_000;
      while ((await card(frame, 'requests')) === thousands(expected.requests)) {
        if (Date.now() > deadline) throw new Error('the 15-minute range shows every request');
        await workbench.page.waitForTimeout(200);
      }
      const inRange = Number((await card(frame, 'requests')).replace(/,/g, ''));
      assert.ok(inRange > 0 && inRange < expected.requests, `${inRange} requests in the last 15 minutes`);
      await frame.locator('figure[data-chart="requests"] details summary').focus();
      await workbench.page.keyboard.press('Enter');
      const rows = frame.locator('#table-requests tbody tr');
      await rows.first().waitFor({ timeout: 10_000 });
      assert.ok((await rows.count()) > 0);
      assert.equal(await rows.first().locator('button.link').innerText(), 'Open traces');
    });

    it('the trend charts plot the measure picked: requests per day, then cost per day', async () => {
      const frame = await workbench.webviewFrame('#trend-metric');
      assert.match((await frame.locator('#chart-trend-7').getAttribute('aria-label')) ?? '', /^Requests: Last 7 days: /);
      await frame.locator('#trend-metric').selectOption('costUsd');
      await frame.waitForFunction(`(document.getElementById('chart-trend-30')?.getAttribute('aria-label') ?? '').startsWith('Cost: ')`, undefined, { timeout: 10_000 });
      assert.match((await frame.locator('#chart-trend-7').getAttribute('aria-label')) ?? '', /^Cost: Last 7 days: \d[\d,]* requests/);
    });
  });
}
