import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTarget, quoteArgv } from '../../../../src/core/deploy/targets/index';
import type { TargetAction, TargetContext } from '../../../../src/core/deploy/targets/types';

const script = path.join(__dirname, 'fixtures', 'target-script.mjs');

function ctx(over: Partial<TargetContext> = {}): TargetContext & { lines: string[] } {
  const lines: string[] = [];
  return { cwd: path.join(__dirname, 'fixtures'), environ: { PATH: process.env.PATH, TOKEN_X: 'tok' }, secret: async () => undefined, log: (l) => lines.push(l), lines, ...over };
}
function act(over: Partial<TargetAction> = {}): TargetAction {
  return { action: 'deploy', environment: 'staging', version: 'v13', previousVersion: 'v12', weight: 25, deployId: 'd1', idempotencyKey: 'd1:deploy:25', dryRun: false, ...over };
}
function printed(output: string): { argv: string[]; cwd: string; env: Record<string, string> } {
  return JSON.parse(output.split('\n')[0] ?? '') as { argv: string[]; cwd: string; env: Record<string, string> };
}

describe('core/deploy/targets: command', () => {
  it('runs the argv with templates substituted and the AGENTOPS_* variables set', async () => {
    const t = createTarget({ type: 'command', run: [process.execPath, script, 'ok', '${version}@${weight}%/${env}', '${env:TOKEN_X}', 'a b; $(echo no)'] }, ctx());
    const r = await t.run(act());
    assert.equal(r.ok, true, r.error);
    const p = printed(r.output);
    assert.deepEqual(p.argv, ['ok', 'v13@25%/staging', 'tok', 'a b; $(echo no)']);
    assert.deepEqual(p.env, {
      AGENTOPS_ENV: 'staging',
      AGENTOPS_VERSION: 'v13',
      AGENTOPS_CANDIDATE_VERSION: 'v13',
      AGENTOPS_PREVIOUS_VERSION: 'v12',
      AGENTOPS_WEIGHT: '25',
      AGENTOPS_DEPLOY_ID: 'd1',
      AGENTOPS_ACTION: 'deploy',
      AGENTOPS_IDEMPOTENCY_KEY: 'd1:deploy:25',
    });
    assert.equal(r.targetRef, process.execPath);
  });

  it('a rollback serves the previous version: ${version} and AGENTOPS_VERSION are it; without one it fails', async () => {
    const t = createTarget({ type: 'command', run: [process.execPath, script, 'ok', '${version}'] }, ctx());
    const r = await t.run(act({ action: 'rollback', weight: 0 }));
    assert.equal(r.ok, true, r.error);
    const p = printed(r.output);
    assert.deepEqual(p.argv, ['ok', 'v12']);
    assert.equal(p.env.AGENTOPS_VERSION, 'v12');
    assert.equal(p.env.AGENTOPS_CANDIDATE_VERSION, 'v13');
    assert.equal(p.env.AGENTOPS_ACTION, 'rollback');
    const none = await t.run(act({ action: 'rollback', previousVersion: undefined }));
    assert.equal(none.ok, false);
    assert.match(none.error ?? '', /previous version/);
  });

  it('resolves cwd from the workspace', async () => {
    const r = await createTarget({ type: 'command', run: [process.execPath, script, 'ok'], cwd: '..' }, ctx()).run(act());
    assert.equal(r.ok, true, r.error);
    assert.equal(printed(r.output).cwd, __dirname);
  });

  it('a non-zero exit fails with stdout and stderr kept', async () => {
    const r = await createTarget({ type: 'command', run: [process.execPath, script, 'fail'] }, ctx()).run(act());
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /exited with code 3/);
    assert.match(r.output, /boom on stderr/);
    assert.match(r.output, /"argv":\["fail"\]/);
  });

  it('keeps only the last 64 KB of output', async () => {
    const r = await createTarget({ type: 'command', run: [process.execPath, script, 'big'] }, ctx()).run(act());
    assert.equal(r.ok, true, r.error);
    assert.ok(Buffer.byteLength(r.output) <= 64 * 1024, String(Buffer.byteLength(r.output)));
    assert.match(r.output, /END\n$/);
  });

  it('a timeout kills the process group and fails', async function () {
    this.timeout(10_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'agentops-cmd-'));
    try {
      const pidFile = path.join(dir, 'pid');
      const started = Date.now();
      const r = await createTarget({ type: 'command', run: [process.execPath, script, 'hang', pidFile], timeout: 300 }, ctx()).run(act());
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /timed out after 300 ms/);
      assert.ok(Date.now() - started < 5000);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.throws(() => process.kill(pid, 0), 'the process is gone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an abort signal stops it', async function () {
    this.timeout(10_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await createTarget({ type: 'command', run: [process.execPath, script, 'hang'] }, ctx()).run(act({ signal: ac.signal }));
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /cancelled/);
  });

  it('a program that does not exist fails clearly', async () => {
    const r = await createTarget({ type: 'command', run: ['./definitely-not-here-agentops'] }, ctx()).run(act());
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /could not start/);
  });

  it('dry run returns the quoted argv and runs nothing', async () => {
    const t = createTarget({ type: 'command', run: ['./deploy.sh', '${version}', 'two words', "it's"] }, ctx());
    const r = await t.run(act({ dryRun: true }));
    assert.equal(r.ok, true);
    assert.deepEqual(r.plan, [`./deploy.sh v13 'two words' 'it'\\''s'`]);
    assert.equal(quoteArgv(['a', '']), `a ''`);
  });

  it('a template problem fails naming the field', async () => {
    const r = await createTarget({ type: 'command', run: ['x', '${env:NOPE_AGENTOPS}'] }, ctx()).run(act());
    assert.deepEqual([r.ok, r.error], [false, 'target.run[1]: the environment variable NOPE_AGENTOPS is not set']);
  });
});
