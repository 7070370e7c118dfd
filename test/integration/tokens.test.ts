import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { activatedApi, eventually } from './extensionHost';
import { reportInfo } from './report';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window has no workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** Position of the first character of `needle` in the document. */
function positionOf(doc: vscode.TextDocument, needle: string): vscode.Position {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' not in ${doc.uri.fsPath}`);
  return doc.positionAt(offset);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

async function hoverAt(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  return eventually('an Agent Ops hover', async () => {
    const text = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos)) ?? []);
    return text.includes('Agent Ops') ? text : undefined;
  }, 60_000);
}

function o200k(hover: string): number {
  const m = /([\d,]+) tokens \(o200k_base\)/.exec(hover);
  assert.ok(m?.[1], `no o200k count in hover:\n${hover}`);
  return Number(m[1].replace(/,/g, ''));
}

const config = () => vscode.workspace.getConfiguration('agentOps');

describe('Token and cost lens', () => {
  let doc: vscode.TextDocument;
  before(async () => {
    await activatedApi();
    doc = await vscode.workspace.openTextDocument(workspaceFile('agent/support_agent.py'));
    await vscode.window.showTextDocument(doc);
  });
  after(async () => {
    for (const key of ['lens.display', 'promptBudget', 'models']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('pricesUrl', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('hovers a Python prompt with its tokens, cost per model and dynamic parts', async () => {
    const started = performance.now();
    const hover = await hoverAt(doc, positionOf(doc, 'You are a support agent'));
    reportInfo(`first hover (loads tokenizer, detector, prices): ${(performance.now() - started).toFixed(0)} ms`);
    assert.match(hover, /prompt constant/);
    assert.ok(o200k(hover) > 20);
    assert.match(hover, /`gpt-4o`/);
    assert.match(hover, /≈`claude-sonnet-4-5`/);
    assert.match(hover, /\$\d/);
    const triage = await hoverAt(doc, positionOf(doc, 'Classify this ticket'));
    assert.match(triage, /1 dynamic parts?, counted as 0 tokens: `ticket`/);
    const warm = performance.now();
    await hoverAt(doc, positionOf(doc, 'Classify this ticket'));
    reportInfo(`warm hover through VS Code's hover command: ${(performance.now() - warm).toFixed(1)} ms`);
  });

  it('uses the call\'s own model and max_tokens for messages of one call', async () => {
    const hover = await hoverAt(doc, positionOf(doc, 'Draft a reply to'));
    assert.match(hover, /Whole call \(2 messages/);
    assert.match(hover, /400 output tokens \(max_tokens\)/);
    const firstRow = hover.split('\n').find((l) => l.startsWith('| `') || l.startsWith('| ≈`'));
    assert.match(firstRow ?? '', /^\| `gpt-4o`/);
  });

  it('shows a CodeLens per prompt, and inlay hints when chosen instead', async () => {
    const lenses = await eventually('CodeLenses', async () => {
      const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      const ours = found.filter((l) => l.command?.command === 'agentOps.pickModel');
      return ours.length > 0 ? ours : undefined;
    });
    assert.ok(lenses.length >= 4, `${lenses.length} lenses`);
    for (const l of lenses) assert.match(l.command?.title ?? '', /^[\d,]+ tok · \$[\d.e-]+ gpt-4o/);

    await config().update('lens.display', 'inlayHint', vscode.ConfigurationTarget.Workspace);
    const hints = await eventually('inlay hints', async () => {
      const found = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0))) ?? [];
      const ours = found.filter((h) => (typeof h.label === 'string' ? h.label : '').includes(' tok · '));
      return ours.length > 0 ? ours : undefined;
    });
    assert.equal(hints.length, lenses.length);
    const none = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
    assert.equal(none.filter((l) => l.command?.command === 'agentOps.pickModel').length, 0);
  });

  it('warns in Problems when a prompt is over agentOps.promptBudget', async () => {
    await config().update('promptBudget', 10, vscode.ConfigurationTarget.Workspace);
    const diagnostics = await eventually('budget warnings', () => {
      const found = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Agent Ops' && d.code === 'prompt-budget');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(diagnostics[0]?.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostics[0]?.message ?? '', /over agentOps\.promptBudget \(10\)/);
    await config().update('promptBudget', undefined, vscode.ConfigurationTarget.Workspace);
    await eventually('warnings cleared', () => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'prompt-budget') ? undefined : true));
  });

  it('reports a call over its model\'s context window as an error (window from agentOps.priceOverrides)', async () => {
    await config().update('priceOverrides', { 'gpt-4o': { contextWindow: 300 } }, vscode.ConfigurationTarget.Workspace);
    try {
      const errors = await eventually('context-window errors', () => {
        const found = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'context-window');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(errors[0]?.severity, vscode.DiagnosticSeverity.Error);
      // The reply call allows 400 output tokens: over a 300-token window; the triage call (gpt-4o-mini) is not gpt-4o.
      assert.match(errors[0]?.message ?? '', /\+ 400 output tokens, over the 300-token context window of gpt-4o/);
      assert.ok(errors.every((d) => d.range.start.line >= positionOf(doc, 'def draft_reply').line));
    } finally {
      await config().update('priceOverrides', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await eventually('errors cleared', () => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'context-window') ? undefined : true));
  });

  it('"Compress prompt" applies, and its saving matches a recount', async () => {
    const uri = workspaceFile('agent/compress_me.py');
    const source = ['def guide():', '    GUIDE_PROMPT = """', '        You are a careful assistant.   ', '        Answer in English, briefly.', '', '', '', '        Keep answers short: {limit} words.', '    """', '    return GUIDE_PROMPT', ''].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(source));
    const file = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(file);
    const at = positionOf(file, 'You are a careful');
    const before = o200k(await hoverAt(file, at));
    const actions = await eventually('the compress action', async () => {
      const found = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(at, at), 'refactor.rewrite.agentOps.compressPrompt')) ?? [];
      return found.length > 0 ? found : undefined;
    });
    const action = actions[0];
    assert.ok(action?.edit);
    const claimed = Number(/−([\d,]+) tokens/.exec(action.title)?.[1]?.replace(/,/g, ''));
    assert.ok(claimed > 0, action.title);
    assert.ok(await vscode.workspace.applyEdit(action.edit));
    assert.match(file.getText(), /GUIDE_PROMPT = """\nYou are a careful assistant\.\nAnswer in English, briefly\.\n\nKeep answers short: \{limit\} words\.\n"""/);
    const after = o200k(await hoverAt(file, positionOf(file, 'You are a careful')));
    assert.equal(before - after, claimed);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('"Refresh Model Prices" replaces the table from agentOps.pricesUrl, and keeps it when the download is bad', async () => {
    let body = JSON.stringify([
      {
        id: 'openai',
        name: 'OpenAI',
        api_pattern: 'api[.]openai[.]com',
        models: [{ id: 'gpt-4o', match: { starts_with: 'gpt-4o' }, context_window: 128000, prices: { input_mtok: 1000, output_mtok: 2000, cache_read_mtok: 500 } }],
      },
    ]);
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await config().update('pricesUrl', `http://127.0.0.1:${port}/data.json`, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('agentOps.refreshPrices');
      const text = await eventually('the refreshed price in the hover', async () => {
        const hover = await hoverAt(doc, positionOf(doc, 'You are a support agent'));
        return /\| `gpt-4o` \| [\d,]+ \| \$0\.\d+ \|/.test(hover) && hover.includes('`gpt-4o`') ? hover : undefined;
      });
      const row = text.split('\n').find((l) => l.startsWith('| `gpt-4o`')) ?? '';
      const tokens = Number(/\| `gpt-4o` \| ([\d,]+) \|/.exec(row)?.[1]?.replace(/,/g, ''));
      assert.match(row, new RegExp(`\\| \\$${((tokens * 1000) / 1e6).toFixed(3).replace('.', '\\.')} \\|`), row);
      body = '{ not json';
      await vscode.commands.executeCommand('agentOps.refreshPrices');
      const after = await hoverAt(doc, positionOf(doc, 'You are a support agent'));
      assert.ok(after.includes(row), 'a bad download leaves the refreshed table in place');
    } finally {
      server.close();
      await config().update('pricesUrl', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('agentOps.resetPrices');
    }
    const bundled = await hoverAt(doc, positionOf(doc, 'You are a support agent'));
    assert.match(bundled, /≈`claude-sonnet-4-5` \| [^|]+ \| \$/, 'the bundled table is back: claude has a price again');
  });
});
