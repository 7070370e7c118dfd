import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import * as vscode from 'vscode';
import type { AgentOpsApi } from '../../src/extension/api';
import type { CollectorStartResult } from '../../src/extension/monitor/collector';
import type { DashboardData } from '../../src/shared/dashboardProtocol';
import { activatedApi, eventually } from './extensionHost';
import { reportInfo } from './report';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const ns = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

interface ChatCall {
  user: string;
  model: string;
  input: number;
  output: number;
  error: boolean;
  endMs: number;
}

/** One ExportTraceServiceRequest in OTLP/JSON with a chat span per call, as an SDK's OTLP/HTTP exporter sends it. */
function otlpRequest(calls: ChatCall[], project: string, seed: number): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'it-bot' } }, { key: 'service.version', value: { stringValue: '1.0.0' } }] },
        scopeSpans: [
          {
            scope: { name: 'integration-test' },
            spans: calls.map((c, i) => ({
              traceId: hex(seed * 1000 + i + 1, 32),
              spanId: hex(seed * 1000 + i + 1, 16),
              name: `chat ${c.model}`,
              kind: 3,
              startTimeUnixNano: ns(c.endMs - 300),
              endTimeUnixNano: ns(c.endMs),
              attributes: [
                { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                { key: 'gen_ai.request.model', value: { stringValue: c.model } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: String(c.input) } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: String(c.output) } },
                { key: 'user.id', value: { stringValue: c.user } },
                { key: 'agentops.project', value: { stringValue: project } },
              ],
              status: c.error ? { code: 2, message: 'RateLimitError: slow down' } : { code: 1 },
            })),
          },
        ],
      },
    ],
  };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Each bucket's width in seconds: the last one ends with the window (it may be in progress). */
function bucketSeconds(d: DashboardData): number[] {
  return d.series.t.map((t) => (Math.min(t + d.bucketMs, d.window.endMs) - t) / 1000);
}

/** The requests the requests/s chart stands for: rate × width, summed. */
function chartedRequests(d: DashboardData): number {
  const widths = bucketSeconds(d);
  return d.series.requestsPerSecond.reduce((n, r, i) => n + r * (widths[i] ?? 0), 0);
}

function customTabs(viewType: RegExp): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && viewType.test(t.input.viewType));
}

/**
 * Live monitoring end to end in the real host: the collector started by its command on a free port,
 * spans POSTed to it over loopback as an exporter would, and the dashboard's figures (the data its
 * webview shows) matching what was sent; then a point of a chart opens its trace in the trace viewer.
 */
describe('Live monitoring', () => {
  let api: AgentOpsApi;
  let started: CollectorStartResult | undefined;
  const run = Date.now().toString(36);
  const project = `it-${run}`;
  const config = () => vscode.workspace.getConfiguration('agentOps.collector');

  before(async () => {
    api = await activatedApi();
    // 0: any free port, so a collector already on 4318 (another window, a developer's) does not matter.
    await config().update('port', 0, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await vscode.commands.executeCommand('agentOps.collector.stop');
    await config().update('port', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('starts the collector through its command, on loopback, and shows it in the status bar', async () => {
    const t0 = performance.now();
    started = await vscode.commands.executeCommand<CollectorStartResult | undefined>('agentOps.collector.start');
    reportInfo(`collector started in ${(performance.now() - t0).toFixed(0)} ms (loads the monitor core, starts its worker)`);
    assert.ok(started, 'the start command resolved to the running collector');
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(started.port > 0);
    assert.equal(api.monitor.collectorUrl(), started.url);
    assert.match(started.folder.replace(/\\/g, '/'), /\/\.agentops\/traces$/);
    assert.match(api.monitor.statusBarText() ?? '', new RegExp(`^\\$\\(radio-tower\\) OTLP :${started.port} · 0 spans$`));
    assert.ok(api.loadedLazyModules().includes('monitor'));
  });

  it('the dashboard shows the spans sent to the collector: requests, errors and tokens match', async () => {
    assert.ok(started, 'the collector runs');
    await vscode.commands.executeCommand('agentOps.dashboard.open');
    const baseline = await api.monitor.dashboardUpdate(() => true);
    const now = Date.now();
    const calls: ChatCall[] = [];
    for (let i = 0; i < 12; i++) {
      calls.push({ user: i % 3 === 0 ? 'alice' : 'bob', model: i % 2 === 0 ? 'gpt-4o-mini' : 'gpt-4o', input: 100 + i, output: 10 + i, error: i === 4 || i === 9, endMs: now - 2000 - i * 50 });
    }
    // Three requests, as a batching exporter would send them.
    for (const [k, batch] of [calls.slice(0, 5), calls.slice(5, 9), calls.slice(9)].entries()) {
      const res = await post(started.url, otlpRequest(batch, project, k * 20 + 1));
      assert.equal(res.status, 200, await res.text());
    }
    const sent = { requests: 12, errors: 2, input: calls.reduce((n, c) => n + c.input, 0), output: calls.reduce((n, c) => n + c.output, 0) };
    const t0 = performance.now();
    const data = await api.monitor.dashboardUpdate((d) => d.costBy.project.some((b) => b.key === project && b.requests === sent.requests));
    reportInfo(`spans → dashboard data in ${(performance.now() - t0).toFixed(0)} ms (updates at most once a second)`);
    assert.equal(data.cards.requests - baseline.cards.requests, sent.requests);
    assert.equal(data.cards.errors - baseline.cards.errors, sent.errors);
    assert.equal(data.cards.inputTokens - baseline.cards.inputTokens, sent.input);
    assert.equal(data.cards.outputTokens - baseline.cards.outputTokens, sent.output);
    assert.equal(data.collecting, true);
    assert.equal(data.collectorRunning, true);
    assert.ok(data.models.includes('gpt-4o') && data.models.includes('gpt-4o-mini'));
    const charted = chartedRequests(data) - chartedRequests(baseline);
    assert.equal(Math.round(charted), sent.requests, 'the requests chart counts them too');
    assert.ok(data.costBy.user.some((b) => b.key === 'alice'));
    const status = await eventually('the status bar counting the spans', () => {
      const text = api.monitor.statusBarText() ?? '';
      return / · 12 spans$/.test(text) ? text : undefined;
    });
    assert.match(status, /OTLP :\d+ · 12 spans/);
  });

  it('judges the alert rules while collecting: 2 errors in 12 calls fire the default error-rate rule (above 5% over 5 minutes)', async () => {
    assert.ok(started, 'the collector runs');
    const firing = await api.monitor.alerts();
    const rule = firing.find((a) => a.rule === 'error-rate');
    assert.ok(rule, `the error-rate alert fires: ${JSON.stringify(firing)}`);
    assert.equal(rule.severity, 'error');
    assert.equal(rule.threshold, 0.05);
    assert.ok(Math.abs(rule.value - 2 / 12) < 1e-9, `error rate ${rule.value}`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const log = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.agentops', 'alerts.jsonl')));
    const last = JSON.parse(log.trim().split('\n').at(-1) ?? '{}') as { rule?: string; state?: string; traceIds?: string[] };
    assert.deepEqual([last.rule, last.state], ['error-rate', 'firing'], 'the transition is in the alert log');
    assert.ok((last.traceIds ?? []).length >= 2, 'with the traces behind it');
  });

  it('a point of a chart opens the trace behind it in the trace viewer', async () => {
    assert.ok(started, 'the collector runs');
    // One call alone in its bucket, ten minutes ago: its point has exactly one trace behind it.
    const endMs = Date.now() - 10 * 60_000;
    const res = await post(started.url, otlpRequest([{ user: 'carol', model: 'gpt-4o', input: 5, output: 5, error: false, endMs }], project, 900));
    assert.equal(res.status, 200);
    const data: DashboardData = await api.monitor.dashboardUpdate((d) => d.costBy.user.some((b) => b.key === 'carol'));
    const index = data.series.t.findIndex((t) => t <= endMs && endMs < t + data.bucketMs);
    assert.ok(index >= 0, 'the call falls in a bucket of the window');
    assert.ok((data.series.requestsPerSecond[index] ?? 0) * (bucketSeconds(data)[index] ?? 0) > 0.5, 'its point has the call');
    await api.monitor.openPoint('requests', index);
    const tabs = await eventually('the trace viewer on the collected file', () => {
      const found = customTabs(/^agentOps\.traceViewer/);
      return found.length > 0 ? found : undefined;
    });
    assert.match(tabs[0]?.label ?? '', /^traces-.*\.otlp\.jsonl$/);
  });

  it('shows chosen trace files instead of the collected ones ("Choose Files…"), over their own time', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const file = vscode.Uri.joinPath(folder.uri, 'traces', 'support-run.otlp.jsonl');
    await vscode.commands.executeCommand('agentOps.dashboard.open', [file]);
    const data = await api.monitor.dashboardUpdate((d) => d.source === 'traces/support-run.otlp.jsonl');
    // The sample run: three chat calls, 4,502 input and 311 output tokens, one agent.
    assert.equal(data.collecting, false);
    assert.equal(data.files, 1);
    assert.equal(data.cards.requests, 3);
    assert.equal(data.cards.errors, 0);
    assert.equal(data.cards.inputTokens, 4502);
    assert.equal(data.cards.outputTokens, 311);
    assert.deepEqual(data.costBy.agent.map((b) => b.key), ['support-bot']);
  });

  it('refuses a port in use and names it; stops through its command', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    try {
      await vscode.commands.executeCommand('agentOps.collector.stop');
      assert.equal(api.monitor.collectorUrl(), undefined);
      const refused = await vscode.commands.executeCommand<CollectorStartResult | undefined>('agentOps.collector.start', taken);
      assert.equal(refused, undefined, 'no collector on a taken port');
      assert.equal(api.monitor.collectorUrl(), undefined);
      assert.equal(api.monitor.statusBarText(), undefined);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
