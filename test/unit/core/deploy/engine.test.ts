import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeployConfig, type DeployConfig } from '../../../../src/core/deploy/config';
import { abort, interruptedDeploy, promote, resume, rollback, runDeploy, type RunDeployOptions } from '../../../../src/core/deploy/engine';
import { otlpGuard, type Verdict } from '../../../../src/core/deploy/guard';
import { DeployConflictError, Ledger, defaultLedgerPath } from '../../../../src/core/deploy/ledger';
import type { TargetAction, TargetDriver } from '../../../../src/core/deploy/targets/types';
import { writeOtlpSpans } from './guardFixtures';

const yaml = (onNoData = 'pause') => `agent: support-bot
environments:
  staging:
    target: { type: command, run: ["./deploy.sh", "\${version}", "\${weight}"] }
    strategy: direct
  bg:
    target: { type: command, run: ["./deploy.sh"] }
    strategy: blue-green
  ab:
    target: { type: command, run: ["./deploy.sh"] }
    strategy: { type: ab, split: 30 }
  production:
    protected: true
    target: { type: command, run: ["./deploy.sh", "\${version}", "\${weight}"] }
    strategy: { type: canary, steps: [10, 50, 100], interval: 30s }
    guard:
      source: { type: otlp, dir: traces }
      maxErrorRate: 0.05
      minSamples: 20
      consecutiveBreaches: 2
      onNoData: ${onNoData}
`;

function config(onNoData = 'pause'): DeployConfig {
  const r = loadDeployConfig(yaml(onNoData), 'agentops.yaml');
  assert.deepEqual(r.problems, []);
  return r.config as DeployConfig;
}

/** A target that records what it was told and fails when `fail` says so. */
function fakeTarget(log: TargetAction[], fail: (a: TargetAction) => boolean = () => false): TargetDriver {
  return {
    type: 'command',
    async run(a) {
      log.push(a);
      if (fail(a)) return { ok: false, output: 'exit 3', error: 'exit code 3' };
      return { ok: true, output: `${a.action} ${a.version} ${a.weight}`, ...(a.dryRun ? { plan: [`./deploy.sh ${a.version} ${a.weight}`] } : {}) };
    },
  };
}

describe('deploy engine', () => {
  let dir: string;
  let ledger: Ledger;
  let now: number;
  let actions: TargetAction[];
  const clock = () => new Date(now);
  const sleep = async (ms: number) => {
    now += ms;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-engine-'));
    ledger = await Ledger.open(defaultLedgerPath(dir), { driver: 'better-sqlite3', now: clock });
    now = Date.parse('2026-03-01T12:00:00Z');
    actions = [];
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function opts(over: Partial<RunDeployOptions> = {}): RunDeployOptions {
    return { config: config(), environment: 'production', version: 'v2', actor: 'ana', ledger, targets: () => fakeTarget(actions), clock, sleep, ...over };
  }
  const verdicts = (...vs: Verdict['verdict'][]) => {
    let i = 0;
    return async (): Promise<Verdict> => {
      const v = vs[Math.min(i++, vs.length - 1)] as Verdict['verdict'];
      return { verdict: v, samples: v === 'no-data' ? 0 : 100, errors: v === 'breach' ? 9 : 1, ...(v === 'no-data' ? {} : { rate: v === 'breach' ? 0.09 : 0.01 }), detail: v };
    };
  };
  async function shipped(version: string, environment = 'production') {
    const o = await runDeploy(opts({ environment, version, strategy: { type: 'direct' } }));
    assert.equal(o.outcome, 'succeeded');
  }

  it('direct: one deploy action at 100%, succeeded, previous version recorded', async () => {
    await shipped('v1', 'staging');
    const o = await runDeploy(opts({ environment: 'staging', version: 'v2' }));
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(actions.map((a) => [a.action, a.version, a.weight]), [['deploy', 'v1', 100], ['deploy', 'v2', 100]]);
    assert.equal(o.deploy.previousVersion, 'v1');
    assert.deepEqual(ledger.current('staging').previousGood?.version, 'v1');
    assert.equal(actions[1]?.idempotencyKey, `${o.deploy.id}:deploy:100`);
  });

  it('blue-green: deploy at 0%, then switch to 100%, the old version kept at 0%', async () => {
    await shipped('v1', 'bg');
    const o = await runDeploy(opts({ environment: 'bg', version: 'v2' }));
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(actions.slice(1).map((a) => [a.action, a.weight]), [['deploy', 0], ['set-weight', 100]]);
    assert.deepEqual(o.deploy.weights, { v2: 100, v1: 0 });
  });

  it('ab: holds at the split (paused) until promote', async () => {
    await shipped('v1', 'ab');
    const o = await runDeploy(opts({ environment: 'ab', version: 'v2' }));
    assert.equal(o.outcome, 'holding');
    assert.equal(o.deploy.status, 'paused');
    assert.deepEqual(o.deploy.weights, { v2: 30, v1: 70 });
    const p = await promote({ config: config(), environment: 'ab', ledger, targets: () => fakeTarget(actions), actor: 'bo' });
    assert.equal(p.deploy.status, 'succeeded');
    assert.equal(ledger.current('ab').current?.version, 'v2');
  });

  it('canary at 4% errors with a 5% threshold (real OTLP guard) promotes through every step', async () => {
    await shipped('v1');
    mkdirSync(join(dir, 'traces'));
    const cfg = config();
    const guardCfg = cfg.environments.production?.guard;
    assert.ok(guardCfg);
    const otlp = otlpGuard(guardCfg, dir);
    const o = await runDeploy(
      opts({
        config: cfg,
        guard: async (req) => {
          writeOtlpSpans(join(dir, 'traces', 'live.otlp.jsonl'), { version: 'v2', total: 50, errors: 2, endMs: req.until.getTime() - 5 });
          return otlp(req);
        },
      }),
    );
    assert.equal(o.outcome, 'succeeded', o.reason);
    assert.deepEqual(actions.slice(1).map((a) => [a.action, a.weight]), [['deploy', 10], ['set-weight', 50], ['set-weight', 100], ['promote', 100]]);
    assert.deepEqual(o.checks.map((c) => [c.step, c.weight, c.verdict, c.samples, c.errors, c.errorRate]), [
      [0, 10, 'pass', 50, 2, 0.04],
      [1, 50, 'pass', 50, 2, 0.04],
      [2, 100, 'pass', 50, 2, 0.04],
    ]);
    const weights = ledger.events(o.deploy.id).filter((e) => e.kind === 'weights').map((e) => (e.data as { weights: unknown }).weights);
    assert.deepEqual(weights, [{ v2: 10, v1: 90 }, { v2: 50, v1: 50 }, { v2: 100, v1: 0 }]);
  });

  it('canary breach: consecutive breaches roll back automatically, with the checks recorded', async () => {
    await shipped('v1');
    const o = await runDeploy(opts({ guard: verdicts('pass', 'breach', 'breach') }));
    assert.equal(o.outcome, 'rolled-back');
    assert.equal(o.deploy.status, 'rolled-back');
    assert.match(o.reason ?? '', /2 consecutive breach\(es\) at 50%/);
    assert.deepEqual(o.checks.map((c) => [c.weight, c.verdict]), [[10, 'pass'], [50, 'breach'], [50, 'breach']]);
    const last = actions.at(-1);
    assert.deepEqual([last?.action, last?.version, last?.previousVersion, last?.weight], ['rollback', 'v2', 'v1', 0]);
    assert.deepEqual(o.deploy.weights, { v1: 100, v2: 0 });
    assert.equal(ledger.current('production').current?.version, 'v1');
    assert.ok(!actions.some((a) => a.action === 'promote'));
  });

  it('a breach followed by a pass does not roll back (consecutive, not total)', async () => {
    await shipped('v1');
    const o = await runDeploy(opts({ guard: verdicts('breach', 'pass', 'breach', 'pass', 'pass') }));
    assert.equal(o.outcome, 'succeeded');
    assert.equal(o.checks.length, 5);
  });

  it('no traffic with onNoData pause: paused, never promoted; promote goes on to the next step and drives the canary from there', async () => {
    await shipped('v1');
    const o = await runDeploy(opts({ guard: verdicts('no-data') }));
    assert.equal(o.outcome, 'paused');
    assert.equal(o.deploy.status, 'paused');
    assert.deepEqual(o.checks.map((c) => c.verdict), ['no-data']);
    assert.ok(!actions.some((a) => a.action === 'promote'));
    assert.equal(ledger.current('production').current?.version, 'v1');
    const before = actions.length;
    const p = await promote({ ...opts({ guard: verdicts('pass') }), actor: 'bo', reason: 'low traffic, checked by hand' });
    assert.equal(p.outcome, 'succeeded');
    // Argo Rollouts' promote: the next step (50%), its check, then 100%, then promotion; not straight to 100%.
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.weight]), [['set-weight', 50], ['set-weight', 100], ['promote', 100]]);
    assert.deepEqual(p.checks.map((c) => [c.weight, c.verdict]), [[10, 'no-data'], [50, 'pass'], [100, 'pass']]);
    assert.equal(ledger.current('production').current?.version, 'v2');
    const promoted = ledger.events(p.deploy.id).find((e) => e.kind === 'status' && (e.data as { note?: string }).note?.startsWith('promoted by bo'));
    assert.match((promoted?.data as { note: string }).note, /on to step 2 \(50%\)/);
  });

  it('promote --full on a paused canary: all traffic at once, no further checks', async () => {
    await shipped('v1');
    await runDeploy(opts({ guard: verdicts('no-data') }));
    const before = actions.length;
    const p = await promote({ ...opts({ guard: verdicts('breach') }), actor: 'bo', full: true });
    assert.equal(p.outcome, 'succeeded');
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.weight]), [['promote', 100]]);
    assert.equal(p.checks.length, 1);
  });

  it('a promoted canary that then breaches is rolled back like any other', async () => {
    await shipped('v1');
    await runDeploy(opts({ guard: verdicts('no-data') }));
    const p = await promote({ ...opts({ guard: verdicts('breach') }), actor: 'bo' });
    assert.equal(p.outcome, 'rolled-back');
    assert.deepEqual(p.deploy.weights, { v1: 100, v2: 0 });
  });

  /** Leaves `version` in flight at `weights` as if its process had been killed, then reconciles it. */
  function interrupt(environment: string, version: string, strategy: string, weights: Record<string, number>, kind: 'deploy' | 'rollback' = 'deploy') {
    const d = ledger.begin({ environment, version, strategy, actor: 'dead', kind });
    ledger.transition(d.id, 'pending', 'in-progress');
    if (Object.keys(weights).length > 0) ledger.setWeights(d.id, weights);
    const r = ledger.reconcile({ isAlive: () => false });
    assert.deepEqual(r.interrupted.map((x) => x.id), [d.id]);
    return d.id;
  }

  it('resume: a canary interrupted at 50% re-sends 50%, checks it, and goes on; a second resume finds nothing', async () => {
    await shipped('v1');
    const id = interrupt('production', 'v2', 'canary', { v2: 50, v1: 50 });
    assert.equal(interruptedDeploy(ledger, 'production')?.id, id);
    const before = actions.length;
    const o = await resume({ ...opts({ guard: verdicts('pass') }), actor: 'cy' });
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.weight]), [['set-weight', 50], ['set-weight', 100], ['promote', 100]]);
    assert.deepEqual(o.checks.map((c) => c.weight), [50, 100]);
    assert.equal(o.deploy.idempotencyKey, `resume:${id}`);
    assert.equal(o.deploy.previousVersion, 'v1');
    assert.match(o.deploy.reason ?? '', new RegExp(`resumes interrupted deploy ${id}`));
    assert.deepEqual(ledger.events(o.deploy.id).find((e) => e.kind === 'resumes')?.data, { deployId: id, weights: { v2: 50, v1: 50 }, error: ledger.get(id)?.error });
    assert.equal(ledger.get(id)?.status, 'interrupted');
    await assert.rejects(resume({ ...opts(), actor: 'cy' }), /nothing to resume in 'production': its last deploy .* is succeeded/);
  });

  it('resume: a canary interrupted before any weight starts over; blue-green with the green up only switches; a rollback is sent again', async () => {
    await shipped('v1');
    interrupt('production', 'v2', 'canary', {});
    let before = actions.length;
    let o = await resume({ ...opts({ guard: verdicts('pass') }), actor: 'cy' });
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(actions.slice(before).map((a) => a.action), ['deploy', 'set-weight', 'set-weight', 'promote']);

    await shipped('v1', 'bg');
    interrupt('bg', 'v2', 'blue-green', { v2: 0, v1: 100 });
    before = actions.length;
    o = await resume({ ...opts({ environment: 'bg' }), actor: 'cy' });
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.weight]), [['set-weight', 100]]);
    assert.deepEqual(o.deploy.weights, { v2: 100, v1: 0 });

    await shipped('v2', 'staging');
    await shipped('v3', 'staging');
    const d = ledger.begin({ environment: 'staging', version: 'v2', kind: 'rollback', strategy: 'direct', actor: 'dead' });
    ledger.transition(d.id, 'pending', 'in-progress');
    ledger.reconcile({ isAlive: () => false });
    before = actions.length;
    o = await resume({ ...opts({ environment: 'staging' }), actor: 'cy' });
    assert.equal(o.outcome, 'succeeded');
    assert.deepEqual(o.deploy.kind, 'rollback');
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.version, a.previousVersion]), [['rollback', 'v3', 'v2']]);
    assert.equal(ledger.current('staging').current?.version, 'v2');
  });

  it('rollback after an interrupted canary puts all traffic back on the version before it, explicitly', async () => {
    await shipped('v0');
    await shipped('v1');
    interrupt('production', 'v2', 'canary', { v2: 50, v1: 50 });
    assert.deepEqual(ledger.status().find((e) => e.environment === 'production')?.state, 'interrupted');
    assert.deepEqual(ledger.status().find((e) => e.environment === 'production')?.weights, { v2: 50, v1: 50 });
    const before = actions.length;
    const r = await rollback({ config: config(), environment: 'production', ledger, targets: () => fakeTarget(actions), actor: 'bo' });
    assert.equal(r.outcome, 'succeeded');
    assert.deepEqual([r.deploy.kind, r.deploy.version, r.deploy.previousVersion], ['rollback', 'v1', 'v2']);
    assert.deepEqual(actions.slice(before).map((a) => [a.action, a.version, a.previousVersion]), [['rollback', 'v2', 'v1']]);
    assert.deepEqual(ledger.status().find((e) => e.environment === 'production')?.weights, { v1: 100 });
    assert.equal(ledger.current('production').previousGood?.version, 'v0');
  });

  it('resume refuses when agentops.yaml changed the strategy, and when there is nothing interrupted', async () => {
    await assert.rejects(resume({ ...opts(), actor: 'cy' }), /nothing to resume in 'production': no deploys yet/);
    interrupt('production', 'v2', 'blue-green', { v2: 0 });
    await assert.rejects(resume({ ...opts(), actor: 'cy' }), /ran as blue-green, but agentops.yaml now says canary/);
  });

  it('no traffic with onNoData fail: traffic back to stable, failed, never promoted', async () => {
    await shipped('v1');
    const o = await runDeploy(opts({ config: config('fail'), guard: verdicts('no-data') }));
    assert.equal(o.outcome, 'failed');
    assert.match(o.deploy.error ?? '', /no data at 10%/);
    assert.deepEqual(actions.slice(1).map((a) => a.action), ['deploy', 'rollback']);
  });

  it('a failing target action fails the deploy with its error kept', async () => {
    const o = await runDeploy(opts({ environment: 'staging', targets: () => fakeTarget(actions, () => true) }));
    assert.equal(o.outcome, 'failed');
    assert.equal(o.deploy.error, 'deploy failed: exit code 3');
    const ev = ledger.events(o.deploy.id).find((e) => e.kind === 'action');
    assert.deepEqual((ev?.data as { output: string }).output, 'exit 3');
  });

  it('a concurrent second deploy to the environment → DeployConflictError naming the running one', async () => {
    await shipped('v1');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = runDeploy(opts({ sleep: () => gate, guard: verdicts('pass') }));
    await new Promise((r) => setImmediate(r));
    await assert.rejects(runDeploy(opts({ version: 'v3' })), (err: unknown) => err instanceof DeployConflictError && err.running.version === 'v2');
    release();
    assert.equal((await first).outcome, 'succeeded');
  });

  it('dry run: the plan from the targets (dryRun: true), recorded as a dry-run deploy, no guard, no change', async () => {
    await shipped('v1');
    let guardCalls = 0;
    const o = await runDeploy(opts({ dryRun: true, guard: async () => (guardCalls++, { verdict: 'pass', detail: '' }) }));
    assert.equal(o.outcome, 'dry-run');
    assert.equal(guardCalls, 0);
    assert.ok(actions.slice(1).every((a) => a.dryRun));
    assert.deepEqual(o.plan?.map((p) => p.plan[0]), ['./deploy.sh v2 10', './deploy.sh v2 50', './deploy.sh v2 100', './deploy.sh v2 100']);
    assert.equal(o.deploy.dryRun, true);
    assert.equal(ledger.current('production').current?.version, 'v1');
  });

  it('rollback to the last good version, then to a picked one; abort of an in-flight deploy', async () => {
    await shipped('v1', 'staging');
    await shipped('v2', 'staging');
    await shipped('v3', 'staging');
    const base = { config: config(), environment: 'staging', ledger, targets: () => fakeTarget(actions), actor: 'bo' };
    const r = await rollback(base);
    assert.equal(r.outcome, 'succeeded');
    assert.deepEqual([r.deploy.kind, r.deploy.version, r.deploy.previousVersion], ['rollback', 'v2', 'v3']);
    assert.deepEqual([actions.at(-1)?.action, actions.at(-1)?.previousVersion], ['rollback', 'v2']);
    assert.equal(ledger.current('staging').current?.version, 'v2');
    const picked = await rollback({ ...base, to: 'v1' });
    assert.equal(picked.deploy.version, 'v1');
    await assert.rejects(rollback({ ...base, to: 'v1' }), /already the current version/);

    await shipped('v1');
    const paused = await runDeploy(opts({ guard: verdicts('no-data') }));
    assert.equal(paused.outcome, 'paused');
    const a = await abort({ ...base, environment: 'production' });
    assert.equal(a.deploy.status, 'aborted');
    assert.deepEqual(a.deploy.weights, { v1: 100, v2: 0 });
  });
});
