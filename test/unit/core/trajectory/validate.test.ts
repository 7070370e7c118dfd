import * as assert from 'node:assert/strict';
import type { Finding } from '../../../../src/core/trajectory/findings';
import { applyPrecedence } from '../../../../src/core/trajectory/rules/index';
import { defaultTrajectoryConfig, hasErrors, toValidateJson, validateTrajectories, validateTrajectory } from '../../../../src/core/trajectory/validate';
import { call, config, run, type StepSpec } from './rules.helpers';

const shape = (fs: Finding[]): [string, string, number[]][] => fs.map((f) => [f.rule, f.severity, f.steps]);

describe('core/trajectory/validate', () => {
  describe('precedence: one problem, one finding', () => {
    const failing = (n: number): StepSpec[] => Array.from({ length: n }, () => call('pay', { n: 1 }, 'Error: declined', true));

    it('five identical failures in a row: error-retry says it all (not repeated-call, not tool-error)', () => {
      const fs = validateTrajectory(run([...failing(5), { text: 'sorry', final: true }]));
      assert.deepEqual(shape(fs), [['error-retry', 'error', [0, 1, 2, 3, 4]]]);
    });

    it('repeated-call stays when it is more severe than what covers it', () => {
      const fs = validateTrajectory(run([...failing(5), { text: 'sorry', final: true }]), config({ 'error-retry': { severity: 'warning' } }));
      assert.deepEqual(shape(fs), [
        ['repeated-call', 'error', [0, 1, 2, 3, 4]],
        ['error-retry', 'warning', [0, 1, 2, 3, 4]],
      ]);
    });

    it('repeated-call stays when it names steps nothing else does', () => {
      // Three in a row that succeed with different results: no no-progress, no error-retry.
      const fs = validateTrajectory(run([call('poll', {}, 'a'), call('poll', {}, 'b'), call('poll', {}, 'c'), { text: 'ok', final: true }]));
      assert.deepEqual(shape(fs), [['repeated-call', 'warning', [0, 1, 2]]]);
    });

    it('a loop absorbs the error retries and the repeated results inside it', () => {
      const ab: StepSpec[] = [call('search', { q: 1 }, 'same'), call('fetch', { id: 1 }, '503', true)];
      const fs = validateTrajectory(run([...ab, ...ab, ...ab, ...ab, { text: 'gave up', final: true }]));
      assert.deepEqual(
        fs.map((f) => f.rule),
        ['loop'],
      );
    });

    it('a high error rate beyond the retries is still reported', () => {
      const t = run([...failing(3), call('a', { i: 1 }, 'E', true), call('a', { i: 2 }, 'E', true), call('ok'), { text: 'x', final: true }]);
      assert.deepEqual(
        validateTrajectory(t).map((f) => f.rule),
        ['error-retry', 'tool-error'],
      );
    });

    it('applyPrecedence keeps rules outside the family and ignores think steps when comparing coverage', () => {
      const f = (rule: Finding['rule'], steps: number[], severity: Finding['severity'] = 'error'): Finding => ({ rule, severity, steps, message: '', wasted: { tokens: 0, costUsd: 0, ms: 0 } });
      const kept = applyPrecedence([f('repeated-call', [1, 2, 3, 4, 5], 'warning'), f('error-retry', [1, 3, 5]), f('max-steps', [1, 2, 3]), f('no-final-answer', [5])], (s) => s === 2 || s === 4);
      assert.deepEqual(
        kept.map((x) => x.rule),
        ['error-retry', 'max-steps', 'no-final-answer'],
      );
    });
  });

  it('findings come ordered by first step, then by rule', () => {
    const t = run([call('a', { i: 0 }), call('b', {}, '1'), call('b', {}, '2'), call('b', {}, '3'), { text: 'x' }], { outcome: { status: 'no-final-answer', reason: 'it stopped' } });
    t.outcome.status = 'no-final-answer';
    const fs = validateTrajectory(t, config({ 'max-steps': { max: 2 } }));
    assert.deepEqual(
      fs.map((f) => [f.rule, f.steps[0]]),
      [
        ['repeated-call', 1],
        ['max-steps', 2],
        ['no-final-answer', 4],
      ],
    );
  });

  it('toValidateJson: the CLI document, with counts of error and warning findings', () => {
    const a = run([call('x'), call('x'), call('x'), { text: 'ok', final: true }], { id: 'a' });
    a.source = { file: 'runs.json', index: 3, line: 40 };
    const b = run([], { id: 'b' });
    const reports = validateTrajectories([a, b], config({ 'no-progress': { severity: 'off' } }));
    const doc = toValidateJson(reports, [{ file: 'runs.json', line: 2, severity: 'warning', code: 'unknown-record', message: 'skipped' }]);
    assert.deepEqual(doc, {
      trajectories: [
        {
          id: 'a',
          source: { file: 'runs.json', index: 3 },
          format: 'generic',
          steps: 4,
          outcome: 'final-answer',
          findings: [{ rule: 'repeated-call', severity: 'warning', steps: [0, 1, 2], message: 'x called 3 times in a row with the same arguments (steps 0–2)', wasted: { tokens: 0, costUsd: 0, ms: 0 } }],
        },
        {
          id: 'b',
          source: { file: 'synthetic.json' },
          format: 'generic',
          steps: 0,
          outcome: 'empty',
          findings: [{ rule: 'empty-trajectory', severity: 'error', steps: [], message: 'empty trajectory: the run has no agent step', wasted: { tokens: 0, costUsd: 0, ms: 0 } }],
        },
      ],
      summary: { trajectories: 2, errors: 1, warnings: 1 },
      diagnostics: [{ file: 'runs.json', line: 2, severity: 'warning', code: 'unknown-record', message: 'skipped' }],
    });
    assert.equal(hasErrors(reports), true);
    assert.equal(hasErrors(reports.slice(0, 1)), false);
    // Plain data: it survives JSON as it is.
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  it('fills canonicalArguments of every call, recomputed with the configuration given', () => {
    const t = run([call('get', { id: 1, ts: 5 })]);
    validateTrajectory(t);
    assert.equal(t.steps[0]?.calls[0]?.canonicalArguments, '{"id":1,"ts":5}');
    validateTrajectory(t, config({}, { volatileFields: { get: ['ts'] } }));
    assert.equal(t.steps[0]?.calls[0]?.canonicalArguments, '{"id":1}');
  });

  it('linear in steps: 20,000 steps with loops everywhere in well under a second', () => {
    const specs: StepSpec[] = [];
    for (let i = 0; i < 5000; i++) specs.push(call('a', { i: i % 7 }), { think: 't' }, call('b', { i: i % 3 }), call('c', { i }));
    const t = run(specs);
    const start = performance.now();
    const fs = validateTrajectory(t, defaultTrajectoryConfig());
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    assert.ok(fs.length > 0);
  });
});
