import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/run';
import { Ledger, defaultLedgerPath } from '../../../src/core/deploy/ledger';

/**
 * The deploy commands end to end, in-process, in a temporary workspace whose `command` target is a
 * node script: it appends what it was asked to calls.log and, for the canary, writes the OTLP spans
 * the guard reads (ERROR_PERCENT of them with status ERROR).
 */
const script = `
const fs = require('node:fs');
const [version, weight] = process.argv.slice(2);
const e = process.env;
fs.appendFileSync('calls.log', [e.AGENTOPS_ACTION, version, weight, e.AGENTOPS_ENV, e.AGENTOPS_PREVIOUS_VERSION || '-'].join(' ') + '\\n');
if (e.AGENTOPS_ENV === 'production' && e.AGENTOPS_ACTION !== 'rollback') {
  const pct = Number(process.env.ERROR_PERCENT || '0');
  const end = BigInt(Date.now()) * 1000000n;
  const spans = Array.from({ length: 100 }, (_, i) => ({
    traceId: (Date.now().toString(16) + i.toString(16).padStart(4, '0')).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'), name: 'agent.run', kind: 2,
    startTimeUnixNano: String(end - 1000000n), endTimeUnixNano: String(end),
    status: { code: i < pct ? 2 : 1 },
  }));
  fs.mkdirSync('traces', { recursive: true });
  fs.appendFileSync('traces/live.otlp.jsonl', JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.version', value: { stringValue: e.AGENTOPS_CANDIDATE_VERSION || version } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] }) + '\\n');
}
if (version === 'broken') { console.error('cannot deploy broken'); process.exit(3); }
`;

const yaml = `agent: support-bot
environments:
  staging:
    target: { type: command, run: ["${process.execPath}", "deploy.js", "\${version}", "\${weight}"] }
    strategy: direct
  production:
    protected: true
    target: { type: command, run: ["${process.execPath}", "deploy.js", "\${version}", "\${weight}"] }
    strategy: { type: canary, steps: [20, 100], interval: 1s }
    guard:
      source: { type: otlp, dir: traces }
      maxErrorRate: 0.05
      minSamples: 20
      consecutiveBreaches: 1
      onNoData: fail
`;

describe('cli deploy, rollback, promote, abort, history, status', function () {
  this.timeout(30_000);
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'agentops-cli-deploy-'));
    writeFileSync(join(ws, 'agentops.yaml'), yaml);
    writeFileSync(join(ws, 'deploy.js'), script);
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function cli(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ws, env: { PATH: process.env.PATH, USER: 'ci', ...env } };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  }
  const calls = () => readFileSync(join(ws, 'calls.log'), 'utf8').trim().split('\n');
  const json = (s: string) => JSON.parse(s) as Record<string, unknown> & { deploy: { id: string; version: string; status: string; kind: string } };

  it('Ctrl-C (the CLI\'s interrupt signal) stops a canary cleanly: aborted, traffic back on the stable version', async () => {
    assert.equal((await cli(['deploy', 'production', 'v1', '--yes'])).code, 0);
    const interrupt = new AbortController();
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ws, env: { PATH: process.env.PATH, USER: 'ci' }, signal: interrupt.signal };
    // The canary waits its 1 s interval at 20%: interrupt it there.
    setTimeout(() => interrupt.abort(new DOMException('interrupted by SIGINT', 'AbortError')), 400);
    const code = await runCli(['deploy', 'production', 'v2', '--yes', '--json'], io);
    assert.equal(code, 1, stderr);
    const doc = json(stdout);
    assert.equal(doc.outcome, 'aborted', stdout);
    assert.equal(doc.deploy.status, 'aborted');
    const status = JSON.parse((await cli(['status', '--json'])).stdout) as { environments: { environment: string; current: string | null; state: string }[] };
    const production = status.environments.find((e) => e.environment === 'production');
    assert.deepEqual([production?.current, production?.state], ['v1', 'idle']);
  });

  it('deploy direct twice, roll back, then status --json and history --json tell the story', async () => {
    assert.equal((await cli(['deploy', 'staging', 'v1'])).code, 0);
    const second = await cli(['deploy', 'staging', 'v2', '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual([json(second.stdout).outcome, json(second.stdout).deploy.status], ['succeeded', 'succeeded']);
    const rb = await cli(['rollback', 'staging', '--json']);
    assert.equal(rb.code, 0, rb.stderr);
    assert.deepEqual([json(rb.stdout).deploy.kind, json(rb.stdout).deploy.version], ['rollback', 'v1']);
    assert.deepEqual(calls(), ['deploy v1 100 staging -', 'deploy v2 100 staging v1', 'rollback v1 0 staging v1']);

    const st = await cli(['status', '--json']);
    assert.equal(st.code, 0);
    const envs = (JSON.parse(st.stdout) as { environments: { environment: string; current?: string; state: string; weights: object }[] }).environments;
    assert.deepEqual(envs.map((e) => [e.environment, e.current, e.state, e.weights]), [
      ['staging', 'v1', 'idle', { v1: 100 }],
      ['production', undefined, 'idle', {}],
    ]);
    const h = await cli(['history', 'staging', '--json']);
    const deploys = (JSON.parse(h.stdout) as { deploys: { kind: string; version: string; status: string }[] }).deploys;
    assert.deepEqual(deploys.map((d) => [d.kind, d.version, d.status]), [['rollback', 'v1', 'succeeded'], ['deploy', 'v2', 'succeeded'], ['deploy', 'v1', 'succeeded']]);
  });

  it('a failing command target exits 1 with its output kept in the ledger', async () => {
    const r = await cli(['deploy', 'staging', 'broken', '--json']);
    assert.equal(r.code, 1);
    assert.equal(json(r.stdout).deploy.status, 'failed');
  });

  it('protected environment: refused without --yes (exit 2, the reason given); dry run needs none and changes nothing', async () => {
    const r = await cli(['deploy', 'production', 'v1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /environment 'production' is protected: deploying v1 needs --yes/);
    const dry = await cli(['deploy', 'production', 'v1', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = (JSON.parse(dry.stdout) as { plan: { action: string; weight: number }[] }).plan;
    assert.deepEqual(plan.map((p) => [p.action, p.weight]), [['deploy', 20], ['set-weight', 100], ['promote', 100]]);
    assert.throws(() => readFileSync(join(ws, 'calls.log')));
  });

  it('canary with an OTLP guard: 4% errors promotes; 10% rolls back and exits 1 with its checks', async () => {
    const ok = await cli(['deploy', 'production', 'v1', '--yes', '--json'], { ERROR_PERCENT: '4' });
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const okDoc = JSON.parse(ok.stdout) as { outcome: string; checks: { verdict: string; errorRate: number }[] };
    assert.equal(okDoc.outcome, 'succeeded');
    assert.deepEqual(okDoc.checks.map((c) => [c.verdict, c.errorRate]), [['pass', 0.04], ['pass', 0.04]]);

    const bad = await cli(['deploy', 'production', 'v2', '--yes', '--json'], { ERROR_PERCENT: '10' });
    assert.equal(bad.code, 1);
    const badDoc = JSON.parse(bad.stdout) as { outcome: string; deploy: { status: string }; checks: { verdict: string; errorRate: number; weight: number }[] };
    assert.deepEqual([badDoc.outcome, badDoc.deploy.status], ['rolled-back', 'rolled-back']);
    assert.deepEqual(badDoc.checks.map((c) => [c.verdict, c.weight, c.errorRate]), [['breach', 20, 0.1]]);
    assert.equal(calls().at(-1), 'rollback v1 0 production v1');
    const st = JSON.parse((await cli(['status', '--json'])).stdout) as { environments: { environment: string; current?: string }[] };
    assert.equal(st.environments.find((e) => e.environment === 'production')?.current, 'v1');
  });

  it('a conflicting deploy exits 1 naming the running deploy; abort ends it', async () => {
    const ledger = await Ledger.open(defaultLedgerPath(ws), { driver: 'better-sqlite3' });
    const running = ledger.begin({ environment: 'staging', version: 'v9', strategy: 'canary', actor: 'someone-else' });
    ledger.transition(running.id, 'pending', 'in-progress');
    ledger.close();
    const r = await cli(['deploy', 'staging', 'v3', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { error: { kind: string; message: string; running: { id: string } } };
    assert.equal(doc.error.kind, 'conflict');
    assert.equal(doc.error.running.id, running.id);
    assert.match(doc.error.message, new RegExp(`deploy ${running.id} in flight \\(v9, in-progress, by someone-else`));
    const a = await cli(['abort', 'staging', '--json']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(json(a.stdout).deploy.status, 'aborted');
    assert.equal((await cli(['deploy', 'staging', 'v3'])).code, 0);
  });

  it('a deploy whose process died: status says interrupted with its split; resume needs --yes, re-sends the recorded weight and finishes through the guard', async () => {
    assert.equal((await cli(['deploy', 'production', 'v1', '--yes'])).code, 0);
    const ledger = await Ledger.open(defaultLedgerPath(ws), { driver: 'better-sqlite3', owner: { pid: 2 ** 22 + 1, host: 'gone-host' } });
    const d = ledger.begin({ environment: 'production', version: 'v2', strategy: 'canary', actor: 'dead' });
    ledger.transition(d.id, 'pending', 'in-progress');
    ledger.setWeights(d.id, { v2: 20, v1: 80 });
    assert.equal(ledger.reconcile({ isAlive: () => false }).interrupted.length, 1);
    ledger.close();

    const status = await cli(['status', '--json']);
    const prod = (JSON.parse(status.stdout) as { environments: { environment: string; state: string; weights: unknown }[] }).environments.find((e) => e.environment === 'production');
    assert.deepEqual([prod?.state, prod?.weights], ['interrupted', { v2: 20, v1: 80 }]);
    assert.match((await cli(['status'])).stdout, new RegExp(`${d.id} \\(v2\\) was interrupted: agentops resume production`));

    const refused = await cli(['resume', 'production']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /protected: resuming an interrupted deploy needs --yes/);
    const r = await cli(['resume', 'production', '--yes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.deepEqual([out.outcome, out.deploy.version, out.deploy.status], ['succeeded', 'v2', 'succeeded']);
    assert.deepEqual(calls().slice(-3), ['set-weight v2 20 production v1', 'set-weight v2 100 production v1', 'promote v2 100 production v1']);
    assert.equal((await cli(['resume', 'production', '--yes'])).code, 1);
  });

  it('promote on a paused canary moves it to the next step; --full goes straight to 100%', async () => {
    writeFileSync(join(ws, 'agentops.yaml'), yaml.replace('onNoData: fail', 'onNoData: pause').replace('steps: [20, 100]', 'steps: [20, 50, 100]'));
    assert.equal((await cli(['deploy', 'production', 'v1', '--yes'])).code, 0);
    // No traffic from here on: the guard reads a folder nothing writes to.
    writeFileSync(join(ws, 'agentops.yaml'), yaml.replace('onNoData: fail', 'onNoData: pause').replace('steps: [20, 100]', 'steps: [20, 50, 100]').replace('dir: traces', 'dir: empty'));
    const paused = await cli(['deploy', 'production', 'v2', '--yes', '--json']);
    assert.equal(json(paused.stdout).outcome, 'paused');
    const full = await cli(['promote', 'production', '--full', '--yes', '--json']);
    assert.equal(full.code, 0, full.stderr);
    assert.deepEqual(calls().slice(-2), ['deploy v2 20 production v1', 'promote v2 100 production v1']);
    const again = await cli(['deploy', 'production', 'v3', '--yes', '--json']);
    assert.equal(json(again.stdout).outcome, 'paused');
    const step = await cli(['promote', 'production', '--yes', '--json']);
    // On to 50%, where there is still no data: paused again, one step further.
    assert.equal(json(step.stdout).outcome, 'paused');
    assert.deepEqual(calls().slice(-2), ['deploy v3 20 production v2', 'set-weight v3 50 production v2']);
  });

  it('bad usage and config exit 2', async () => {
    assert.equal((await cli(['deploy', 'nowhere', 'v1'])).code, 2);
    assert.equal((await cli(['deploy', 'staging'])).code, 2);
    assert.equal((await cli(['deploy', 'staging', 'v1', '--strategy', 'sideways'])).code, 2);
    writeFileSync(join(ws, 'agentops.yaml'), 'agent: x\nenvironments:\n  staging:\n    target: { type: nope }\n');
    const r = await cli(['status', '--json']);
    assert.equal(r.code, 2);
    assert.equal((JSON.parse(r.stdout) as { error: { kind: string; line: number } }).error.line, 4);
  });
});
