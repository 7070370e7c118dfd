import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Trajectory } from '../../../../src/core/trajectory/model';
import { assertStepLinesOpenRecords, calls, canon, fixture, kinds, onlyRun, readFixture, step, toolNames } from './helpers';

describe('core/trajectory: the real files of the shared corpus', () => {
  describe('SWE-agent .traj', () => {
    it('pydicom (classic text commands): 12 turns, three rejected edits (the last two identical), then success and submit', async () => {
      const t = await onlyRun('swe-agent', 'pydicom__pydicom-1458.traj');
      assert.equal(t.format, 'swe-agent');
      assert.equal(t.id, 'pydicom__pydicom-1458');
      assert.equal(t.steps.length, 12);
      assert.deepEqual(toolNames(t), ['create', 'edit', 'bash', 'find_file', 'open', 'edit', 'edit', 'edit', 'edit', 'bash', 'bash', 'submit']);
      // Classic actions keep the whole command as a raw string.
      assert.equal(step(t, 2).calls[0]?.arguments, 'python reproduce_bug.py\n');

      const edits = [5, 6, 7].map((i) => step(t, i).calls[0]);
      for (const e of edits) {
        assert.ok(e);
        assert.equal(e.toolName, 'edit');
        assert.match(e.rawArguments ?? '', /^edit 287:295\n/);
        assert.equal(e.isError, true);
        assert.match(e.result ?? '', /^Your proposed edit has introduced new syntax error/);
      }
      // Not three different bodies: the second and third attempts are byte-identical and get the same
      // rejection ("unmatched ')'"); the first lacked a line and got another one ("unmatched ']'").
      assert.notEqual(edits[0]?.rawArguments, edits[1]?.rawArguments);
      assert.equal(edits[1]?.rawArguments, edits[2]?.rawArguments);
      assert.match(edits[0]?.result ?? '', /E999 SyntaxError: unmatched '\]'/);
      assert.match(edits[1]?.result ?? '', /E999 SyntaxError: unmatched '\)'/);
      assert.equal(edits[1]?.result, edits[2]?.result);
      assert.equal(step(t, 8).calls[0]?.isError, false, 'the fourth edit (287:296) is accepted');
      assert.match(step(t, 8).calls[0]?.rawArguments ?? '', /^edit 287:296\n/);
      assert.equal(calls(t).filter((c) => c.isError).length, 3);

      assert.equal(step(t, 11).kind, 'final');
      assert.deepEqual(kinds(t).slice(0, 11), Array(11).fill('tool'));
      assert.equal(t.outcome.status, 'submitted');
      assert.equal(t.outcome.step, 11);
      assert.equal(t.outcome.exitStatus, 'submitted');
      // Tokens and cost exist only as run totals (model_stats).
      assert.deepEqual(t.totals.tokens, { input: 122612, output: 1369 });
      assert.equal(t.totals.costUsd, 1.26719);
      assert.equal(step(t, 0).tokens, undefined);
      assertStepLinesOpenRecords(t, fixture('swe-agent', 'pydicom__pydicom-1458.traj'));
      assert.equal(step(t, 0).line, 4);
    });

    it('marshmallow (function_calling): tools and JSON arguments from the history, spacing kept, execution times', async () => {
      const t = await onlyRun('swe-agent', 'marshmallow-code__marshmallow-1867.function_calling.traj');
      assert.equal(t.id, 'marshmallow-code__marshmallow-1867');
      assert.equal(t.taskId, 'marshmallow-code__marshmallow-1867');
      assert.equal(t.model, 'gpt-4o');
      assert.equal(t.steps.length, 11);
      assert.deepEqual(toolNames(t), ['create', 'edit', 'bash', 'bash', 'find_file', 'open', 'edit', 'edit', 'bash', 'bash', 'submit']);
      assert.deepEqual(step(t, 2).calls[0]?.arguments, { command: 'python reproduce.py' });
      assert.equal(step(t, 4).calls[0]?.rawArguments, '{"file_name":"fields.py", "dir":"src"}');
      assert.deepEqual(step(t, 5).calls[0]?.arguments, { path: 'src/marshmallow/fields.py', line_number: 1474 });
      assert.equal(step(t, 0).calls[0]?.id, 'call_cyI71DYnRdoLHWwtZgIaW2wr');
      assert.equal(step(t, 6).calls[0]?.isError, true);
      assert.equal(step(t, 7).calls[0]?.isError, false);
      assert.equal(step(t, 10).kind, 'final');
      assert.deepEqual(step(t, 10).calls[0]?.arguments, {});
      assert.equal(t.outcome.status, 'submitted');
      assert.equal(t.outcome.step, 10);
      assert.ok(Math.abs((step(t, 0).durationMs ?? 0) - 239.6368359986809) < 1e-6);
      assert.ok((t.totals.durationMs ?? 0) > 4000 && (t.totals.durationMs ?? 0) < 5000, 'sum of execution times');
      assertStepLinesOpenRecords(t, fixture('swe-agent', 'marshmallow-code__marshmallow-1867.function_calling.traj'));
    });

    it('sweagenttestrepo: tool_calls stored as a Python repr are parsed; the submit turn missing from the history falls back to the command', async () => {
      const t = await onlyRun('swe-agent', '6e44b9__sweagenttestrepo-1c2844.traj');
      assert.equal(t.taskId, 'SWE-agent__test-repo-i1');
      assert.deepEqual(toolNames(t), ['find_file', 'open', 'edit', 'bash', 'submit']);
      assert.deepEqual(step(t, 0).calls[0]?.arguments, { file_name: 'missing_colon.py' });
      assert.equal(step(t, 0).calls[0]?.id, 'call_fJuazlMUN5fQDQ73G6XSpYpx');
      assert.deepEqual(step(t, 3).calls[0]?.arguments, { command: 'python3 /SWE-agent__test-repo/tests/missing_colon.py' });
      assert.equal(step(t, 3).calls[0]?.result, '8.2');
      assert.equal(step(t, 4).calls[0]?.arguments, 'submit');
      assert.equal(t.outcome.status, 'submitted');
      assert.equal(t.outcome.step, 4);
      assert.deepEqual(t.totals.tokens, { input: 7141, output: 243 });
    });
  });

  describe('mini-swe-agent', () => {
    it('sqlfluff (deepseek): 41 bash calls, all with different commands except one re-run after edits, never twice in a row', async () => {
      const file = fixture('mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json');
      const t = await onlyRun('mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json');
      assert.equal(t.format, 'mini-swe-agent');
      assert.equal(t.id, 'sqlfluff__sqlfluff-2419');
      assert.equal(t.model, 'deepseek/deepseek-chat');
      assert.equal(t.steps.length, 42);
      assert.equal(step(t, 0).kind, 'user');
      const all = calls(t);
      assert.equal(all.length, 41);
      assert.ok(all.every((c) => c.toolName === 'bash'));
      assert.ok(t.steps.every((s) => s.calls.length <= 1), 'one call per turn');
      const keys = all.map(canon);
      assert.equal(new Set(keys).size, 40);
      const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
      assert.deepEqual(repeated, [JSON.stringify({ command: 'python test_l060.py' })]);
      for (let i = 1; i < keys.length; i++) assert.notEqual(keys[i], keys[i - 1], `calls ${i - 1} and ${i} differ`);
      // Non-zero return codes are failures: four exit 1, one exit 4.
      assert.equal(all.filter((c) => c.isError).length, 5);

      assert.equal(step(t, 41).kind, 'final');
      assert.match(String((step(t, 41).calls[0]?.arguments as { command: string }).command), /COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT/);
      assert.match(step(t, 41).calls[0]?.result ?? '', /^diff --git a\/src\/sqlfluff\/rules\/L060.py/, 'the submission is the submit call’s output');
      assert.equal(t.outcome.status, 'submitted');
      assert.equal(t.outcome.exitStatus, 'Submitted');
      assert.equal(t.outcome.step, 41);

      // Usage and cost per turn; the run cost is the harness's.
      assert.deepEqual(step(t, 1).tokens, { input: 1540, output: 85 });
      assert.ok(Math.abs((step(t, 1).costUsd ?? 0) - 0.00038626) < 1e-12);
      assert.deepEqual(t.totals.tokens, { input: 332906, output: 5196 });
      assert.ok(Math.abs((t.totals.costUsd ?? 0) - 0.014207648) < 1e-12);
      assert.ok((t.totals.durationMs ?? 0) > 200_000 && (t.totals.durationMs ?? 0) < 300_000, `wall time ${t.totals.durationMs}`);
      assert.ok(t.steps.slice(1).every((s) => s.startMs !== undefined && (s.durationMs ?? -1) >= 0));
      assertStepLinesOpenRecords(t, file);
      assert.match(readFileSync(file, 'utf8').split('\n')[step(t, 1).line as number] ?? '', /^\s*"content": "I'll start by exploring the codebase/);
    });

    it('github_issue (first format, a bare message list): commands from fenced blocks, outputs from the user messages after them', async () => {
      const t = await onlyRun('mini-swe-agent', 'github_issue.traj.json');
      assert.equal(t.format, 'mini-swe-agent');
      assert.equal(t.steps.length, 11);
      assert.equal(calls(t).length, 10);
      assert.ok(toolNames(t).every((n) => n === 'bash'));
      assert.equal(step(t, 2).calls[0]?.arguments, 'ls -la');
      assert.equal(step(t, 1).calls[0]?.isError, true, '<returncode>1</returncode>: no such file');
      assert.equal(calls(t).filter((c) => c.isError).length, 2);
      assert.equal(step(t, 10).kind, 'final');
      assert.match(step(t, 10).calls[0]?.result ?? '', /^diff --git a\/tests\/missing_colon.py/);
      assert.equal(t.outcome.status, 'submitted');
      assert.equal(t.outcome.step, 10);
      assertStepLinesOpenRecords(t, fixture('mini-swe-agent', 'github_issue.traj.json'));
    });
  });

  describe('OpenHands event lists', () => {
    it('basic.json: the user, one editor call with the model’s own arguments and usage, then finish', async () => {
      const t = await onlyRun('openhands', 'basic.json');
      assert.equal(t.format, 'openhands');
      assert.deepEqual(kinds(t), ['user', 'tool', 'final']);
      const edit = step(t, 1).calls[0];
      assert.equal(edit?.toolName, 'str_replace_editor');
      assert.equal(edit?.id, 'toolu_017nBp7UfiGqyrA7j77HgtFP');
      assert.equal((edit?.arguments as { command: string }).command, 'create');
      assert.match(edit?.result ?? '', /^--- \/workspace\/game_2048.py/);
      assert.deepEqual(step(t, 1).tokens, { input: 3486, output: 1135 });
      assert.equal(step(t, 1).model, 'claude-3-5-sonnet-20241022');
      assert.equal(step(t, 2).calls[0]?.toolName, 'finish');
      assert.equal(t.outcome.status, 'final-answer');
      assert.equal(t.outcome.step, 2);
      assert.deepEqual(t.totals.tokens, { input: 3486 + 4646, output: 1135 + 177 });
      assert.equal(t.totals.durationMs, Date.UTC(2025, 0, 27, 22, 45, 18, 405) - Date.UTC(2025, 0, 27, 22, 44, 56, 900));
      assertStepLinesOpenRecords(t, fixture('openhands', 'basic.json'));
    });

    it('basic_gui_mode.json: environment bookkeeping is not a step; the run ends with a message that awaits the user', async () => {
      const t = await onlyRun('openhands', 'basic_gui_mode.json');
      assert.deepEqual(kinds(t), ['user', 'tool', 'tool', 'tool', 'tool', 'final']);
      assert.deepEqual(toolNames(t), ['execute_bash', 'str_replace_editor', 'str_replace_editor', 'execute_bash']);
      assert.deepEqual(step(t, 1).calls[0]?.arguments, { command: 'mkdir -p /workspace/todo-app' });
      assert.equal(step(t, 1).calls[0]?.isError, false);
      assert.equal(step(t, 4).calls[0]?.isError, true, 'the http.server still running at the timeout: success false, exit code -1');
      assert.equal(t.outcome.status, 'final-answer');
      assert.equal(t.outcome.step, 5);
      assert.equal(t.outcome.exitStatus, 'awaiting_user_input');
      assertStepLinesOpenRecords(t, fixture('openhands', 'basic_gui_mode.json'));
    });

    it('wrong_initial_state.json and basic_interactions.json', async () => {
      const a = await onlyRun('openhands', 'wrong_initial_state.json');
      assert.deepEqual(toolNames(a), ['str_replace_editor', 'execute_bash', 'str_replace_editor', 'finish']);
      // The model's own arguments, including what it added (is_input).
      assert.deepEqual(step(a, 2).calls[0]?.arguments, { command: 'mv /workspace/game_2048.py /workspace/2048.py', is_input: 'false' });
      assert.equal(a.outcome.status, 'final-answer');
      assert.equal(a.outcome.step, 4);

      const b = await onlyRun('openhands', 'basic_interactions.json');
      assert.deepEqual(kinds(b), ['user', 'llm', 'user', 'llm', 'user', 'final']);
      assert.equal(step(b, 1).text, '1 + 1 equals 2.');
      assert.equal(b.totals.agentSteps, 3);
      assert.equal(b.outcome.step, 5);
    });
  });

  describe('tau-bench results', () => {
    it('gpt-4o-airline.json: 200 runs, each at its index and line, outcomes from how the conversation ended', async () => {
      const r = await readFixture('tau-bench', 'gpt-4o-airline.json');
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.trajectories.length, 200);
      r.trajectories.forEach((t, i) => {
        assert.equal(t.format, 'tau-bench');
        assert.equal(t.source.index, i);
      });
      const count = (f: (t: Trajectory) => boolean): number => r.trajectories.filter(f).length;
      assert.equal(count((t) => t.outcome.exitStatus === '###STOP###'), 147);
      assert.equal(count((t) => t.outcome.exitStatus === 'transfer_to_human_agents'), 48);
      assert.equal(count((t) => t.outcome.status === 'final-answer'), 195);
      assert.equal(count((t) => t.outcome.status === 'limit'), 5, 'cut off after 30 agent turns');
      assert.ok(r.trajectories.every((t) => t.outcome.status !== 'limit' || t.totals.agentSteps === 30));
      assert.equal(calls(r.trajectories[0] as Trajectory).length, 8);
      const errors = r.trajectories.reduce((n, t) => n + calls(t).filter((c) => c.isError).length, 0);
      assert.equal(errors, 73, 'results starting with "Error:"');
      assert.equal(
        r.trajectories.reduce((n, t) => n + t.totals.agentSteps, 0),
        2454,
        'one step per assistant message',
      );
    });

    it('record 109 (task 9, trial 2): book_reservation with the same payload in different JSON spacing, the same error, think, repeated', async () => {
      const r = await readFixture('tau-bench', 'gpt-4o-airline.json');
      const t = r.trajectories[109] as Trajectory;
      assert.equal(t.id, 'task-9-trial-2');
      assert.equal(t.taskId, '9');
      assert.equal(t.source.line, 28991);
      assert.equal(readFileSync(fixture('tau-bench', 'gpt-4o-airline.json'), 'utf8').split('\n')[28991]?.trim(), '"task_id": 9,');
      assert.equal(t.outcome.status, 'limit');
      assert.equal(t.outcome.reward, 0);

      const tail = t.steps.slice(29);
      assert.deepEqual(
        tail.map((s) => `${s.kind}:${s.calls.map((c) => c.toolName).join(',')}`),
        ['tool:book_reservation', 'think:think', 'tool:book_reservation', 'think:think', 'tool:book_reservation', 'think:think', 'tool:book_reservation', 'think:think', 'tool:book_reservation'],
      );
      const books = calls(t).filter((c) => c.toolName === 'book_reservation');
      assert.equal(books.length, 5);
      for (const b of books) {
        assert.equal(b.isError, true);
        assert.equal(b.result, 'Error: payment amount does not add up, total price is 1203, but paid 833');
        assert.equal(typeof b.arguments, 'object', 'arguments parsed');
      }
      // The arguments are kept verbatim, so spacing differs while the payload is the same.
      const raws = books.map((b) => b.rawArguments ?? '');
      assert.ok(raws[1]?.startsWith('{"user_id":"mohamed_silva_9265","origin"'));
      assert.ok(raws[3]?.startsWith('{"user_id": "mohamed_silva_9265", "origin"'));
      assert.notEqual(raws[1], raws[3]);
      const canonical = books.map(canon);
      assert.equal(canonical[1], canonical[2]);
      assert.equal(canonical[1], canonical[3]);
      assert.equal(canonical[1], canonical[4]);
      // The first attempt differs in one field: total_baggages 6, then 2.
      assert.notEqual(canonical[0], canonical[1]);
      assert.equal((books[0]?.arguments as { total_baggages: number }).total_baggages, 6);
      assert.equal((books[1]?.arguments as { total_baggages: number }).total_baggages, 2);
      // tau-bench reuses call ids within a run: results are still matched to the right call.
      const ids = calls(t).map((c) => c.id);
      assert.ok(ids.length > new Set(ids).size, 'some ids repeat');
      assert.ok(calls(t).every((c) => c.result !== undefined));
    });

    it('record 9: no tool call at all, 25 agent turns asking for the reservation id, ended by the user', async () => {
      const r = await readFixture('tau-bench', 'gpt-4o-airline.json');
      const t = r.trajectories[9] as Trajectory;
      assert.equal(t.id, 'task-9-trial-0');
      assert.equal(t.totals.toolCalls, 0);
      assert.equal(t.totals.agentSteps, 25);
      assert.equal(t.outcome.status, 'final-answer');
      assert.equal(step(t, t.outcome.step as number).kind, 'final');
      assert.equal(t.steps[t.steps.length - 1]?.kind, 'user');
    });

    it('the deepseek error record: a crashed run with no step is empty, with its error', async () => {
      const t = await onlyRun('tau-bench', 'error-record.deepseek-v3.json');
      assert.equal(t.format, 'tau-bench');
      assert.equal(t.steps.length, 0);
      assert.equal(t.outcome.status, 'empty');
      assert.equal(t.outcome.error, 'EOF when reading a line');
      assert.equal(t.outcome.reward, 0);
      assert.equal(t.source.index, 0);
      assert.equal(t.source.line, 2);
      assert.deepEqual(t.totals, { steps: 0, agentSteps: 0, toolCalls: 0 });
    });
  });

  describe('tau2-bench results', () => {
    it('whissle.airline_run1.json: 50 simulations, parallel calls in one step, error flags, times and durations', async () => {
      const r = await readFixture('tau2-bench', 'whissle.airline_run1.json');
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.trajectories.length, 50);
      const first = r.trajectories[0] as Trajectory;
      assert.equal(first.format, 'tau2-bench');
      assert.equal(first.id, 'c4726c14-f132-4944-a51a-465518856f47');
      assert.equal(first.taskId, '0');
      assert.equal(first.model, 'whissle');
      assert.ok(r.trajectories.every((t) => t.outcome.exitStatus === 'user_stop' && t.outcome.status === 'final-answer'));
      assert.ok(r.trajectories.every((t) => t.outcome.step !== undefined && t.steps[t.outcome.step]?.kind === 'final'));
      assert.deepEqual(
        first.steps.map((s) => s.kind),
        ['llm', 'user', 'llm', 'user', 'tool', 'tool', 'tool', 'llm', 'user', 'tool', 'llm', 'user', 'final', 'user'],
      );
      assert.deepEqual(step(first, 4).calls[0]?.arguments, { reservation_id: 'EHGLP3' });
      assert.equal(step(first, 4).calls[0]?.rawArguments, undefined, 'arguments were an object in the file');
      assert.ok(Math.abs((first.totals.durationMs ?? 0) - 18451.905750203878) < 1e-6);
      assert.equal(first.totals.costUsd, undefined, 'the agent’s cost is not recorded (the user simulator’s is not the agent’s)');
      assert.equal(first.totals.tokens, undefined);

      const sim14 = r.trajectories[14] as Trajectory;
      const parallel = step(sim14, 12);
      assert.equal(parallel.kind, 'tool');
      assert.deepEqual(
        parallel.calls.map((c) => c.id),
        ['gem_search_direct_flight_0', 'gem_search_direct_flight_1', 'gem_search_direct_flight_2'],
      );
      assert.ok(parallel.calls.every((c) => c.toolName === 'search_direct_flight' && c.result?.startsWith('[')));
      assert.equal(r.trajectories.reduce((n, t) => n + t.steps.filter((s) => s.calls.length > 1).length, 0), 4);
      assert.equal(r.trajectories.reduce((n, t) => n + calls(t).filter((c) => c.isError).length, 0), 12);
      assert.equal(r.trajectories.reduce((n, t) => n + calls(t).length, 0), 265);
      assert.ok(r.trajectories.every((t) => (t.source.line ?? 0) > 1));
      const lines = readFileSync(fixture('tau2-bench', 'whissle.airline_run1.json'), 'utf8').split('\n');
      assert.match(lines[first.source.line as number] ?? '', /"id": "c4726c14-f132-4944-a51a-465518856f47"/);
      assertStepLinesOpenRecords(sim14, fixture('tau2-bench', 'whissle.airline_run1.json'));
    });
  });
});
