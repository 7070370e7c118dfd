import { execFile, spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { AgentOpsApi, DeployViewRow } from '../../src/extension/api';
import type { DeployCommandResult } from '../../src/extension/deploy/service';
import { activatedApi, eventually } from './extensionHost';
import { reportInfo } from './report';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window has no workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** The deploy rows under the `staging` environment row, once `check` accepts them. */
async function stagingDeploys(api: AgentOpsApi, what: string, check: (deploys: DeployViewRow[]) => boolean): Promise<DeployViewRow[]> {
  return eventually(
    what,
    async () => {
      const staging = (await api.deploys.rows(3)).find((r) => r.contextValue === 'environment' && r.label === 'staging');
      const deploys = (staging?.children ?? []).filter((r) => r.contextValue.startsWith('deploy.'));
      return check(deploys) ? deploys : undefined;
    },
    15_000,
  );
}

// The sample workspace's agentops.yaml has `staging`: a command target ./deploy.sh, strategy direct.
// The commands take (env, version, { yes: true }) when run programmatically, skipping every quick pick
// and confirmation (see DeployCommandOptions in src/extension/deploy/register.ts).
describe('Deploys', () => {
  let api: AgentOpsApi;
  // Unique per run: the ledger under samples/workspace/.agentops/ keeps earlier runs' deploys.
  const run = Date.now().toString(36);
  const first = `it-${run}-a`;
  const second = `it-${run}-b`;

  before(async () => {
    api = await activatedApi();
  });

  it('deploys two versions to staging through the command, each succeeding', async () => {
    const started = performance.now();
    const a = await vscode.commands.executeCommand<DeployCommandResult | undefined>('agentOps.deploy.run', 'staging', first, { yes: true });
    reportInfo(`first deploy from the editor (loads the deploy core and node:sqlite): ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(a, 'the deploy command returned an outcome');
    assert.equal(a.outcome, 'succeeded', a.reason);
    assert.equal(a.ok, true);
    assert.equal(a.status, 'succeeded');
    assert.equal(a.version, first);
    const b = await vscode.commands.executeCommand<DeployCommandResult | undefined>('agentOps.deploy.run', 'staging', second, { yes: true });
    assert.equal(b?.outcome, 'succeeded', b?.reason);
    assert.equal(b?.version, second);
  });

  it('rolls staging back to the last good version through the command', async () => {
    const r = await vscode.commands.executeCommand<DeployCommandResult | undefined>('agentOps.deploy.rollback', 'staging', undefined, { yes: true });
    assert.ok(r, 'the rollback command returned an outcome');
    assert.equal(r.outcome, 'succeeded', r.reason);
    assert.equal(r.version, first);
  });

  it('shows the deploys and the rollback in the Deploy History view, newest first, with their events', async () => {
    const deploys = await stagingDeploys(api, 'the rollback and both deploys in the history view', (ds) => ds.length >= 3 && (ds[0]?.description.startsWith(`${first} `) ?? false));
    const [rolledBack, deployedB, deployedA] = deploys;
    assert.match(rolledBack?.label ?? '', /^Rollback/);
    assert.equal(rolledBack?.contextValue, 'deploy.succeeded');
    assert.ok(deployedB?.description.startsWith(`${second} · direct · `), deployedB?.description);
    assert.match(deployedB?.label ?? '', /^Deploy/);
    assert.ok(deployedA?.description.startsWith(`${first} · direct · `), deployedA?.description);
    // Details: the target's action recorded as an event.
    assert.ok(
      deployedB?.children?.some((c) => c.contextValue === 'event' && c.label === 'action'),
      `events of the deploy: ${JSON.stringify(deployedB?.children)}`,
    );
  });

  it('writes the ledger under the workspace .agentops/ folder', async () => {
    const stat = await vscode.workspace.fs.stat(workspaceFile('.agentops/ledger.sqlite'));
    assert.equal(stat.type & vscode.FileType.File, vscode.FileType.File);
    assert.ok(stat.size > 0);
  });

  it('the CLI on plain Node (better-sqlite3) reads the ledger the editor wrote with node:sqlite', async function () {
    // The harness's own Node (the machine's, as CI runs the CLI); the host's PATH leads to the server's Node 24.
    const plainNode = process.env.AGENTOPS_TEST_PLAIN_NODE;
    if (!plainNode) return this.skip();
    const extension = vscode.extensions.getExtension('agent-ops.agent-ops');
    assert.ok(extension, 'the extension is installed');
    const cli = vscode.Uri.joinPath(vscode.Uri.file(extension.extensionPath), 'dist', 'cli.js').fsPath;
    const { stdout } = await promisify(execFile)(plainNode, [cli, 'status', '--json'], { cwd: workspaceFile('.').fsPath, timeout: 30_000 });
    const doc = JSON.parse(stdout) as { environments: { environment: string; current: string | null; state: string }[] };
    const staging = doc.environments.find((e) => e.environment === 'staging');
    assert.equal(staging?.current, first, `the CLI sees the editor's rollback to ${first}: ${stdout}`);
    assert.equal(staging?.state, 'idle');
  });

  it('shows the last deploy of staging in the status bar', async () => {
    const text = await eventually('the deploy status bar item', () => {
      const t = api.deploys.statusBarText();
      return t?.includes(`staging: ${first}`) ? t : undefined;
    });
    assert.match(text, /succeeded/);
  });

  it('logs every step and the target output to the Agent Ops output channel', async () => {
    const folder = vscode.Uri.parse(api.logFolder);
    const text = await eventually('the deploy steps in the Agent Ops log file', async () => {
      const content = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'Agent Ops.log')).then(
        (b) => new TextDecoder().decode(b),
        () => '',
      );
      return content.includes(`rollback`) && content.includes(second) ? content : undefined;
    });
    assert.ok(text.includes(`[action] deploy ${first} at 100%`), 'the engine step is logged');
    assert.ok(text.includes(`support-bot ${second}`), "the target's output (deploy.sh) is logged");
  });

  it('refuses an unknown environment without running anything', async () => {
    const r = await vscode.commands.executeCommand<DeployCommandResult | undefined>('agentOps.deploy.run', 'nowhere', 'v0', { yes: true });
    assert.equal(r, undefined);
  });

  it('loaded the deploy core lazily, with the first deploy command', () => {
    assert.ok(api.loadedLazyModules().includes('deploy'));
  });

  it('a deploy whose CLI process was killed shows as interrupted; Resume Interrupted Deploy finishes it', async function () {
    const plainNode = process.env.AGENTOPS_TEST_PLAIN_NODE;
    if (!plainNode) return this.skip();
    const extension = vscode.extensions.getExtension('agent-ops.agent-ops');
    assert.ok(extension, 'the extension is installed');
    const cli = vscode.Uri.joinPath(vscode.Uri.file(extension.extensionPath), 'dist', 'cli.js').fsPath;
    const cwd = workspaceFile('.').fsPath;
    const third = `it-${run}-c`;
    // deploy.sh sleeps SAMPLE_DEPLOY_SECONDS: the CLI is inside the target action when it is killed.
    const child = spawn(plainNode, [cli, 'deploy', 'staging', third, '--yes'], { cwd, env: { ...process.env, SAMPLE_DEPLOY_SECONDS: '60' }, detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await eventually(
      'the CLI deploy in flight',
      async () => {
        const { stdout } = await promisify(execFile)(plainNode, [cli, 'status', '--json'], { cwd, timeout: 30_000 });
        const staging = (JSON.parse(stdout) as { environments: { environment: string; state: string }[] }).environments.find((e) => e.environment === 'staging');
        return staging?.state === 'in-progress' ? true : undefined;
      },
      20_000,
    );
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    await api.deploys.refresh();
    const deploys = await stagingDeploys(api, 'the killed deploy marked interrupted', (ds) => ds[0]?.description.includes(third) === true && ds[0].label.includes('interrupted'));
    assert.equal(deploys[0]?.label, 'Deploy: interrupted');
    const r = await vscode.commands.executeCommand<DeployCommandResult | undefined>('agentOps.deploy.resume', 'staging', { yes: true });
    assert.ok(r, 'the resume command returned an outcome');
    assert.deepEqual([r.outcome, r.version, r.status], ['succeeded', third, 'succeeded']);
    await stagingDeploys(api, 'the resumed deploy on top', (ds) => ds[0]?.description.includes(third) === true && ds[0].label === 'Deploy: succeeded');
  });
});
