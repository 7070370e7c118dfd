import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, eventually } from './extensionHost';

describe('About panel', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens one webview panel, and reveals it when run again', async () => {
    await activatedApi();
    await vscode.commands.executeCommand('agentOps.about');
    await vscode.commands.executeCommand('agentOps.about');
    const tabs = await eventually('the About tab', () => {
      const found = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === 'About Agent Ops');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(tabs.length, 1);
    assert.match((tabs[0]?.input as vscode.TabInputWebview).viewType, /agentOps\.about$/);
  });
});
