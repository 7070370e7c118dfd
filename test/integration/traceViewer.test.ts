import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, eventually } from './extensionHost';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window has no workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

function customTabs(viewType: RegExp): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && viewType.test(t.input.viewType));
}

describe('Trace viewer', () => {
  before(async () => {
    await activatedApi();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('is the default editor of *.otlp.jsonl files', async () => {
    await vscode.commands.executeCommand('vscode.open', workspaceFile('traces/support-run.otlp.jsonl'));
    const tabs = await eventually('the trace viewer tab', () => {
      const found = customTabs(/agentOps\.traceViewer$/);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(tabs[0]?.label, 'support-run.otlp.jsonl');
  });

  it('"Open Trace File…" opens any JSON with resourceSpans in the viewer', async () => {
    const plain = workspaceFile('corpus/plain-name.json');
    await vscode.workspace.fs.copy(workspaceFile('corpus/genai-agent.otlp.json'), plain, { overwrite: true });
    await vscode.commands.executeCommand('agentOps.openTraceFile', plain);
    const tabs = await eventually('the trace viewer on a .json', () => {
      const found = customTabs(/agentOps\.traceViewer\.json$/);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(tabs[0]?.label, 'plain-name.json');
  });

  it('agentOps.traceViewer.reveal (the Trajectories view\'s link) opens the file in the viewer and finds the span', async () => {
    const file = workspaceFile('traces/support-run.otlp.jsonl');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const [, traceId, spanId] = /"traceId":"([0-9a-f]{32})","spanId":"([0-9a-f]{16})"/.exec(text) ?? [];
    assert.ok(traceId && spanId, 'the sample trace has ids');
    await vscode.commands.executeCommand('agentOps.traceViewer.reveal', file, traceId, spanId);
    const tabs = customTabs(/agentOps\.traceViewer$/);
    assert.equal(tabs[0]?.label, 'support-run.otlp.jsonl', 'the command resolves once the viewer is open and the span found');
  });

  it('loads the trace reader lazily, in a worker, only when a trace is opened', async () => {
    const api = await activatedApi();
    assert.ok(api.loadedLazyModules().includes('otlp'));
  });
});
