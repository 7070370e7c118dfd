import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, agentOpsExtension, eventually } from './extensionHost';
import { reportInfo } from './report';

interface ContributedCommand {
  command: string;
  category?: string;
}

describe('Activation', () => {
  it('activates in this host and reports where it runs', async () => {
    const ext = agentOpsExtension();
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    reportInfo(
      `host: VS Code ${vscode.version} (${vscode.env.appName}, appHost ${vscode.env.appHost}, uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}), ` +
        `extension host Node ${process.version} on ${process.platform}-${process.arch}`,
    );
    reportInfo(`activation: ${api.activation.totalMs.toFixed(1)} ms (loading the bundle ${api.activation.loadMs.toFixed(1)} ms, activate() ${api.activation.activateMs.toFixed(1)} ms)`);
    assert.ok(api.activation.totalMs >= api.activation.activateMs);
  });

  it('declares no "*" activation event', () => {
    const events = (agentOpsExtension().packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(!events.includes('*'), `activationEvents: ${events.join(', ')}`);
  });

  it('registers every contributed command', async () => {
    const contributed = ((agentOpsExtension().packageJSON as { contributes: { commands: ContributedCommand[] } }).contributes.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('loads no heavy module (tokenizer, SQLite, parser) during activation', async () => {
    const api = await activatedApi();
    assert.deepEqual(api.loadedLazyModules(), []);
  });

  it('creates the "Agent Ops" log output channel and writes to it', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('agentOps.showLog');
    const folder = vscode.Uri.parse(api.logFolder);
    const text = await eventually('the Agent Ops log file', async () => {
      const entries = await vscode.workspace.fs.readDirectory(folder).then(
        (e) => e,
        () => [] as [string, vscode.FileType][],
      );
      const log = entries.find(([name]) => name === 'Agent Ops.log');
      if (!log) return undefined;
      const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, log[0])));
      return content.includes('activated') ? content : undefined;
    });
    assert.match(text, /Agent Ops \S+ activated in [\d.]+ ms/);
  });
});
