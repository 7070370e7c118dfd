import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { InputError, isInputError } from '../../../../src/core/errors';
import { detectTrajectoryFormat, readTrajectoryFile, readTrajectoryText } from '../../../../src/core/trajectory/read';
import type { JsonValue, TrajectoryReadResult } from '../../../../src/core/trajectory/model';
import { calls, fixture, kinds, step } from './helpers';

const docExample = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'trajectory-format.md'), 'utf8').match(/```jsonl\n([\s\S]*?)```/)?.[1] ?? '';

function throwsInput(f: () => unknown, pattern: RegExp, line?: number): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.match(err.message, pattern);
    if (line !== undefined) assert.equal(err.location.line, line);
    return true;
  });
}

describe('core/trajectory: reading files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentops-traj-'));

  describe('detection by content', () => {
    it('recognises every fixture whatever its name, and tells OTLP apart', () => {
      const cases: [string[], string][] = [
        [['swe-agent', 'pydicom__pydicom-1458.traj'], 'swe-agent'],
        [['swe-agent', 'marshmallow-code__marshmallow-1867.function_calling.traj'], 'swe-agent'],
        [['mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json'], 'mini-swe-agent'],
        [['mini-swe-agent', 'github_issue.traj.json'], 'mini-swe-agent'],
        [['openhands', 'basic.json'], 'openhands'],
        [['tau-bench', 'error-record.deepseek-v3.json'], 'tau-bench'],
      ];
      for (const [parts, format] of cases) {
        const text = readFileSync(fixture(...parts), 'utf8');
        assert.equal(detectTrajectoryFormat(JSON.parse(text) as JsonValue), format, parts.join('/'));
        const r = readTrajectoryText(text, 'renamed.txt');
        assert.equal(r.trajectories[0]?.format, format, parts.join('/'));
        assert.equal(r.trajectories[0]?.source.file, 'renamed.txt');
      }
      assert.equal(detectTrajectoryFormat({ resourceSpans: [] }), 'otlp');
      assert.equal(detectTrajectoryFormat([{ role: 'user', content: 'hi' }]), 'openai-messages');
      assert.equal(detectTrajectoryFormat({ name: 'agent-ops', version: '1.0.0' }), undefined);
    });

    it('reads a gzipped fixture like the plain one', async () => {
      const file = join(dir, 'basic.events.gz');
      writeFileSync(file, gzipSync(readFileSync(fixture('openhands', 'basic.json'))));
      const gz = await readTrajectoryFile(file);
      const plain = await readTrajectoryFile(fixture('openhands', 'basic.json'));
      assert.deepEqual(
        gz.trajectories.map((t) => ({ ...t, id: '', source: {} })),
        plain.trajectories.map((t) => ({ ...t, id: '', source: {} })),
      );
      assert.equal(gz.trajectories[0]?.id, 'basic.events');
    });
  });

  describe('OpenAI-style message lists', () => {
    it('one step per assistant message, parallel calls together, results by id, the last answer final', () => {
      const messages = [
        { role: 'system', content: 'You are a travel agent.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'weather', arguments: '{"city": "Paris"}' } },
            { id: 'b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
          usage: { prompt_tokens: 50, completion_tokens: 20 },
        },
        { role: 'tool', tool_call_id: 'b', content: 'sunny' },
        { role: 'tool', tool_call_id: 'a', content: 'rain' },
        { role: 'assistant', content: [{ type: 'text', text: 'Rain in Paris, sun in Rome.' }] },
      ];
      const text = JSON.stringify({ id: 'conv-1', model: 'gpt-4o', messages }, null, 2);
      const r = readTrajectoryText(text, 'chat.json');
      const t = r.trajectories[0];
      assert.ok(t);
      assert.equal(t.format, 'openai-messages');
      assert.equal(t.id, 'conv-1');
      assert.deepEqual(kinds(t), ['user', 'tool', 'final']);
      assert.deepEqual(step(t, 1).calls.map((c) => [c.id, c.rawArguments, c.result]), [
        ['a', '{"city": "Paris"}', 'rain'],
        ['b', '{"city":"Rome"}', 'sunny'],
      ]);
      assert.deepEqual(step(t, 1).tokens, { input: 50, output: 20 });
      assert.equal(step(t, 2).text, 'Rain in Paris, sun in Rome.');
      assert.equal(t.outcome.status, 'final-answer');
      const lines = text.split('\n');
      for (const s of t.steps) assert.match(lines[(s.line as number) - 1] ?? '', /^\s*\{$/);
      assert.match(lines[step(t, 1).line as number] ?? '', /"role": "assistant"/);
    });

    it('a run that ends on a tool call has no final answer; a finish tool is the final step; Anthropic blocks work', () => {
      const cut = readTrajectoryText(JSON.stringify([{ role: 'user', content: 'go' }, { role: 'assistant', tool_calls: [{ id: 'x', function: { name: 'ls', arguments: '{}' } }] }]), 'cut.json');
      assert.equal(cut.trajectories[0]?.outcome.status, 'no-final-answer');

      const fin = readTrajectoryText(JSON.stringify([{ role: 'user', content: 'go' }, { role: 'assistant', tool_calls: [{ id: 'x', function: { name: 'final_answer', arguments: '{"answer": 42}' } }] }]), 'f.json');
      assert.equal(fin.trajectories[0]?.outcome.status, 'final-answer');
      assert.equal(fin.trajectories[0]?.steps[1]?.kind, 'final');

      const anthropic = readTrajectoryText(
        JSON.stringify({
          messages: [
            { role: 'user', content: 'list files' },
            { role: 'assistant', content: [{ type: 'text', text: 'Listing.' }, { type: 'tool_use', id: 'tu1', name: 'bash', input: { command: 'ls' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: 'permission denied', is_error: true }] },
            { role: 'assistant', content: 'I cannot list them.' },
          ],
        }),
        'a.json',
      );
      const t = anthropic.trajectories[0];
      assert.deepEqual(t && kinds(t), ['user', 'tool', 'final']);
      assert.deepEqual(t && calls(t).map((c) => [c.toolName, c.arguments, c.result, c.isError]), [['bash', { command: 'ls' }, 'permission denied', true]]);
    });

    it('JSON Lines of whole documents: each line a run at its index and line', () => {
      const run = (q: string): string => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: 'ok' }] });
      const r = readTrajectoryText(`${run('a')}\n\n${run('b')}\n${run('c')}\n`, 'set.jsonl');
      assert.deepEqual(
        r.trajectories.map((t) => [t.id, t.source.index, t.source.line, t.steps[0]?.line]),
        [
          ['set#0', 0, 1, 1],
          ['set#1', 1, 3, 3],
          ['set#2', 2, 4, 4],
        ],
      );
    });
  });

  describe('the generic format', () => {
    it('the documented example reads as documented', () => {
      const r = readTrajectoryText(docExample, 'agent.jsonl');
      assert.deepEqual(r.diagnostics, []);
      const t = r.trajectories[0];
      assert.ok(t);
      assert.equal(r.trajectories.length, 1);
      assert.equal(t.format, 'generic');
      assert.equal(t.id, 'r1');
      assert.equal(t.taskId, 'refund-42');
      assert.equal(t.model, 'gpt-4o');
      assert.deepEqual(kinds(t), ['user', 'tool', 'final']);
      assert.deepEqual(t.steps.map((s) => s.line), [2, 3, 6]);
      const [ok, failed] = step(t, 1).calls;
      assert.deepEqual(ok?.arguments, { id: 42 });
      assert.equal(ok?.result, '{"status":"paid"}');
      assert.deepEqual(failed?.arguments, { order: 42 });
      assert.equal(failed?.rawArguments, '{"order": 42}');
      assert.equal(failed?.isError, true);
      assert.equal(failed?.result, 'timeout after 30 s');
      assert.equal(step(t, 1).text, 'Looking it up');
      assert.equal(step(t, 1).startMs, Date.UTC(2025, 5, 1, 10, 0, 0));
      assert.equal(step(t, 1).durationMs, 1120);
      assert.deepEqual(t.totals.tokens, { input: 1802, output: 52 });
      assert.equal(t.totals.costUsd, 0.0024);
      assert.deepEqual(t.outcome, { status: 'final-answer', reason: 'the run ended with status final-answer', exitStatus: 'final-answer', step: 2, reward: 1 });
    });

    it('streams JSON Lines from a file: runs interleaved, a broken middle line reported at its line, a half-written last line only noted', async () => {
      const lines = [
        '{"type":"user","run":"a","text":"hi"}',
        '{"type":"tool","run":"b","tool":"x","args":{"k":1},"ts":1717000001000}',
        '{"type":"tool","run":"a","tool":"y","args":"not json","error":true,"ts":1717000000}',
        '{"type":"tool","run":"b","tool":"x" "args":{}}',
        '{"type":"final","run":"b","text":"done","ts":1717000001500}',
        '{"type":"llm","run":"a","te',
      ];
      const file = join(dir, 'live.jsonl');
      writeFileSync(file, lines.join('\n'));
      const r = await readTrajectoryFile(file);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.code, d.line]),
        [
          ['error', 'invalid-json', 4],
          ['info', 'truncated-line', 6],
        ],
      );
      assert.match(r.diagnostics[0]?.message ?? '', /column 37: Expected ',' or '\}' after property value/);
      assert.deepEqual(
        r.trajectories.map((t) => [t.id, t.source.index, kinds(t).join(',')]),
        [
          ['a', 0, 'user,tool'],
          ['b', 1, 'tool,final'],
        ],
      );
      const a = r.trajectories[0];
      assert.equal(a?.steps[1]?.calls[0]?.arguments, 'not json');
      assert.equal(a?.steps[1]?.startMs, 1717000000000);
      assert.equal(a?.outcome.status, 'no-final-answer');
      const b = r.trajectories[1];
      assert.equal(b?.outcome.status, 'final-answer');
      assert.equal(b?.steps[1]?.startMs, 1717000001000, 'starts where the step before ended');
      assert.equal(b?.steps[1]?.durationMs, 500);
    });

    it('a JSONL file whose only line is still being written is not an error', async () => {
      const file = join(dir, 'starting.jsonl');
      writeFileSync(file, '{"type":"user","text":"hel');
      const r = await readTrajectoryFile(file);
      assert.deepEqual(r.trajectories, []);
      assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.line]), [['info', 'truncated-line', 1]]);
    });

    it('merges records of one turn, in a JSON array too; ends and statuses', () => {
      const records = [
        { type: 'llm', turn: 1, text: 'checking', tokens: { input: 10, output: 2 } },
        { type: 'tool', turn: 1, tool: 'a', args: {} },
        { type: 'tool', turn: 1, tool: 'b', args: {} },
        { type: 'think', tool: 'think', args: { thought: 'hmm' } },
        { type: 'error', text: 'sandbox died' },
        { type: 'end', status: 'error', error: 'sandbox died' },
      ];
      const text = JSON.stringify(records, null, 1);
      const r = readTrajectoryText(text, 'arr.json');
      const t = r.trajectories[0];
      assert.ok(t);
      assert.deepEqual(kinds(t), ['tool', 'think', 'error']);
      assert.equal(step(t, 0).calls.length, 2);
      assert.equal(t.totals.agentSteps, 2);
      assert.equal(t.outcome.status, 'error');
      assert.equal(t.outcome.error, 'sandbox died');
      assert.equal(step(t, 1).line, text.split('\n').findIndex((l) => l.includes('"think"')));

      const bad = readTrajectoryText('{"type":"llm","text":"x"}\n{"type":"end","status":"weird"}\n', 'w.jsonl');
      assert.deepEqual(bad.diagnostics.map((d) => d.code), ['unknown-status']);
      assert.equal(bad.trajectories[0]?.outcome.status, 'final-answer');
    });
  });

  describe('bad input', () => {
    it('names the file, line and column of a JSON syntax error', () => {
      throwsInput(() => readTrajectoryText('{\n  "trajectory": [\n    {"action": x}\n  ]\n}\n', 'bad.traj'), /^bad\.traj:3:16: invalid JSON: unexpected "x"/, 3);
      throwsInput(() => readTrajectoryText('[\n  {"role": "user", "content": "hi"},\n]\n', 'trailing.json'), /^trailing\.json:3:1: invalid JSON: .*(trailing comma|Unexpected token)/i, 3);
      throwsInput(() => readTrajectoryText('[\n  {"role": "user",\n', 'cut.json'), /^cut\.json:\d+:\d+: invalid JSON: the JSON ends too early/);
    });

    it('a truncated fixture names the line where it stops', () => {
      const text = readFileSync(fixture('swe-agent', 'pydicom__pydicom-1458.traj'), 'utf8');
      const cut = text.slice(0, 5000);
      throwsInput(() => readTrajectoryText(cut, 'cut.traj'), /ends too early|Unterminated string|never closed|Bad control/i, cut.split('\n').length);
    });

    it('JSON that is no trajectory format: an InputError saying what it is', () => {
      throwsInput(() => readTrajectoryText('{\n  "name": "agent-ops",\n  "version": "0.1.0"\n}\n', 'package.json'), /package\.json: not a trajectory format Agent Ops knows \(an object with keys "name", "version"\)/);
      throwsInput(() => readTrajectoryText('{"a":1}\n{"b":2}\n', 'x.jsonl'), /^x\.jsonl:1: not a trajectory format/);
    });

    it('missing files and directories are InputErrors; empty files a warning', async () => {
      await assert.rejects(readTrajectoryFile(join(dir, 'nope.json')), (err: unknown) => isInputError(err) && /no such file/.test(err.message));
      await assert.rejects(readTrajectoryFile(dir), (err: unknown) => isInputError(err) && /directory/.test(err.message));
      const empty = join(dir, 'empty.jsonl');
      writeFileSync(empty, '\n\n');
      const r = await readTrajectoryFile(empty);
      assert.deepEqual(r.trajectories, []);
      assert.deepEqual(r.diagnostics.map((d) => d.code), ['empty-file']);
    });
  });

  describe('fuzzing real files', () => {
    const names = [
      ['openhands', 'basic_interactions.json'],
      ['openhands', 'wrong_initial_state.json'],
      ['mini-swe-agent', 'github_issue.traj.json'],
      ['swe-agent', '6e44b9__sweagenttestrepo-1c2844.traj'],
      ['tau-bench', 'error-record.deepseek-v3.json'],
    ];
    const texts = names.map((n) => readFileSync(fixture(...n), 'utf8'));
    texts.push(docExample);
    // A tau-bench record and a tau2 simulation, cut out of the big files.
    const tau = JSON.parse(readFileSync(fixture('tau-bench', 'gpt-4o-airline.json'), 'utf8')) as JsonValue[];
    texts.push(JSON.stringify([tau[109]], null, 2));
    const tau2 = JSON.parse(readFileSync(fixture('tau2-bench', 'whissle.airline_run1.json'), 'utf8')) as { simulations: JsonValue[] };
    texts.push(JSON.stringify({ simulations: [tau2.simulations[14]] }, null, 2));

    /** Either a result whose lines all fall inside the text, or an InputError naming the file: nothing else. */
    function check(text: string, file: string): void {
      let r: TrajectoryReadResult;
      try {
        r = readTrajectoryText(text, file);
      } catch (err) {
        assert.ok(isInputError(err), `only InputErrors escape: ${String(err)}`);
        assert.equal(err.location.file, file);
        if (err.location.line !== undefined) assert.ok(err.location.line >= 1 && err.location.line <= text.split('\n').length + 1, `error line ${err.location.line}`);
        return;
      }
      const lines = text.split('\n').length;
      for (const d of r.diagnostics) if (d.line !== undefined) assert.ok(d.line >= 1 && d.line <= lines, `${d.code} at line ${d.line} of ${lines}`);
      for (const t of r.trajectories) {
        assert.equal(t.totals.steps, t.steps.length);
        t.steps.forEach((s, i) => {
          assert.equal(s.index, i);
          if (s.line !== undefined) assert.ok(s.line >= 1 && s.line <= lines, `step line ${s.line} of ${lines}`);
        });
        if (t.outcome.step !== undefined) assert.equal(t.steps[t.outcome.step]?.kind, 'final');
        assert.equal(t.outcome.status === 'empty', t.totals.agentSteps === 0);
      }
    }

    it('never crashes on random truncation', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: texts.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (k, at) => {
          const text = texts[k] as string;
          check(text.slice(0, Math.floor(text.length * at)), 'cut.json');
        }),
        { numRuns: 200 },
      );
    });

    it('never crashes on random corruption', () => {
      const edits = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', 'x', '0', ' ', '\u0000', 'é', 'null', '-1e999', '"role"', '"type"')), { minLength: 1, maxLength: 8 });
      fc.assert(
        fc.property(fc.integer({ min: 0, max: texts.length - 1 }), edits, (k, list) => {
          const chars = [...(texts[k] as string)];
          for (const [at, s] of list) chars[Math.floor(at * (chars.length - 1))] = s;
          check(chars.join(''), 'bad.json');
        }),
        { numRuns: 200 },
      );
    });

    it('never crashes on arbitrary JSON values and JSON-ish lines', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v), 'v.json')),
        { numRuns: 300 },
      );
      const record = fc.record(
        {
          type: fc.constantFrom('run', 'user', 'llm', 'tool', 'think', 'final', 'error', 'end', 'other'),
          run: fc.oneof(fc.string(), fc.integer()),
          turn: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          tool: fc.oneof(fc.string(), fc.integer()),
          args: fc.jsonValue(),
          result: fc.jsonValue(),
          error: fc.oneof(fc.boolean(), fc.string()),
          tokens: fc.jsonValue(),
          ts: fc.oneof(fc.integer(), fc.string(), fc.double()),
          status: fc.string(),
        },
        { requiredKeys: ['type'] },
      );
      fc.assert(
        fc.property(fc.array(record, { maxLength: 12 }), (records) => check(records.map((x) => JSON.stringify(x)).join('\n'), 'g.jsonl')),
        { numRuns: 200 },
      );
      const messages = fc.array(
        fc.record({ role: fc.constantFrom('user', 'assistant', 'tool', 'system'), content: fc.jsonValue(), tool_calls: fc.jsonValue(), tool_call_id: fc.jsonValue() }, { requiredKeys: ['role'] }),
        { maxLength: 10 },
      );
      fc.assert(
        fc.property(messages, (m) => check(JSON.stringify(m), 'm.json')),
        { numRuns: 200 },
      );
    });

    it('does not hang on deep nesting or long garbage', () => {
      const deep = '['.repeat(100_000);
      const t0 = Date.now();
      assert.throws(() => readTrajectoryText(deep, 'deep.json'), isInputError);
      assert.throws(() => readTrajectoryText('x'.repeat(2_000_000), 'long.json'), isInputError);
      const validDeep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      assert.throws(() => readTrajectoryText(validDeep, 'valid-deep.json'), isInputError);
      assert.ok(Date.now() - t0 < 5000);
    });
  });
});
