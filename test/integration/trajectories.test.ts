import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AgentOpsApi, TrajectoryViewRow } from '../../src/extension/api';
import { activatedApi, eventually } from './extensionHost';
import { reportInfo } from './report';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window has no workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

const sample = 'trajectories/looping-run.jsonl';
const loopFamily = ['loop', 'repeated-call', 'error-retry', 'no-progress'];

/** Agent Ops' Problems on a file, with a given code (rule id) when asked. */
function problems(uri: vscode.Uri, code?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Agent Ops' && (code === undefined || d.code === code));
}

/** The run rows of the view once `label` is among them, expanded to their findings (and the findings' steps). */
async function runsShowing(api: AgentOpsApi, label: string | RegExp, what: string, timeoutMs = 30_000): Promise<TrajectoryViewRow[]> {
  return eventually(
    what,
    async () => {
      const rows = await api.trajectories.rows(3);
      return rows.some((r) => r.contextValue === 'run' && (typeof label === 'string' ? r.label === label : label.test(r.label))) ? rows : undefined;
    },
    timeoutMs,
  );
}

function findingsOf(run: TrajectoryViewRow | undefined): TrajectoryViewRow[] {
  return (run?.children ?? []).filter((c) => c.contextValue.startsWith('finding.'));
}

/** agentops.yaml with its top-level `trajectory:` section (if any) replaced by `section`. */
function withTrajectorySection(yaml: string, section: string): string {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => /^trajectory\s*:/.test(l));
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && /^(\s|#|$)/.test(lines[end] ?? '')) end++;
    lines.splice(start, end - start);
  }
  return `${lines.join('\n').replace(/\n*$/, '\n')}${section}`;
}

/** Replaces the whole text of a workspace file through an editor document and saves it, as a user would. */
async function rewrite(uri: vscode.Uri, text: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.getText() === text && !doc.isDirty) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save(), `could not save ${uri.fsPath}`);
}

describe('Trajectories view', () => {
  let api: AgentOpsApi;
  const configUri = () => workspaceFile('agentops.yaml');
  let originalConfig: string | undefined;

  before(async () => {
    api = await activatedApi();
    originalConfig = new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri()));
    await vscode.commands.executeCommand('agentOps.trajectories.showActiveFile');
  });
  after(async () => {
    if (originalConfig !== undefined) await rewrite(configUri(), originalConfig);
    await vscode.commands.executeCommand('agentOps.trajectories.showActiveFile');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists the runs of the open trajectory file: the planted loop with its findings, the clean run without', async () => {
    const started = performance.now();
    await vscode.window.showTextDocument(workspaceFile(sample));
    const rows = await runsShowing(api, 'invoice-loop', 'the runs of looping-run.jsonl');
    reportInfo(`first trajectory file in the view (loads the trajectory core): ${(performance.now() - started).toFixed(0)} ms`);
    const loop = rows.find((r) => r.label === 'invoice-loop');
    const clean = rows.find((r) => r.label === 'refund-42');
    assert.ok(clean, `rows: ${rows.map((r) => r.label).join(', ')}`);
    assert.match(loop?.description ?? '', /12 steps/);
    assert.match(loop?.description ?? '', /1 error/);
    const loopFinding = findingsOf(loop).find((f) => f.contextValue === 'finding.error' && loopFamily.some((rule) => f.description.startsWith(rule)));
    assert.ok(loopFinding, `findings: ${JSON.stringify(findingsOf(loop))}`);
    assert.match(loopFinding.description, /wasted/);
    assert.ok((loopFinding.children ?? []).length >= 3, 'the finding expands to its steps');
    assert.ok(loopFinding.children?.every((s) => s.contextValue === 'step' && /^#\d+ /.test(s.label)));
    assert.deepEqual(findingsOf(clean), []);
    assert.match(clean.description, /no findings/);
  });

  it('puts the findings in Problems, at the line of their first step', async () => {
    const uri = workspaceFile(sample);
    const loops = await eventually('a loop-family error in Problems', () => {
      const found = problems(uri).filter((d) => loopFamily.includes(String(d.code)) && d.severity === vscode.DiagnosticSeverity.Error);
      return found.length > 0 ? found : undefined;
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc.lineAt(loops[0]?.range.start.line ?? 0).text;
    assert.match(line, /"run":"invoice-loop"/, 'the problem sits on a record of the looping run');
    assert.match(loops[0]?.message ?? '', /invoice-loop/);
    assert.ok(!problems(uri).some((d) => d.message.includes('refund-42')), 'the clean run has no problem');
  });

  it('selecting a finding opens the file with its first step selected', async () => {
    const uri = workspaceFile(sample);
    const rows = await runsShowing(api, 'invoice-loop', 'the runs of looping-run.jsonl');
    const finding = findingsOf(rows.find((r) => r.label === 'invoice-loop')).find((f) => f.contextValue === 'finding.error');
    assert.ok(finding?.command, 'a finding row has a command');
    const expected = problems(uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error)?.range.start.line;
    assert.notEqual(expected, undefined);
    await vscode.commands.executeCommand(finding.command.command, ...finding.command.arguments);
    const editor = await eventually('the step selected in the editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString() && e.selection.start.line === expected && !e.selection.isEmpty),
    );
    assert.equal(editor.selection.end.line, expected);
  });

  it('validates again when the trajectory section of agentops.yaml changes', async () => {
    const uri = workspaceFile(sample);
    await vscode.window.showTextDocument(uri);
    await runsShowing(api, 'invoice-loop', 'the runs of looping-run.jsonl');
    assert.deepEqual(problems(uri, 'max-steps'), [], 'no max-steps finding with the default maximum of 50');

    await rewrite(configUri(), withTrajectorySection(originalConfig ?? '', 'trajectory:\n  rules:\n    max-steps: { max: 5 }\n'));
    const over = await eventually(
      'a max-steps finding after lowering max-steps to 5',
      () => {
        const found = problems(uri, 'max-steps');
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    assert.match(over[0]?.message ?? '', /invoice-loop/, 'the 11-step run is over the maximum, the 3-step one is not');
    const rows = await runsShowing(api, 'invoice-loop', 'the re-validated runs');
    assert.ok(findingsOf(rows.find((r) => r.label === 'invoice-loop')).some((f) => f.description.startsWith('max-steps')), 'the view shows it too');
    assert.deepEqual(findingsOf(rows.find((r) => r.label === 'refund-42')), []);

    await rewrite(configUri(), originalConfig ?? '');
    await eventually('the max-steps finding gone again', () => (problems(uri, 'max-steps').length === 0 ? true : undefined), 30_000);
  });

  it('lists the runs of a trace file open in the trace viewer, by trace id', async () => {
    await vscode.commands.executeCommand('vscode.open', workspaceFile('traces/support-run.otlp.jsonl'));
    const rows = await runsShowing(api, /^[0-9a-f]{32}$/, 'the run of support-run.otlp.jsonl');
    const run = rows.find((r) => r.contextValue === 'run');
    assert.match(run?.description ?? '', /final-answer/);
    assert.ok(run?.command, 'a run row reveals the run');
    // In the trace viewer (agentOps.traceViewer.reveal), or at least the file in it: never an error.
    await vscode.commands.executeCommand(run.command.command, ...run.command.arguments);
  });

  it('validates a big results file (4 MB, 200 runs) in a worker thread: records 58 and 109 are loops', async () => {
    const started = performance.now();
    await vscode.window.showTextDocument(workspaceFile('trajectories/tau-bench-airline.json'));
    const rows = await eventually(
      'the 200 runs of the tau-bench results',
      async () => {
        const all = await api.trajectories.rows(2);
        return all.filter((r) => r.contextValue === 'run').length === 200 ? all : undefined;
      },
      60_000,
    );
    reportInfo(`tau-bench airline results (4 MB, 200 runs) validated in ${(performance.now() - started).toFixed(0)} ms`);
    const loops = rows.flatMap((r) => findingsOf(r)).filter((f) => f.contextValue === 'finding.error' && f.description.startsWith('loop'));
    assert.equal(loops.length, 2, JSON.stringify(loops.map((f) => f.label)));
    assert.ok(loops.some((f) => f.label.startsWith('the cycle think → book_reservation ran 4 times')));
  });

  it('"Validate Workspace Trajectories" lists every trajectory and trace file of the workspace', async () => {
    const started = performance.now();
    await vscode.commands.executeCommand('agentOps.trajectories.validateWorkspace');
    reportInfo(`workspace trajectories validated in ${(performance.now() - started).toFixed(0)} ms`);
    const files = await eventually('the files of the workspace', async () => {
      const rows = await api.trajectories.rows(2);
      return rows.some((r) => r.label === 'looping-run.jsonl') ? rows : undefined;
    });
    assert.ok(files.every((f) => f.contextValue === 'file'));
    const labels = files.map((f) => f.label);
    assert.ok(labels.includes('support-run.otlp.jsonl'), labels.join(', '));
    const looping = files.find((f) => f.label === 'looping-run.jsonl');
    assert.deepEqual(
      looping?.children?.map((r) => r.label),
      ['invoice-loop', 'refund-42'],
    );
    await vscode.commands.executeCommand('agentOps.trajectories.showActiveFile');
  });

  it('loaded the trajectory core lazily, when the first file was validated', () => {
    assert.ok(api.loadedLazyModules().includes('trajectory'));
  });
});
