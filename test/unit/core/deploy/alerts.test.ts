import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerNotifier, rollbackAlert, type RollbackNotice } from '../../../../src/core/deploy/alerts';
import { loadDeployConfig, type DeployConfig } from '../../../../src/core/deploy/config';
import { runDeploy, type RunDeployOptions } from '../../../../src/core/deploy/engine';
import type { Verdict } from '../../../../src/core/deploy/guard';
import { Ledger, defaultLedgerPath } from '../../../../src/core/deploy/ledger';
import type { TargetDriver } from '../../../../src/core/deploy/targets/types';

const notice: RollbackNotice = {
  deployId: 'd1',
  agent: 'support-bot',
  environment: 'production',
  version: 'v2',
  previousVersion: 'v1',
  weight: 10,
  errorRate: 0.1,
  threshold: 0.05,
  reason: '2 consecutive breach(es) at 10%: error rate 10%',
  rolledBack: true,
  at: new Date('2026-03-01T12:00:00Z'),
};

/** A loopback stand-in for Alertmanager's v2 API: records the POSTs, answers `status`. */
async function fakeAlertmanager(status = 200): Promise<{ url: string; posts: { method?: string; path?: string; type?: string; body: unknown }[]; close: () => Promise<void> }> {
  const posts: { method?: string; path?: string; type?: string; body: unknown }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      posts.push({ method: req.method, path: req.url, type: req.headers['content-type'], body: data ? (JSON.parse(data) as unknown) : undefined });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '' : '{"code":400,"message":"bad alert"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((r) => server.close(() => r())) };
}

describe('deploy alerts (Alertmanager)', () => {
  it('the alert: labels alertname, environment, version, agent, severity; a summary with the rate and the threshold', () => {
    const a = rollbackAlert(notice);
    assert.deepEqual(a.labels, { alertname: 'AgentOpsRollback', environment: 'production', version: 'v2', agent: 'support-bot', severity: 'warning' });
    assert.equal(a.annotations.summary, 'support-bot v2 in production: rolled back to v1 — error rate 10% above maxErrorRate 5% at 10%');
    assert.equal(a.startsAt, '2026-03-01T12:00:00.000Z');
    assert.equal(rollbackAlert({ ...notice, rolledBack: false }).labels.severity, 'critical');
  });

  it('POSTs one alert to {url}/api/v2/alerts on a loopback server; an error answer rejects with its status', async () => {
    const am = await fakeAlertmanager();
    try {
      await alertmanagerNotifier(`${am.url}/`)(notice);
      assert.equal(am.posts.length, 1);
      assert.deepEqual({ ...am.posts[0], body: undefined }, { method: 'POST', path: '/api/v2/alerts', type: 'application/json', body: undefined });
      assert.deepEqual(am.posts[0]?.body, [rollbackAlert(notice)]);
    } finally {
      await am.close();
    }
    const bad = await fakeAlertmanager(400);
    try {
      await assert.rejects(alertmanagerNotifier(bad.url)(notice), /HTTP 400 \{"code":400,"message":"bad alert"\}/);
    } finally {
      await bad.close();
    }
    await assert.rejects(alertmanagerNotifier('${env:AM_URL}')(notice), /guard\.alertmanager\.url: the environment variable AM_URL is not set/);
  });

  it('config: guard.alertmanager { url } is read and checked; unknown fields and bad URLs are problems at their line', () => {
    const env = (am: string) => `agent: bot\nenvironments:\n  p:\n    target: { type: command, run: [x] }\n    guard:\n      source: { type: otlp }\n      alertmanager: ${am}\n`;
    const ok = loadDeployConfig(env('{ url: "http://127.0.0.1:9093" }'), 'agentops.yaml');
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.config?.environments.p?.guard?.alertmanager, { url: 'http://127.0.0.1:9093' });
    const brief = (t: string) => loadDeployConfig(t, 'agentops.yaml').problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    assert.deepEqual(brief(env('"http://a:9093"')), ['7:21 alertmanager must be a mapping { url: "http://…" }, found the text "http://a:9093"']);
    assert.deepEqual(brief(env('{ url: "ftp://a" }')).map((s) => s.replace(/^\d+:\d+ /, '')), ['url must be an http:// or https:// URL (or ${env:VAR}), found the text "ftp://a"']);
    assert.equal(brief(env('{ uri: "http://a" }')).some((m) => m.includes("unknown field 'uri'")), true);
  });

  describe('the engine notifies on an automatic rollback', () => {
    let dir: string;
    let ledger: Ledger;
    let now: number;
    const clock = () => new Date(now);
    const sleep = async (ms: number) => {
      now += ms;
    };
    const target: TargetDriver = { type: 'command', run: async (a) => ({ ok: true, output: `${a.action} ${a.weight}` }) };
    const cfg = (am = ''): DeployConfig => {
      const r = loadDeployConfig(
        `agent: support-bot\nenvironments:\n  production:\n    target: { type: command, run: [x] }\n    strategy: { type: canary, steps: [10, 100], interval: 1s }\n    guard:\n      source: { type: otlp }\n      consecutiveBreaches: 2\n${am}`,
        'agentops.yaml',
      );
      assert.deepEqual(r.problems, []);
      return r.config as DeployConfig;
    };
    const verdict = (v: Verdict['verdict']) => async (): Promise<Verdict> => ({ verdict: v, rate: v === 'breach' ? 0.1 : 0.01, detail: v });

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'agentops-alerts-'));
      now = Date.parse('2026-03-01T12:00:00Z');
      ledger = await Ledger.open(defaultLedgerPath(dir), { driver: 'better-sqlite3', now: clock });
      const o = await runDeploy(opts({ version: 'v1', strategy: { type: 'direct' } }));
      assert.equal(o.outcome, 'succeeded');
    });
    afterEach(() => {
      ledger.close();
      rmSync(dir, { recursive: true, force: true });
    });
    function opts(over: Partial<RunDeployOptions> = {}): RunDeployOptions {
      return { config: cfg(), environment: 'production', version: 'v2', actor: 'ana', ledger, targets: () => target, clock, sleep, ...over };
    }

    it('an injected notifier gets the rollback (rate, threshold, versions); a passing canary notifies nobody', async () => {
      const got: RollbackNotice[] = [];
      const o = await runDeploy(opts({ guard: verdict('breach'), notifyRollback: async (n) => void got.push(n) }));
      assert.equal(o.outcome, 'rolled-back');
      assert.equal(got.length, 1);
      assert.deepEqual({ ...got[0], at: undefined }, {
        deployId: o.deploy.id,
        agent: 'support-bot',
        environment: 'production',
        version: 'v2',
        previousVersion: 'v1',
        weight: 10,
        errorRate: 0.1,
        threshold: 0.05,
        reason: '2 consecutive breach(es) at 10%: breach',
        rolledBack: true,
        at: undefined,
      });
      assert.equal(ledger.events(o.deploy.id).at(-1)?.kind, 'notified');
      const passed = await runDeploy(opts({ version: 'v3', guard: verdict('pass'), notifyRollback: async (n) => void got.push(n) }));
      assert.equal(passed.outcome, 'succeeded');
      assert.equal(got.length, 1);
    });

    it('no data with onNoData: fail notifies too (traffic put back, the deploy failed); a failed rollback action says rolledBack: false', async () => {
      const got: RollbackNotice[] = [];
      const failing = loadDeployConfig(
        `agent: support-bot\nenvironments:\n  production:\n    target: { type: command, run: [x] }\n    strategy: { type: canary, steps: [10, 100], interval: 1s }\n    guard:\n      source: { type: otlp }\n      onNoData: fail\n`,
        'agentops.yaml',
      ).config as DeployConfig;
      const o = await runDeploy(opts({ config: failing, guard: verdict('no-data'), notifyRollback: async (n) => void got.push(n) }));
      assert.equal(o.outcome, 'failed');
      assert.equal(got.length, 1);
      assert.equal(got[0]?.rolledBack, true);
      assert.match(got[0]?.reason ?? '', /^no data at 10%/);
      const stuck = await runDeploy(opts({ version: 'v3', guard: verdict('breach'), targets: () => ({ type: 'command', run: async (a) => (a.action === 'rollback' ? { ok: false, output: '', error: 'exit 1' } : { ok: true, output: '' }) }), notifyRollback: async (n) => void got.push(n) }));
      assert.equal(stuck.outcome, 'failed');
      assert.equal(got[1]?.rolledBack, false);
    });

    it('a failing notifier is a notify-failed event and the rollback stands', async () => {
      const events: string[] = [];
      const o = await runDeploy(opts({ guard: verdict('breach'), notifyRollback: () => Promise.reject(new Error('connection refused')), onEvent: (e) => events.push(`${e.kind}: ${e.message}`) }));
      assert.equal(o.outcome, 'rolled-back');
      assert.equal(ledger.get(o.deploy.id)?.status, 'rolled-back');
      const last = ledger.events(o.deploy.id).at(-1);
      assert.deepEqual([last?.kind, last?.data], ['notify-failed', { what: 'rollback', error: 'connection refused' }]);
      assert.equal(events.at(-1), 'notify: rollback notification failed: connection refused');
    });

    it('guard.alertmanager is the default notifier (loopback server); notifyRollback: false turns it off', async () => {
      const am = await fakeAlertmanager();
      try {
        const o = await runDeploy(opts({ config: cfg(`      alertmanager: { url: "${am.url}" }\n`), guard: verdict('breach') }));
        assert.equal(o.outcome, 'rolled-back');
        assert.equal(am.posts.length, 1);
        const [alert] = am.posts[0]?.body as { labels: Record<string, string> }[];
        assert.deepEqual(alert?.labels, { alertname: 'AgentOpsRollback', environment: 'production', version: 'v2', agent: 'support-bot', severity: 'warning' });
        const off = await runDeploy(opts({ version: 'v3', config: cfg(`      alertmanager: { url: "${am.url}" }\n`), guard: verdict('breach'), notifyRollback: false }));
        assert.equal(off.outcome, 'rolled-back');
        assert.equal(am.posts.length, 1);
      } finally {
        await am.close();
      }
    });
  });
});
