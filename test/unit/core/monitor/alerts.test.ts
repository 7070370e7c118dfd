import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertLog, AlertMonitor, alertmanagerAlert, defaultAlertLogPath, evaluateAlerts, periodStart, postAlertTransitions, replayAlerts, type AlertState, type AlertTransition } from '../../../../src/core/monitor/alerts';
import { defaultAlertRules, loadMonitorConfig, ruleWithDefaults, type AlertRule } from '../../../../src/core/monitor/config';
import type { CallRecord } from '../../../../src/core/monitor/types';
import { call, traffic } from './callsHelpers';

const min = 60_000;
const T0 = Date.parse('2026-11-26T12:00:00Z');
const errorRate = (over: Partial<AlertRule> = {}) => ruleWithDefaults({ type: 'error-rate', ...over });

/** `n` requests with `errors` failures, ending in the 5 minutes before `now`. */
const window = (now: number, n: number, errors: number, over: Partial<CallRecord> = {}) => traffic(n, errors, now - 5 * min + 1000, now, over);

const brief = (text: string) => loadMonitorConfig(text, 'agentops.yaml').problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);

describe('core/monitor/alerts', () => {
  describe('the alerts: and drift: sections', () => {
    it('absent or empty: the default rule, the error rate above 5% over 5 minutes, severity error', () => {
      for (const text of ['', 'agent: bot\n', 'alerts:\n', 'alerts: {}\n', 'alerts:\n  rules: []\n']) {
        const { config, problems } = loadMonitorConfig(text, 'agentops.yaml');
        assert.deepEqual(problems, [], text);
        if (text.includes('rules: []')) assert.deepEqual(config.alerts.rules, [], 'an explicit empty list means no rules');
        else assert.deepEqual(config.alerts.rules, defaultAlertRules(), text);
      }
      assert.deepEqual(defaultAlertRules(), [{ name: 'error-rate', type: 'error-rate', severity: 'error', threshold: 0.05, windowMs: 5 * min, minSamples: 10, for: 1, resolveAfter: 1, hysteresis: 0.2 }]);
    });

    it('reads every rule type with its fields and defaults; names are unique', () => {
      const { config, problems } = loadMonitorConfig(
        [
          'alerts:',
          '  rules:',
          '    - { type: error-rate, threshold: 0.02, window: 10m, for: 2, resolveAfter: 3, hysteresis: 0.5, minSamples: 50 }',
          '    - { type: latency-p95, threshold: 8000, severity: error }',
          '    - { type: cost, per: day, threshold: 20, project: billing }',
          '    - { type: cost, threshold: 5 }',
          '    - { name: big-prompts, type: tokens-per-request, threshold: 20000 }',
          '    - { type: budget, period: week, threshold: 100, project: billing }',
          '  alertmanager: { url: "http://127.0.0.1:9093" }',
          'drift:',
          '  psi: { moderate: 0.05, drift: 0.3 }',
          '  ksPValue: 0.05',
          '  consistency: { threshold: 0.7, severity: error, minRuns: 3 }',
        ].join('\n'),
        'agentops.yaml',
      );
      assert.deepEqual(problems, []);
      const r = config.alerts.rules;
      assert.deepEqual(
        r.map((x) => x.name),
        ['error-rate', 'latency-p95', 'cost', 'cost-2', 'big-prompts', 'budget'],
      );
      assert.deepEqual(r[0], { name: 'error-rate', type: 'error-rate', severity: 'error', threshold: 0.02, windowMs: 10 * min, minSamples: 50, for: 2, resolveAfter: 3, hysteresis: 0.5 });
      assert.equal(r[1]?.severity, 'error');
      assert.deepEqual([r[2]?.per, r[2]?.windowMs, r[2]?.project, r[2]?.severity], ['day', 24 * 60 * min, 'billing', 'warning']);
      assert.deepEqual([r[3]?.per, r[3]?.windowMs], ['hour', 60 * min]);
      assert.deepEqual([r[5]?.period, r[5]?.threshold, r[5]?.severity], ['week', 100, 'error']);
      assert.deepEqual(config.alerts.alertmanager, { url: 'http://127.0.0.1:9093' });
      assert.deepEqual(config.drift, { psiModerate: 0.05, psiDrift: 0.3, ksPValue: 0.05, consistencyThreshold: 0.7, consistencySeverity: 'error', consistencyMinRuns: 3 });
    });

    it('problems name line:column and field, with suggestions; a bad rule is dropped, the others kept', () => {
      const text = [
        'alerts:', //                                           1
        '  rules:', //                                          2
        '    - type: error-rat', //                             3
        '    - type: error-rate', //                            4
        '      threshold: 5', //                                5
        '    - type: latency-p95', //                           6
        '    - type: cost', //                                  7
        '      threshold: 1', //                                8
        '      windw: 1h', //                                   9
        '    - { type: tokens-per-request, threshold: 10 }', // 10
        '    - { type: tokens-per-request, threshold: 20, name: tokens-per-request }', // 11
        '    - { type: error-rate, threshold: "5%" }', //       12
        '  alertmanager: { url: "ftp://x" }', //                13
        '  extra: 1', //                                        14
      ].join('\n');
      assert.deepEqual(brief(text), [
        "3:13 alerts.rules[0].type: unknown rule type the text \"error-rat\" (did you mean 'error-rate'?); the types are error-rate, latency-p95, cost, tokens-per-request, budget",
        '5:18 alerts.rules[1].threshold: threshold must be between 0 and 1, found 5 (a rate: write 0.05 for 5%)',
        '6:7 alerts.rules[2].threshold: a latency-p95 rule needs a threshold (Milliseconds.)',
        "9:7 alerts.rules[3].windw: unknown field 'windw' in a cost rule (did you mean 'window'?); it takes type, name, severity, minSamples, for, resolveAfter, hysteresis, project, per, window, threshold",
        "11:7 alerts.rules[5].name: two rules are named 'tokens-per-request'; give each a unique name",
        '12:38 alerts.rules[6].threshold: threshold must be a number, found the text "5%" (write 0.05 for 5%)',
        '13:24 alerts.alertmanager.url: url must be an http:// or https:// URL (or ${env:VAR}), found the text "ftp://x"',
        "14:3 alerts.extra: unknown field 'extra' in alerts; it takes rules, alertmanager",
      ]);
      const { config } = loadMonitorConfig(text, 'agentops.yaml');
      assert.deepEqual(
        config.alerts.rules.map((r) => r.name),
        ['tokens-per-request'],
      );
      assert.deepEqual(brief('alerts: [1]\n'), ['1:9 alerts: alerts must be a mapping (rules:, alertmanager:), found a list']);
      assert.deepEqual(brief('drift:\n  psi: { moderate: 0.3, drift: 0.2 }\n  ksPvalue: 1\n'), ['2:8 drift.psi: psi.moderate (0.3) must not be above psi.drift (0.2)', "3:3 drift.ksPvalue: unknown field 'ksPvalue' in drift (did you mean 'ksPValue'?); it takes psi, ksPValue, consistency"]);
    });
  });

  describe('evaluateAlerts', () => {
    it('the error-rate alert fires at 6% and not at 4% (200 requests in the window)', () => {
      const rules = defaultAlertRules();
      const at6 = evaluateAlerts(rules, window(T0, 200, 12), T0);
      assert.equal(at6.firing.length, 1);
      const a = at6.firing[0];
      assert.equal(a?.rule, 'error-rate');
      assert.equal(a?.severity, 'error');
      assert.equal(a?.value, 0.06);
      assert.equal(a?.threshold, 0.05);
      assert.equal(a?.since, new Date(T0).toISOString());
      assert.equal(a?.traceIds.length, 12, 'the failed calls’ traces');
      assert.deepEqual(
        at6.events.map((e) => [e.state, e.key]),
        [['firing', 'error-rate']],
      );
      const at4 = evaluateAlerts(rules, window(T0, 200, 8), T0);
      assert.deepEqual(at4.firing, []);
      assert.deepEqual(at4.events, []);
      assert.equal(at4.state['error-rate']?.value, 0.04);
      // Calls older than the window do not count: 6% an hour ago is not firing now.
      assert.deepEqual(evaluateAlerts(rules, window(T0 - 60 * min, 200, 12), T0).firing, []);
    });

    it('hysteresis: between 4.9% and 5.1% it stays fired, and resolves below 4% (no flapping)', () => {
      const rules = defaultAlertRules();
      const rates = [60, 49, 51, 49, 51, 41, 45, 39, 45, 51, 52]; // per 1000 requests
      const run = (rs: AlertRule[]) => {
        let state: AlertState = {};
        const log: string[] = [];
        const firing: boolean[] = [];
        rates.forEach((errors, i) => {
          const now = T0 + i * 5 * min;
          const r = evaluateAlerts(rs, window(now, 1000, errors), now, state);
          state = r.state;
          firing.push(r.firing.length > 0);
          for (const e of r.events) log.push(`${i}:${e.state}`);
        });
        return { log, firing };
      };
      const withH = run(rules);
      assert.deepEqual(withH.firing, [true, true, true, true, true, true, true, false, false, true, true]);
      assert.deepEqual(withH.log, ['0:firing', '7:resolved', '9:firing']);
      // Without hysteresis the same traffic flaps at every crossing.
      const without = run([errorRate({ hysteresis: 0 })]);
      assert.deepEqual(without.log, ['0:firing', '1:resolved', '2:firing', '3:resolved', '4:firing', '5:resolved', '9:firing']);
    });

    it('for and resolveAfter count consecutive evaluations; fewer than minSamples is no data, the state is kept', () => {
      const rules = [errorRate({ for: 2, resolveAfter: 2, minSamples: 100 })];
      const step = (state: AlertState, i: number, n: number, errors: number) => evaluateAlerts(rules, window(T0 + i * 5 * min, n, errors), T0 + i * 5 * min, state);
      let r = step({}, 0, 100, 10);
      assert.equal(r.firing.length, 0, 'one breach is not enough');
      r = step(r.state, 1, 100, 2);
      r = step(r.state, 2, 100, 10);
      assert.equal(r.firing.length, 0, 'the count restarts after a good evaluation');
      r = step(r.state, 3, 100, 10);
      assert.equal(r.firing.length, 1);
      assert.equal(r.firing[0]?.since, new Date(T0 + 15 * min).toISOString());
      r = step(r.state, 4, 50, 0); // no data: not a resolution
      assert.equal(r.firing.length, 1);
      r = step(r.state, 5, 100, 0);
      assert.equal(r.firing.length, 1, 'one good evaluation is not enough');
      r = step(r.state, 6, 100, 0);
      assert.equal(r.firing.length, 0);
      assert.deepEqual(
        r.events.map((e) => e.state),
        ['resolved'],
      );
    });

    it('only model calls count; a project filter keeps its calls', () => {
      const calls = [...window(T0, 100, 0, { project: 'a' }), ...window(T0, 100, 20, { project: 'b' }), ...window(T0, 100, 100, { kind: 'tool', operation: 'execute_tool' })];
      assert.equal(evaluateAlerts(defaultAlertRules(), calls, T0).firing[0]?.value, 0.1);
      assert.deepEqual(evaluateAlerts([errorRate({ project: 'a' })], calls, T0).firing, []);
      assert.equal(evaluateAlerts([errorRate({ project: 'b' })], calls, T0).firing[0]?.value, 0.2);
    });

    it('latency-p95 and tokens-per-request', () => {
      const calls = Array.from({ length: 100 }, (_, i) => call({ endMs: T0 - i * 1000, durationMs: i < 90 ? 500 : 9000, inputTokens: 900, outputTokens: 100 }));
      const r = evaluateAlerts([ruleWithDefaults({ type: 'latency-p95', threshold: 8000 }), ruleWithDefaults({ type: 'tokens-per-request', threshold: 999 })], calls, T0);
      assert.deepEqual(
        r.firing.map((a) => [a.rule, a.value, a.severity]),
        [
          ['latency-p95', 9000, 'warning'],
          ['tokens-per-request', 1000, 'warning'],
        ],
      );
      assert.equal(r.firing[0]?.traceIds[0], calls[90]?.traceId, 'the slowest first');
    });

    it('cost per hour, per project: the window’s spend scaled to the hour', () => {
      const calls = [...Array.from({ length: 10 }, (_, i) => call({ endMs: T0 - i * min, project: 'a', costUsd: 0.1 })), ...Array.from({ length: 10 }, (_, i) => call({ endMs: T0 - i * min, project: 'b', costUsd: 1 }))];
      const r = evaluateAlerts([ruleWithDefaults({ type: 'cost', threshold: 5, windowMs: 15 * min })], calls, T0);
      assert.deepEqual(
        r.firing.map((a) => [a.rule, a.project, Math.round(a.value * 100) / 100]),
        [['cost', 'b', 40]],
      );
      assert.ok(r.state['cost{project=a}']);
      assert.equal(Math.round((r.state['cost{project=a}']?.value ?? 0) * 100) / 100, 4);
    });

    it('a budget alert fires when crossed, per project, and says since when', () => {
      const budget = ruleWithDefaults({ type: 'budget', period: 'month', threshold: 10 });
      // $1 per call every 2 hours from the 1st of the month: the 10th call (the 10th dollar) crosses the budget.
      const monthStart = periodStart('month', T0);
      const calls = Array.from({ length: 15 }, (_, i) => call({ endMs: monthStart + (i + 1) * 2 * 60 * min, project: 'billing', costUsd: 1 }));
      calls.push(call({ endMs: monthStart - 1000, project: 'billing', costUsd: 100 })); // last month
      calls.push(call({ endMs: monthStart + 1000, project: 'search', costUsd: 2 }));
      const before = evaluateAlerts([budget], calls, monthStart + 19 * 60 * min);
      assert.deepEqual(before.firing, [], '$9 of $10');
      const after = evaluateAlerts([budget], calls, monthStart + 20 * 60 * min, before.state);
      assert.deepEqual(
        after.firing.map((a) => [a.rule, a.project, a.value, a.threshold, a.severity]),
        [['budget', 'billing', 10, 10, 'error']],
      );
      assert.deepEqual(
        after.events.map((e) => [e.state, e.key]),
        [['firing', 'budget{project=billing}']],
      );
      // Replayed over a window (the report): since is when the running spend reached the budget.
      const replay = replayAlerts([budget, errorRate()], calls, monthStart, T0);
      assert.deepEqual(
        replay.firing.map((a) => [a.rule, a.project, a.since]),
        [['budget', 'billing', new Date(monthStart + 20 * 60 * min).toISOString()]],
      );
      // The spend from elsewhere (the cost ledger): its figure is used.
      const fromLedger = evaluateAlerts([budget], [], T0, {}, { budgetSpend: (_r, p) => (p === 'search' ? 50 : 0), budgetProjects: ['search', 'billing'] });
      assert.deepEqual(
        fromLedger.firing.map((a) => [a.project, a.value]),
        [['search', 50]],
      );
    });

    it('replayAlerts: evaluations every window over a past period, transitions in order', () => {
      const calls = [...window(T0 + 10 * min, 200, 20), ...window(T0 + 30 * min, 200, 2)];
      const r = replayAlerts(defaultAlertRules(), calls, T0, T0 + 60 * min);
      assert.equal(r.evaluations, 12);
      assert.deepEqual(
        r.transitions.map((e) => [e.state, e.at]),
        [
          ['firing', new Date(T0 + 10 * min).toISOString()],
          ['resolved', new Date(T0 + 30 * min).toISOString()],
        ],
      );
      assert.deepEqual(r.firing, []);
    });
  });

  describe('the alert log and Alertmanager', () => {
    const transition = (state: 'firing' | 'resolved'): AlertTransition => ({ rule: 'error-rate', key: 'error-rate', severity: 'error', value: 0.06, threshold: 0.05, since: '2026-11-26T12:00:00.000Z', traceIds: ['a'.repeat(32)], state, at: state === 'firing' ? '2026-11-26T12:00:00.000Z' : '2026-11-26T12:30:00.000Z' });

    it('AlertLog appends JSON lines to .agentops/alerts.jsonl and reads them back, skipping a torn line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'agentops-alerts-'));
      try {
        const log = new AlertLog(defaultAlertLogPath(dir));
        assert.deepEqual(await log.read(), []);
        await log.append([transition('firing')]);
        await log.append([]);
        appendFileSync(log.file, '{"rule": "torn');
        appendFileSync(log.file, '\n');
        await log.append([transition('resolved')]);
        assert.equal(readFileSync(join(dir, '.agentops', 'alerts.jsonl'), 'utf8').split('\n').length, 4);
        assert.deepEqual(await log.read(), [transition('firing'), transition('resolved')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('AlertMonitor: ticks carry the state, transitions go to the log; a failing Alertmanager is reported, not thrown', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'agentops-alerts-'));
      try {
        const log = new AlertLog(defaultAlertLogPath(dir));
        const errors: string[] = [];
        const monitor = new AlertMonitor(defaultAlertRules(), { log, alertmanager: { url: 'http://127.0.0.1:9', options: { timeoutMs: 2000 } }, onError: (_e, where) => errors.push(where) });
        assert.equal((await monitor.tick(window(T0, 200, 12), T0)).firing.length, 1);
        assert.equal((await monitor.tick(window(T0 + 5 * min, 200, 9), T0 + 5 * min)).firing.length, 1, '4.5%: still firing');
        assert.equal((await monitor.tick(window(T0 + 10 * min, 200, 2), T0 + 10 * min)).firing.length, 0);
        assert.deepEqual(
          (await log.read()).map((e) => e.state),
          ['firing', 'resolved'],
        );
        assert.deepEqual(errors, ['alertmanager', 'alertmanager']);
        monitor.setRules([]);
        assert.deepEqual(monitor.currentState, {});
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('posts firing and resolved alerts (endsAt) to a loopback Alertmanager through the shared poster', async () => {
      const posts: unknown[] = [];
      const paths: (string | undefined)[] = [];
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        let data = '';
        req.on('data', (c: Buffer) => (data += c.toString()));
        req.on('end', () => {
          paths.push(req.url);
          posts.push(JSON.parse(data));
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        await postAlertTransitions(url, [transition('firing'), transition('resolved')], defaultAlertRules());
        assert.deepEqual(paths, ['/api/v2/alerts']);
        const body = posts[0] as { labels: Record<string, string>; startsAt: string; endsAt?: string; annotations: Record<string, string> }[];
        assert.equal(body.length, 2);
        assert.deepEqual(body[0]?.labels, { alertname: 'error-rate', severity: 'error', source: 'agentops', type: 'error-rate' });
        assert.equal(body[0]?.endsAt, undefined);
        assert.equal(body[1]?.endsAt, '2026-11-26T12:30:00.000Z');
        assert.equal(body[0]?.annotations.summary, 'error-rate: 6.0% above threshold 5.0%');
        assert.deepEqual(body, [alertmanagerAlert(transition('firing'), { type: 'error-rate' }), alertmanagerAlert(transition('resolved'), { type: 'error-rate' })]);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
      await assert.rejects(postAlertTransitions('${env:NO_SUCH_AM}', [transition('firing')], []), /alerts\.alertmanager\.url: the environment variable NO_SUCH_AM is not set/);
    });
  });
});
