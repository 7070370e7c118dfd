import * as assert from 'node:assert/strict';
import { deployActionAllowed, trustedOnlyActions } from '../../../src/extension/deploy/trust';

// The integration host runs trusted (--disable-workspace-trust), so the decision behind the
// untrusted-workspace refusal of the deploy commands is tested here.
describe('deploy commands in untrusted workspaces', () => {
  it('refuses deploy, rollback, promote, abort and resume when the workspace is not trusted', () => {
    for (const action of ['deploy', 'rollback', 'promote', 'abort', 'resume'] as const) {
      assert.equal(deployActionAllowed(action, false), false, action);
      assert.equal(deployActionAllowed(action, true), true, action);
    }
    assert.deepEqual([...trustedOnlyActions].sort(), ['abort', 'deploy', 'promote', 'resume', 'rollback']);
  });

  it('always allows reading the deploy history (it runs nothing)', () => {
    assert.equal(deployActionAllowed('history', false), true);
    assert.equal(deployActionAllowed('history', true), true);
  });

  it('package.json disables the deploy commands in untrusted workspaces and says why', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      capabilities: { untrustedWorkspaces: { supported: unknown; description?: string } };
      contributes: { commands: { command: string; enablement?: string }[] };
    };
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(pkg.capabilities.untrustedWorkspaces.description ?? '', /Deploy/);
    for (const id of ['agentOps.deploy.run', 'agentOps.deploy.rollback', 'agentOps.deploy.promote', 'agentOps.deploy.abort', 'agentOps.deploy.resume']) {
      assert.equal(pkg.contributes.commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
    }
  });
});
