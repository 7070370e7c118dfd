import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateJson } from '../../../src/core/trajectory/findings';
import { corpusFile } from '../corpus';
import { cli, cliIn, repo } from './cliHarness';

const sample = 'samples/workspace/trajectories/looping-run.jsonl';
const loopFamily = ['loop', 'repeated-call', 'error-retry', 'no-progress'];

/** `agentops validate … --json`: exactly one JSON document on stdout. */
async function validateJson(argv: string[], cwd?: string): Promise<{ code: number; doc: ValidateJson; stderr: string }> {
  const r = cwd ? await cliIn(cwd, ['validate', ...argv, '--json']) : await cli(['validate', ...argv, '--json']);
  return { code: r.code, doc: JSON.parse(r.stdout) as ValidateJson, stderr: r.stderr };
}


describe('agentops validate', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 on the tau-bench airline results, with a loop error on record 109, in the documented JSON shape', async () => {
    const { code, doc } = await validateJson([corpusFile('trajectories', 'tau-bench', 'gpt-4o-airline.json')]);
    assert.equal(code, 1);
    assert.deepEqual(Object.keys(doc).sort(), ['diagnostics', 'summary', 'trajectories']);
    assert.equal(doc.trajectories.length, 200);
    assert.equal(doc.summary.trajectories, 200);
    assert.ok(doc.summary.errors >= 1);
    for (const t of doc.trajectories) {
      assert.deepEqual(Object.keys(t).sort(), ['findings', 'format', 'id', 'outcome', 'source', 'steps']);
      assert.equal(t.format, 'tau-bench');
      assert.equal(typeof t.source.index, 'number');
      assert.match(t.source.file, /gpt-4o-airline\.json$/);
      for (const f of t.findings) {
        assert.deepEqual(Object.keys(f).sort(), ['message', 'rule', 'severity', 'steps', 'wasted']);
        assert.deepEqual(Object.keys(f.wasted).sort(), ['costUsd', 'ms', 'tokens']);
      }
    }
    const run = doc.trajectories.find((t) => t.source.index === 109);
    assert.ok(run, 'record 109 is a run');
    const loop = run.findings.find((f) => f.rule === 'loop' && f.severity === 'error');
    assert.ok(loop, `record 109 is a loop: ${JSON.stringify(run.findings)}`);
    assert.ok(loop.steps.length >= 3, 'it names the repeated steps');
    assert.ok(loop.steps.every((s) => s >= 0 && s < run.steps));
  });

  it('finds no loop in the mini-swe-agent sqlfluff run (41 distinct bash calls)', async () => {
    const { doc } = await validateJson([corpusFile('trajectories', 'mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json')]);
    assert.equal(doc.trajectories.length, 1);
    const [run] = doc.trajectories;
    assert.equal(run?.format, 'mini-swe-agent');
    assert.deepEqual(
      run?.findings.filter((f) => loopFamily.includes(f.rule)),
      [],
    );
  });

  it('finds the planted loop of the sample workspace and nothing in its clean run; paths stay as given', async () => {
    const { code, doc } = await validateJson([sample]);
    const loop = doc.trajectories.find((t) => t.id === 'invoice-loop');
    const clean = doc.trajectories.find((t) => t.id === 'refund-42');
    assert.ok(loop && clean, JSON.stringify(doc.trajectories.map((t) => t.id)));
    assert.equal(loop.format, 'generic');
    assert.deepEqual(loop.source, { file: sample, index: 0 });
    assert.ok(loop.findings.some((f) => f.rule === 'loop' && f.severity === 'error'));
    const found = loop.findings.find((f) => f.rule === 'loop');
    assert.ok(found && found.wasted.tokens > 0 && found.wasted.costUsd > 0 && found.wasted.ms > 0, 'the loop wasted tokens, money and time');
    assert.deepEqual(clean.findings, []);
    assert.equal(clean.outcome, 'final-answer');
    assert.equal(code, 1);
    assert.deepEqual(doc.diagnostics, []);
  });

  it('prints a human summary: each run with its findings, severities, steps and waste', async () => {
    const r = await cli(['validate', sample]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^${sample.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, /^ {2}invoice-loop \[0\] {2}generic {2}12 steps {2}limit {2}1 error/m);
    assert.match(r.stdout, /^ {4}error +loop +steps #1–#11 {2}.+ {2}\(wasted [\d,]+ tok, \$[\d.]+, [\d.]+ s\)$/m);
    assert.match(r.stdout, /^ {2}refund-42 \[1\] {2}generic {2}4 steps {2}final-answer {2}ok$/m);
    assert.match(r.stdout, /^2 runs, 1 error, \d+ warnings?$/m);
  });

  it('reads runs from OTLP traces: the run id is the trace id', async () => {
    const { code, doc } = await validateJson(['samples/workspace/traces/support-run.otlp.jsonl']);
    assert.equal(code, 0);
    assert.equal(doc.trajectories.length, 1);
    assert.equal(doc.trajectories[0]?.format, 'otlp');
    assert.match(doc.trajectories[0]?.id ?? '', /^[0-9a-f]{32}$/);
  });

  it('takes rule settings from --config, and from ./agentops.yaml when there is one', async () => {
    const config = join(dir, 'strict.yaml');
    writeFileSync(config, 'agent: support-bot\ntrajectory:\n  rules:\n    max-steps: { max: 5 }\n    no-final-answer: off\n');
    const withConfig = await validateJson([sample, '--config', config]);
    const loop = withConfig.doc.trajectories.find((t) => t.id === 'invoice-loop');
    assert.ok(loop?.findings.some((f) => f.rule === 'max-steps'), JSON.stringify(loop?.findings));
    assert.ok(!loop?.findings.some((f) => f.rule === 'no-final-answer'));
    const without = await validateJson([sample]);
    assert.ok(!without.doc.trajectories.some((t) => t.findings.some((f) => f.rule === 'max-steps')));

    const cwd = join(dir, 'project');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'agentops.yaml'), 'trajectory:\n  rules:\n    loop: off\n    error-retry: off\n    no-progress: off\n    repeated-call: off\n    no-final-answer: off\n');
    const fromCwd = await validateJson([join(repo, sample)], cwd);
    assert.equal(fromCwd.code, 0, 'the loop rules are off in ./agentops.yaml');
    assert.equal(fromCwd.doc.summary.errors, 0);
  });

  it('exits 2 on a bad trajectory section, naming the file, line and column', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'trajectory:\n  rules:\n    max-steps: { max: lots }\n');
    const r = await cli(['validate', sample, '--config', config]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:3:\d+ \(trajectory\.rules\.max-steps\.max\): .*whole number/);
    assert.equal(r.stdout, '');
    const json = await cli(['validate', sample, '--config', config, '--json']);
    assert.equal(json.code, 2);
    const doc = JSON.parse(json.stdout) as { error: { kind: string; file: string; line: number; column: number; field: string } };
    assert.equal(doc.error.kind, 'input');
    assert.match(doc.error.file, /bad\.yaml$/);
    assert.equal(doc.error.line, 3);
    assert.equal(doc.error.field, 'trajectory.rules.max-steps.max');
    const missing = await cli(['validate', sample, '--config', 'no/such.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\.yaml: no such file/);
  });

  it('exits 2 when no file can be read, and when one of several cannot (the others are still reported)', async () => {
    const missing = await cli(['validate', 'no/such.jsonl']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\.jsonl: no such file/);
    const asJson = await cli(['validate', 'no/such.jsonl', '--json']);
    assert.equal((JSON.parse(asJson.stdout) as { error: { kind: string } }).error.kind, 'input');

    const notTrajectory = join(dir, 'settings.json');
    writeFileSync(notTrajectory, '{"editor.fontSize": 14}\n');
    const mixed = await validateJson([sample, notTrajectory]);
    assert.equal(mixed.code, 2);
    assert.equal(mixed.doc.summary.trajectories, 2);
    assert.ok(mixed.doc.diagnostics.some((d) => d.code === 'unreadable' && d.severity === 'error' && d.file === notTrajectory));
    assert.match(mixed.stderr, /settings\.json:1: not a trajectory format/);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"type": "user", "text": "hi"},\n {"type": }]\n');
    const syntax = await cli(['validate', broken]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /broken\.json:2:\d+: invalid JSON/);
  });

  it('does not fail on reading diagnostics alone', async () => {
    const file = join(dir, 'damaged.jsonl');
    writeFileSync(
      file,
      [
        '{"type":"user","text":"Refund order 42"}',
        '{"type":"tool","tool":"get_order","args":{"id":42},"result":"paid"',
        '{"type":"final","text":"Refunded."}',
        '',
      ].join('\n'),
    );
    const { code, doc } = await validateJson([file]);
    assert.equal(code, 0);
    assert.equal(doc.summary.errors, 0);
    assert.ok(doc.diagnostics.some((d) => d.code === 'invalid-json' && d.line === 2 && d.severity === 'error'), JSON.stringify(doc.diagnostics));
    const text = await cli(['validate', file]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /damaged\.jsonl:2: error: invalid JSON/);
  });

  it('is listed by help, with its options', async () => {
    const r = await cli(['help', 'validate']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /agentops validate <files\.\.\.> \[--config agentops\.yaml\] \[--json\]/);
    assert.match(r.stdout, /--config FILE/);
    assert.equal((await cli(['validate'])).code, 2);
  });
});
