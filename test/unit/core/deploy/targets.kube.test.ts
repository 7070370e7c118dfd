import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTarget } from '../../../../src/core/deploy/targets/index';
import type { TargetAction, TargetContext } from '../../../../src/core/deploy/targets/types';

function act(over: Partial<TargetAction> = {}): TargetAction {
  return { action: 'deploy', environment: 'production', version: 'v13', previousVersion: 'v12', weight: 100, deployId: 'd9', idempotencyKey: 'd9:deploy:100', dryRun: true, ...over };
}
const ctx: TargetContext = { cwd: '/', environ: { PATH: process.env.PATH }, secret: async () => undefined, log: () => undefined };
const kubectl = { type: 'kubectl', deployment: 'support-bot', container: 'agent', namespace: 'agents', context: 'prod-eu', image: 'ghcr.io/acme/bot:${version}' } as const;
const helm = { type: 'helm', release: 'bot', chart: 'acme/bot', valuesKey: 'image.tag', namespace: 'agents', context: 'prod-eu' } as const;
const argo = { type: 'argo-rollouts', rollout: 'support-bot', container: 'agent', namespace: 'agents', context: 'prod-eu', image: 'ghcr.io/acme/bot:${version}' } as const;
const K = '-n agents --context prod-eu';

describe('core/deploy/targets: kubectl, helm, argo-rollouts plans (dry run)', () => {
  it('kubectl: set image, rollout status, read the revision; rollback to an explicit revision or the previous image', async () => {
    const t = createTarget(kubectl, ctx);
    const rev = `kubectl get deployment support-bot -o 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}' ${K}`;
    assert.deepEqual((await t.run(act())).plan, [`kubectl set image deployment/support-bot agent=ghcr.io/acme/bot:v13 ${K}`, `kubectl rollout status deployment/support-bot --timeout=5m ${K}`, rev]);
    assert.deepEqual((await t.run(act({ action: 'rollback', rollbackToRevision: '5' }))).plan, [`kubectl rollout undo deployment/support-bot --to-revision=5 ${K}`, `kubectl rollout status deployment/support-bot --timeout=5m ${K}`, rev]);
    assert.equal((await t.run(act({ action: 'rollback' }))).plan?.[0], `kubectl set image deployment/support-bot agent=ghcr.io/acme/bot:v12 ${K}`);
    const split = await t.run(act({ action: 'set-weight', weight: 25 }));
    assert.equal(split.ok, false);
    assert.match(split.error ?? '', /cannot split traffic/);
    const noImage = await createTarget({ type: 'kubectl', deployment: 'd', container: 'c' }, ctx).run(act());
    assert.match(noImage.error ?? '', /target.image is needed/);
  });

  it('helm: upgrade --install --set --wait, status for the revision; rollback <release> <revision>', async () => {
    const t = createTarget(helm, ctx);
    const H = '-n agents --kube-context prod-eu';
    assert.deepEqual((await t.run(act())).plan, [`helm upgrade --install bot acme/bot --set image.tag=v13 --wait --timeout=5m ${H}`, `helm status bot -o json ${H}`]);
    assert.deepEqual((await t.run(act({ action: 'rollback', rollbackToRevision: '3' }))).plan, [`helm rollback bot 3 --wait --timeout=5m ${H}`, `helm status bot -o json ${H}`]);
    assert.equal((await t.run(act({ action: 'abort' }))).plan?.[0], `helm upgrade --install bot acme/bot --set image.tag=v12 --wait --timeout=5m ${H}`);
  });

  it('argo-rollouts: set image, promote, abort, abort + undo --to-revision; set-weight refused', async () => {
    const t = createTarget(argo, ctx);
    const rev = `kubectl get rollout support-bot -o 'jsonpath={.metadata.annotations.rollout\\.argoproj\\.io/revision}' ${K}`;
    assert.deepEqual((await t.run(act())).plan, [`kubectl argo rollouts set image support-bot agent=ghcr.io/acme/bot:v13 ${K}`, rev]);
    assert.deepEqual((await t.run(act({ action: 'promote' }))).plan, [`kubectl argo rollouts promote support-bot ${K}`, rev]);
    assert.deepEqual((await t.run(act({ action: 'abort' }))).plan, [`kubectl argo rollouts abort support-bot ${K}`, rev]);
    assert.deepEqual((await t.run(act({ action: 'rollback', rollbackToRevision: '4' }))).plan, [`kubectl argo rollouts abort support-bot ${K}`, `kubectl argo rollouts undo support-bot --to-revision=4 ${K}`, rev]);
    assert.deepEqual((await t.run(act({ action: 'rollback' }))).plan, [`kubectl argo rollouts abort support-bot ${K}`, `kubectl argo rollouts set image support-bot agent=ghcr.io/acme/bot:v12 ${K}`, rev]);
    assert.equal((await t.run(act({ action: 'set-weight', weight: 10 }))).ok, false);
  });
});

describe('core/deploy/targets: kubectl and helm run against fake tools on PATH', function () {
  this.timeout(20_000);
  let dir = '';
  let log = '';
  const fake = path.join(__dirname, 'fixtures', 'fake-tool.mjs');
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'agentops-kube-'));
    log = path.join(dir, 'calls.jsonl');
    for (const tool of ['kubectl', 'helm']) {
      const p = path.join(dir, tool);
      writeFileSync(p, `#!/bin/sh\nexec '${process.execPath}' '${fake}' ${tool} "$@"\n`);
      chmodSync(p, 0o755);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => writeFileSync(log, ''));
  const calls = (): string[][] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
  const env = (extra: Record<string, string> = {}): TargetContext => ({ ...ctx, environ: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_TOOL_LOG: log, ...extra } });

  it('kubectl deploy: the exact calls, and the revision read from jsonpath', async () => {
    const r = await createTarget(kubectl, env({ FAKE_REVISION: '12' })).run(act({ dryRun: false }));
    assert.equal(r.ok, true, r.error);
    assert.equal(r.engineRevision, '12');
    assert.equal(r.targetRef, 'deployment/support-bot');
    assert.deepEqual(calls(), [
      ['kubectl', 'set', 'image', 'deployment/support-bot', 'agent=ghcr.io/acme/bot:v13', '-n', 'agents', '--context', 'prod-eu'],
      ['kubectl', 'rollout', 'status', 'deployment/support-bot', '--timeout=5m', '-n', 'agents', '--context', 'prod-eu'],
      ['kubectl', 'get', 'deployment', 'support-bot', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}', '-n', 'agents', '--context', 'prod-eu'],
    ]);
  });

  it('a failing call stops the plan and fails with its output', async () => {
    const r = await createTarget(kubectl, env({ FAKE_TOOL_FAIL: 'status' })).run(act({ dryRun: false }));
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /kubectl: kubectl exited with code 1/);
    assert.match(r.output, /error: status failed/);
    assert.equal(calls().length, 2);
  });

  it('helm rollback to a revision, the revision read from helm status -o json', async () => {
    const r = await createTarget(helm, env({ FAKE_REVISION: '9' })).run(act({ dryRun: false, action: 'rollback', rollbackToRevision: '7' }));
    assert.equal(r.ok, true, r.error);
    assert.equal(r.engineRevision, '9');
    assert.deepEqual(calls(), [
      ['helm', 'rollback', 'bot', '7', '--wait', '--timeout=5m', '-n', 'agents', '--kube-context', 'prod-eu'],
      ['helm', 'status', 'bot', '-o', 'json', '-n', 'agents', '--kube-context', 'prod-eu'],
    ]);
  });

  it('argo-rollouts promote through the kubectl plugin', async () => {
    const r = await createTarget(argo, env({ FAKE_REVISION: '3' })).run(act({ dryRun: false, action: 'promote' }));
    assert.equal(r.ok, true, r.error);
    assert.equal(r.engineRevision, '3');
    assert.deepEqual(calls()[0], ['kubectl', 'argo', 'rollouts', 'promote', 'support-bot', '-n', 'agents', '--context', 'prod-eu']);
  });
});
