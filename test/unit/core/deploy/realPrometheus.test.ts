import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeployConfig, type DeployConfig, type Guard } from '../../../../src/core/deploy/config';
import { runDeploy } from '../../../../src/core/deploy/engine';
import { prometheusGuard, type GuardRequest } from '../../../../src/core/deploy/guard';
import { Ledger, defaultLedgerPath } from '../../../../src/core/deploy/ledger';
import type { TargetAction, TargetDriver } from '../../../../src/core/deploy/targets/types';
import { evaluateAlerts, postAlertTransitions } from '../../../../src/core/monitor/alerts';
import { defaultAlertRules } from '../../../../src/core/monitor/config';
import { traffic } from '../monitor/callsHelpers';
import { getJson, waitFor } from '../../realServers';

/**
 * Real components (issue 6): a test service exposing request counters per version, a real Prometheus
 * (Debian's `prometheus`) scraping it every second, the guard querying it, and a real Alertmanager
 * (Debian's `prometheus-alertmanager`) receiving the rollback alert and sending it on to a webhook.
 * All on 127.0.0.1 free ports, data in a temp folder, servers killed (process groups) in after().
 * Skipped, with a message, where the binaries are not installed (.ci/run installs them).
 */

const prometheusBin = process.env.AGENTOPS_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const alertmanagerBin = process.env.AGENTOPS_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** Error percent of each version's traffic: 100 requests per scrape, this many of them errors. */
const errorPercent: Record<string, number> = { v2: 4, v3: 6, v4: 10 };

const errorRateQuery = 'sum(rate(agent_requests_total{version="${version}",status="error"}[30s])) / sum(rate(agent_requests_total{version="${version}"}[30s]))';

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('deploy guard against a real Prometheus and Alertmanager', function () {
  this.timeout(60_000);
  let started = 0;
  const procs: ChildProcess[] = [];
  const logs: Record<string, string> = {};
  const servers: Server[] = [];
  let dir: string;
  let promUrl: string;
  let amUrl: string;
  let scrapes = 0;
  const webhook: unknown[] = [];

  function start(name: string, bin: string, args: string[]): ChildProcess {
    // Its own process group, so that after() kills it and anything it started.
    const p = spawn(bin, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    logs[name] = '';
    const keep = (b: Buffer): void => {
      logs[name] = (logs[name] + b.toString()).slice(-4000);
    };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    procs.push(p);
    return p;
  }

  before(async function () {
    started = Date.now();
    const missing = [prometheusBin, alertmanagerBin].filter((b) => !existsSync(b));
    if (missing.length > 0) {
      console.log(`      (skipped: ${missing.join(' and ')} not installed — apt-get install --no-install-recommends prometheus prometheus-alertmanager, as .ci/run does)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'agentops-realprom-'));

    // (a) The test service: every scrape counts 100 more requests per version, errorPercent of them errors.
    const counts: Record<string, { ok: number; error: number }> = {};
    for (const v of Object.keys(errorPercent)) counts[v] = { ok: 0, error: 0 };
    const service = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      scrapes++;
      const lines = ['# HELP agent_requests_total Requests to the agent by version and outcome.', '# TYPE agent_requests_total counter'];
      for (const [v, c] of Object.entries(counts)) {
        const e = errorPercent[v] as number;
        c.error += e;
        c.ok += 100 - e;
        lines.push(`agent_requests_total{version="${v}",status="ok"} ${c.ok}`, `agent_requests_total{version="${v}",status="error"} ${c.error}`);
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
    });
    servers.push(service);
    const servicePort = await listen(service);

    // The webhook Alertmanager notifies.
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        webhook.push(JSON.parse(body) as unknown);
        res.writeHead(200).end();
      });
    });
    servers.push(hook);
    const hookPort = await listen(hook);

    // (b) Prometheus scraping the service every second.
    const promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: agent\n    static_configs:\n      - targets: ['127.0.0.1:${servicePort}']\n`);
    start('prometheus', prometheusBin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
    promUrl = `http://127.0.0.1:${promPort}`;

    // (c) Alertmanager, gossip off, sending every alert to the webhook at once.
    const amPort = await freePort();
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: 'http://127.0.0.1:${hookPort}/alert'\n        send_resolved: false\n`,
    );
    start('alertmanager', alertmanagerBin, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=']);
    amUrl = `http://127.0.0.1:${amPort}`;

    const exited = (): string | undefined => {
      const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
      return dead ? `${dead.spawnfile} exited: ${Object.values(logs).join('\n')}` : undefined;
    };
    await waitFor('Alertmanager ready', 20_000, async () => {
      const why = exited();
      if (why) throw new Error(why);
      return (await fetch(`${amUrl}/-/ready`)).ok || undefined;
    });
    // Ready when the rate query has values for every version (two scrapes in the window).
    await waitFor('Prometheus to have two scrapes of the service', 25_000, async () => {
      const why = exited();
      if (why) throw new Error(why);
      const body = (await getJson(`${promUrl}/api/v1/query?query=${encodeURIComponent('count(rate(agent_requests_total[30s]) >= 0)')}`)) as { data?: { result?: { value: [number, string] }[] } };
      return Number(body.data?.result?.[0]?.value[1]) === 6 ? true : undefined;
    });
    console.log(`      (Prometheus ${promUrl} and Alertmanager ${amUrl} up, ${scrapes} scrape(s), in ${Date.now() - started}ms)`);
  });

  after(async () => {
    for (const p of procs) {
      try {
        if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const config = (extra = ''): DeployConfig => {
    const r = loadDeployConfig(
      `agent: support-bot
environments:
  production:
    target: { type: command, run: ["./deploy.sh", "\${version}", "\${weight}"] }
    strategy: { type: canary, steps: [10, 100], interval: 1s }
    guard:
      source: { type: prometheus, url: "${promUrl}", errorRate: '${errorRateQuery}' }
      maxErrorRate: 0.05
      consecutiveBreaches: 2
      onNoData: fail
${extra}`,
      'agentops.yaml',
    );
    assert.deepEqual(r.problems, []);
    return r.config as DeployConfig;
  };
  const request = (version: string): GuardRequest => ({ deployId: 'd', environment: 'production', version, step: 0, weight: 10, since: new Date(Date.now() - 30_000), until: new Date() });

  it('the guard query against the real Prometheus: 4% errors pass a 5% threshold, 6% and 10% breach, no traffic is no data', async () => {
    const guard = prometheusGuard(config().environments.production?.guard as Guard);
    const v2 = await guard(request('v2'));
    const v3 = await guard(request('v3'));
    const v4 = await guard(request('v4'));
    const none = await guard(request('v9'));
    assert.equal(v2.verdict, 'pass', v2.detail);
    assert.equal(v3.verdict, 'breach', v3.detail);
    assert.equal(v4.verdict, 'breach', v4.detail);
    assert.equal(none.verdict, 'no-data', none.detail);
    assert.ok(Math.abs((v2.rate as number) - 0.04) < 1e-3, `v2 rate ${String(v2.rate)}`);
    assert.ok(Math.abs((v3.rate as number) - 0.06) < 1e-3, `v3 rate ${String(v3.rate)}`);
    assert.ok(Math.abs((v4.rate as number) - 0.1) < 1e-3, `v4 rate ${String(v4.rate)}`);
    assert.match(none.detail, /NaN|empty result/);
  });

  describe('canaries through runDeploy (1 s steps)', () => {
    let ledgerDir: string;
    let ledger: Ledger;
    const actions: TargetAction[] = [];
    const target: TargetDriver = {
      type: 'command',
      run: async (a) => {
        actions.push(a);
        return { ok: true, output: `${a.action} ${a.version} ${a.weight}` };
      },
    };
    before(async () => {
      ledgerDir = mkdtempSync(join(tmpdir(), 'agentops-realprom-ledger-'));
      ledger = await Ledger.open(defaultLedgerPath(ledgerDir), { driver: 'better-sqlite3' });
      const first = await runDeploy({ config: config(), environment: 'production', version: 'v1', strategy: { type: 'direct' }, actor: 'ci', ledger, targets: () => target });
      assert.equal(first.outcome, 'succeeded');
    });
    after(() => {
      ledger?.close();
      if (ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
    });

    it('at 4% errors the canary promotes through every step', async () => {
      const cfg = config();
      const o = await runDeploy({ config: cfg, environment: 'production', version: 'v2', actor: 'ci', ledger, targets: () => target, guard: prometheusGuard(cfg.environments.production?.guard as Guard) });
      assert.equal(o.outcome, 'succeeded', o.reason);
      assert.deepEqual(o.checks.map((c) => [c.weight, c.verdict]), [[10, 'pass'], [100, 'pass']]);
      assert.ok(o.checks.every((c) => Math.abs((c.errorRate as number) - 0.04) < 1e-3));
    });

    it('at 10% errors: two breaches, automatic rollback, and Alertmanager lists AgentOpsRollback (and notifies its webhook)', async () => {
      const cfg = config(`      alertmanager: { url: "${amUrl}" }\n`);
      const t0 = Date.now();
      const o = await runDeploy({ config: cfg, environment: 'production', version: 'v4', actor: 'ci', ledger, targets: () => target, guard: prometheusGuard(cfg.environments.production?.guard as Guard) });
      assert.equal(o.outcome, 'rolled-back', o.reason);
      assert.deepEqual(o.deploy.weights, { v2: 100, v4: 0 });
      assert.deepEqual(o.checks.map((c) => [c.weight, c.verdict]), [[10, 'breach'], [10, 'breach']]);
      assert.deepEqual(actions.slice(-2).map((a) => [a.action, a.version, a.weight]), [['deploy', 'v4', 10], ['rollback', 'v4', 0]]);
      assert.equal(ledger.events(o.deploy.id).at(-1)?.kind, 'notified');
      const rolledBackMs = Date.now() - t0;

      type Alert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } };
      const alerts = (await getJson(`${amUrl}/api/v2/alerts`)) as Alert[];
      const mine = alerts.filter((a) => a.labels.alertname === 'AgentOpsRollback');
      assert.equal(mine.length, 1, JSON.stringify(alerts));
      assert.deepEqual(mine[0]?.labels, { alertname: 'AgentOpsRollback', environment: 'production', version: 'v4', agent: 'support-bot', severity: 'warning' });
      assert.equal(mine[0]?.status.state, 'active');
      assert.equal(mine[0]?.annotations.summary, 'support-bot v4 in production: rolled back to v2 — error rate 10% above maxErrorRate 5% at 10%');

      const sent = await waitFor('the webhook notification', 15_000, async () => (webhook.length > 0 ? webhook[0] : undefined));
      const hookAlerts = (sent as { alerts: { labels: Record<string, string> }[] }).alerts;
      assert.equal(hookAlerts[0]?.labels.alertname, 'AgentOpsRollback');
      console.log(`      (rolled back in ${rolledBackMs}ms; webhook notified ${Date.now() - t0}ms after the deploy began)`);
    });
  });

  describe('monitor alerts (after the deploys: the webhook gets theirs first)', () => {
  it('the error-rate rule firing at 6% is active in the real Alertmanager, and gone once resolved below 4%', async () => {
    type Alert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } };
    const rules = defaultAlertRules();
    // Fired a minute ago, resolved now: Alertmanager keeps an alert active until its endsAt.
    const now = Date.now() - 60_000;
    const firing = evaluateAlerts(rules, traffic(200, 12, now - 240_000, now), now);
    assert.deepEqual(firing.events.map((e) => [e.rule, e.state, e.value]), [['error-rate', 'firing', 0.06]]);
    await postAlertTransitions(amUrl, firing.events, rules);
    const active = (await getJson(`${amUrl}/api/v2/alerts?filter=source%3D%22agentops%22`)) as Alert[];
    assert.equal(active.length, 1, JSON.stringify(active));
    assert.deepEqual(active[0]?.labels, { alertname: 'error-rate', severity: 'error', source: 'agentops', type: 'error-rate' });
    assert.equal(active[0]?.status.state, 'active');
    assert.equal(active[0]?.annotations.summary, 'error-rate: 6.0% above threshold 5.0%');
    assert.equal(active[0]?.annotations.traceIds?.split(',').length, 12);

    const later = Date.now();
    const resolved = evaluateAlerts(rules, traffic(200, 6, later - 240_000, later), later, firing.state);
    assert.deepEqual(resolved.events.map((e) => [e.rule, e.state]), [['error-rate', 'resolved']]);
    await postAlertTransitions(amUrl, resolved.events, rules);
    const left = (await getJson(`${amUrl}/api/v2/alerts?active=true&filter=source%3D%22agentops%22`)) as Alert[];
    assert.deepEqual(left, [], 'a resolved alert (endsAt now) is no longer active');
  });
  });
});
