import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteJson } from '../../../src/cli/commands/route';
import { assign, bucketOf } from '../../../src/core/deploy/assignment';
import { cliIn } from './cliHarness';


const sampleDir = join(__dirname, '..', '..', '..', 'samples', 'workspace');

describe('agentops route', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-route-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: the variant of a key in the sample workspace, the weight from the canary’s first step', async () => {
    const r = await cliIn(sampleDir, ['route', 'production', 'user-42', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RouteJson;
    const bucket = bucketOf('support-bot/production', 'user-42');
    assert.deepEqual(doc, {
      environment: 'production',
      agent: 'support-bot',
      key: 'user-42',
      rolloutId: 'support-bot/production',
      bucket,
      weight: 10,
      weightFrom: 'strategy',
      strategy: 'canary',
      candidateBuckets: 1000,
      variant: bucket < 1000 ? 'candidate' : 'stable',
    });
  });

  it('--weight and --rollout override; the answer is assign()’s', async () => {
    for (const weight of ['0', '33.5', '100']) {
      const r = await cliIn(sampleDir, ['route', 'production', 'alice', '--weight', weight, '--rollout', 'deploy-01', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as RouteJson;
      const a = assign('deploy-01', 'alice', Number(weight));
      assert.equal(doc.weightFrom, 'option');
      assert.equal(doc.rolloutId, 'deploy-01');
      assert.equal(doc.bucket, a.bucket);
      assert.equal(doc.variant, a.variant);
    }
  });

  it('direct and blue-green: all traffic to the new version; the text output says where the weight came from', async () => {
    const r = await cliIn(sampleDir, ['route', 'staging', 'user-42']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^user-42 → candidate \(the new version\) in staging\n/);
    assert.match(r.stdout, /bucket \d+ of 10000 \(murmur3 of "support-bot\/staging:user-42"\)/);
    assert.match(r.stdout, /candidate weight 100% \(direct: all traffic once switched\): buckets 0-9999/);
  });

  it('an ab split is the weight; --config names another file', async () => {
    const file = join(dir, 'ab.yaml');
    writeFileSync(file, 'agent: bot\nenvironments:\n  exp:\n    target: { type: command, run: [./d.sh] }\n    strategy: { type: ab, split: 30 }\n');
    const r = await cliIn(sampleDir, ['route', 'exp', 'k', '--config', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RouteJson;
    assert.equal(doc.weight, 30);
    assert.equal(doc.candidateBuckets, 3000);
    assert.equal(doc.strategy, 'ab');
  });

  it('exit 2: an unknown environment, with the nearest name and the line of environments:', async () => {
    const r = await cliIn(sampleDir, ['route', 'prod', 'user-42']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "agentops: agentops.yaml:3:1 (environments): unknown environment 'prod' (did you mean 'production'?); the environments are staging, production\n");
    const j = await cliIn(sampleDir, ['route', 'stagign', 'u', '--json']);
    assert.equal(j.code, 2);
    const err = JSON.parse(j.stdout) as { error: { kind: string; message: string; file: string; line: number } };
    assert.equal(err.error.kind, 'input');
    assert.equal(err.error.file, 'agentops.yaml');
    assert.equal(err.error.line, 3);
    assert.match(err.error.message, /did you mean 'staging'/);
  });

  it('exit 2: a bad config, at file:line:column with the field; every problem on stderr', async () => {
    writeFileSync(join(dir, 'agentops.yaml'), 'agent: bot\nenvironments:\n  production:\n    target: { type: command, run: "./deploy.sh" }\n    strategy: { type: canary, steps: [10, 150, 100] }\n');
    const r = await cliIn(dir, ['route', 'production', 'u']);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      'agentops: agentops.yaml:5:43 (environments.production.strategy.steps[1]): steps[1] must be between 1 and 100, found 150',
      'agentops: agentops.yaml:4:35 (environments.production.target.run): run must be a list of arguments such as ["./deploy.sh", "${version}"], never a shell string',
    ]);
  });

  it('exit 2: no config file, a file without deploy sections, bad arguments', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'agentops-route-none-'));
    try {
      const none = await cliIn(empty, ['route', 'production', 'u']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /^agentops: agentops\.yaml: /);
      writeFileSync(join(empty, 'agentops.yaml'), 'trajectory:\n  rules: {}\n');
      const noDeploy = await cliIn(empty, ['route', 'production', 'u']);
      assert.equal(noDeploy.code, 2);
      assert.equal(noDeploy.stderr, 'agentops: agentops.yaml:1:1: no deploy configuration: add agent: and environments: (docs/deploy-config.md)\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    for (const argv of [['route', 'production'], ['route', 'production', 'u', '--weight', '101'], ['route', 'production', 'u', '--weight', 'ten'], ['route', 'production', 'u', '--weight', '1.234'], ['route', 'production', 'u', '--rollout', '']]) {
      const r = await cliIn(sampleDir, argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /Run 'agentops help route' for usage\./, argv.join(' '));
    }
  });

  it('--help says where the weight comes from', async () => {
    const r = await cliIn(sampleDir, ['route', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /agentops route <env> <key>/);
    assert.match(r.stdout, /no deploy ledger yet: the weight is --weight, else the canary's first step, the ab split, or 100/);
    assert.match(r.stdout, /--weight N/);
  });
});
