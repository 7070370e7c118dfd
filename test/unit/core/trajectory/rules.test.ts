import * as assert from 'node:assert/strict';
import type { Finding, RuleId } from '../../../../src/core/trajectory/findings';
import { canonicalArguments, compileConfig } from '../../../../src/core/trajectory/rules/index';
import { stepList } from '../../../../src/core/trajectory/rules/text';
import { defaultTrajectoryConfig, validateTrajectory } from '../../../../src/core/trajectory/validate';
import { call, config, only, run, type StepSpec } from './rules.helpers';

const rulesOf = (fs: Finding[]): RuleId[] => fs.map((f) => f.rule);
const find = (fs: Finding[], rule: RuleId): Finding => {
  const f = fs.find((x) => x.rule === rule);
  assert.ok(f, `a ${rule} finding in ${JSON.stringify(fs, null, 1)}`);
  return f;
};

describe('core/trajectory/rules', () => {
  describe('canonical arguments', () => {
    const cfg = compileConfig(defaultTrajectoryConfig());
    const canon = (args: unknown, tool = 't', c = cfg) => canonicalArguments({ toolName: tool, arguments: args as never, isError: false }, c);

    it('sorts keys and ignores JSON spacing; a raw string holding JSON is parsed first', () => {
      const a = canon({ b: 1, a: [1, { y: 2, x: 1 }] });
      assert.equal(a, '{"a":[1,{"x":1,"y":2}],"b":1}');
      assert.equal(canon('{"b": 1,   "a": [1, {"x": 1, "y": 2}]}'), a);
      assert.equal(canon('  {"a":[1,{"y":2,"x":1}],"b":1}\n'), a);
    });

    it('compares other text trimmed, and keeps text that only looks like JSON', () => {
      assert.equal(canon('ls -la\n'), canon('ls -la'));
      assert.notEqual(canon('ls  -la'), canon('ls -la'));
      assert.equal(canon('{not json'), '"{not json"');
    });

    it('drops volatile fields per tool and for every tool ("*"), through lists, with * and ** paths', () => {
      const c = compileConfig({
        ...defaultTrajectoryConfig(),
        volatileFields: { book: ['payment.id', 'items.ts'], '*': ['request_id', '**.nonce'], poll: ['meta.*'] },
      });
      assert.equal(canon({ payment: { id: 'p1', amount: 3 }, items: [{ ts: 1, n: 'a' }, { ts: 2, n: 'b' }], request_id: 'r9' }, 'book', c), '{"items":[{"n":"a"},{"n":"b"}],"payment":{"amount":3}}');
      assert.equal(canon({ a: { b: [{ nonce: 1, keep: true }] }, nonce: 2 }, 'other', c), '{"a":{"b":[{"keep":true}]}}');
      assert.equal(canon({ meta: { x: 1, y: { z: 2 } }, q: 1 }, 'poll', c), '{"meta":{},"q":1}');
      // The payment id only matters to `book`.
      assert.equal(canon({ payment: { id: 'p1' } }, 'other', c), '{"payment":{"id":"p1"}}');
    });
  });

  describe('repeated-call', () => {
    it('warns at 3 identical calls in a row, errors at 5, and names the steps', () => {
      const three = validateTrajectory(run([call('ls'), call('ls'), call('ls'), { text: 'done', final: true }]), only('repeated-call'));
      assert.equal(three.length, 1);
      assert.deepEqual(three[0], {
        rule: 'repeated-call',
        severity: 'warning',
        steps: [0, 1, 2],
        message: 'ls called 3 times in a row with the same arguments (steps 0–2)',
        wasted: { tokens: 0, costUsd: 0, ms: 0 },
      });
      const five = validateTrajectory(run(Array.from({ length: 5 }, () => call('read', { path: 'a.py' }))), only('repeated-call'));
      assert.equal(five[0]?.severity, 'error');
      assert.match(five[0]?.message ?? '', /^read called 5 times in a row with the same arguments \{"path":"a.py"\}/);
    });

    it('two in a row is not a finding; the same tool with other arguments is not a repeat', () => {
      assert.deepEqual(validateTrajectory(run([call('ls'), call('ls'), call('cat', { f: 1 }), call('ls')]), only('repeated-call')), []);
      const bash = Array.from({ length: 10 }, (_, i) => call('bash', { command: `echo ${i}` }));
      assert.deepEqual(validateTrajectory(run(bash)), []);
    });

    it('think steps between repeats do not break the streak; a user message does', () => {
      const withThinks = validateTrajectory(run([call('get', { id: 1 }), { think: 'hmm' }, call('get', { id: 1 }), { think: 'hmm' }, call('get', { id: 1 })]), only('repeated-call'));
      assert.equal(withThinks.length, 1);
      assert.deepEqual(withThinks[0]?.steps, [0, 1, 2, 3, 4]);
      assert.match(withThinks[0]?.message ?? '', /\{"id":1\}, only thinking between \(steps 0, 2, 4\)$/);
      const withUser = validateTrajectory(run([call('get', { id: 1 }), call('get', { id: 1 }), { user: 'again please' }, call('get', { id: 1 })]), only('repeated-call'));
      assert.deepEqual(withUser, []);
    });

    it('wasted: the steps after the first one, think steps between included', () => {
      const fs = validateTrajectory(run([call('get'), { think: 'x' }, call('get'), call('get')], { perStep: { tokens: 100, costUsd: 0.01, ms: 1000 } }), only('repeated-call'));
      assert.deepEqual(fs[0]?.wasted, { tokens: 300, costUsd: 0.03, ms: 3000 });
    });

    it('parallel calls: a step is the multiset of its calls; polling tools are exempt', () => {
      const par = (a: number, b: number): StepSpec => ({ calls: [call('a', { n: a }), call('b', { n: b })] });
      assert.equal(validateTrajectory(run([par(1, 2), par(1, 2), par(1, 2)]), only('repeated-call')).length, 1);
      assert.deepEqual(validateTrajectory(run([par(1, 2), par(1, 3), par(1, 2)]), only('repeated-call')), []);
      const polling = run(Array.from({ length: 6 }, () => call('job_status', { id: 7 }, 'running')));
      assert.deepEqual(validateTrajectory(polling, config({}, { pollingTools: ['job_status'] })), []);
      assert.ok(validateTrajectory(polling).length > 0);
      // SWE-agent's scroll_down is a polling tool by default: the same call shows the next window.
      const scrolling = run([call('open', { path: 'a.py' }, 'lines 1-100'), call('scroll_down', {}, 'lines 101-200'), call('scroll_down', {}, 'lines 201-300'), call('scroll_down', {}, 'lines 301-400'), { text: 'found it', final: true }]);
      assert.deepEqual(validateTrajectory(scrolling), []);
    });

    it('volatile fields configured for a tool make otherwise different calls identical', () => {
      const t = run([call('search', { q: 'x', request_id: 1 }), call('search', { q: 'x', request_id: 2 }), call('search', { q: 'x', request_id: 3 })]);
      assert.deepEqual(validateTrajectory(t, only('repeated-call')), []);
      const c = only('repeated-call');
      c.volatileFields = { search: ['request_id'] };
      assert.equal(validateTrajectory(t, c).length, 1);
    });
  });

  describe('loop', () => {
    const ab = (i: number): StepSpec[] => [call('search', { q: 'invoice' }, 'see billing'), call('get_invoice', { month: i }, '503', true)];

    it('finds A → B three times, with the failing element named', () => {
      const t = run([{ user: 'go' }, ...ab(3), ...ab(3), ...ab(3), { text: 'sorry', final: true }]);
      const fs = validateTrajectory(t);
      assert.deepEqual(rulesOf(fs), ['loop']);
      const f = fs[0] as Finding;
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.steps, [1, 2, 3, 4, 5, 6]);
      assert.equal(f.message, "the cycle search → get_invoice ran 3 times in a row with the same arguments, search returning the same result each time, get_invoice failing each time with '503' (steps 1–6)");
    });

    it('skips think steps wherever they are, and counts them in the steps and the waste', () => {
      const t = run([call('a'), { think: '1' }, call('b'), call('a'), call('b'), { think: '2' }, { think: '3' }, call('a'), call('b')], { perStep: { tokens: 10 } });
      const fs = validateTrajectory(t, only('loop'));
      assert.equal(fs.length, 1);
      assert.deepEqual(fs[0]?.steps, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
      assert.match(fs[0]?.message ?? '', /thinking in between/);
      // The first cycle is steps 0–2 (a, think, b); the rest is waste.
      assert.equal(fs[0]?.wasted.tokens, 60);
    });

    it('a cycle broken by a user message, or repeated only twice, is not a loop', () => {
      assert.deepEqual(validateTrajectory(run([...ab(1), ...ab(1), { user: 'try again' }, ...ab(1)]), only('loop')), []);
      assert.deepEqual(validateTrajectory(run([...ab(1), ...ab(1), call('c')]), only('loop')), []);
    });

    it('cycles of 3, 4 and 5; longer ones only when maxCycle allows', () => {
      for (const p of [3, 4, 5, 6]) {
        const unit = Array.from({ length: p }, (_, i) => call(`t${i}`));
        const t = run([...unit, ...unit, ...unit]);
        const fs = validateTrajectory(t, only('loop'));
        assert.equal(fs.length, p <= 5 ? 1 : 0, `period ${p}`);
        if (p === 6) assert.equal(validateTrajectory(t, config({ loop: { maxCycle: 6 } })).filter((f) => f.rule === 'loop').length, 1);
      }
    });

    it('a single call repeated is repeated-call, not a loop (unless minCycle is 1)', () => {
      const t = run([call('a'), call('a'), call('a'), call('a')]);
      assert.deepEqual(rulesOf(validateTrajectory(t, only('loop'))), []);
      assert.deepEqual(rulesOf(validateTrajectory(t, config({ loop: { minCycle: 1 } }))), ['loop']);
    });

    it('a retry with changed arguments after an error is not a loop, nor an error retry', () => {
      const t = run([call('book', { amount: 1 }, 'Error: bad', true), { think: 'fix' }, call('book', { amount: 2 }, 'Error: bad', true), { think: 'fix' }, call('book', { amount: 3 }, 'Error: bad', true), call('book', { amount: 4 }, 'booked')]);
      assert.deepEqual(rulesOf(validateTrajectory(t)), ['tool-error']);
      assert.deepEqual(rulesOf(validateTrajectory(t, config({ 'tool-error': { severity: 'off' } }))), []);
    });

    it('a cycle of polling calls only is exempt; one with a real call in it is not', () => {
      const poll = [call('wait', { s: 5 }), call('status', { id: 1 }, 'running')];
      const cfg = config({}, { pollingTools: ['wait', 'status'] });
      assert.deepEqual(validateTrajectory(run([...poll, ...poll, ...poll, ...poll]), cfg), []);
      const mixed = [call('submit', { id: 1 }), call('status', { id: 1 }, 'running')];
      assert.deepEqual(rulesOf(validateTrajectory(run([...mixed, ...mixed, ...mixed]), cfg)), ['loop']);
    });
  });

  describe('error-retry and no-progress', () => {
    it('error-retry: the same call failing 3 times anywhere, with the error quoted', () => {
      const t = run([call('pay', { n: 1 }, 'Error: declined', true), call('look'), call('pay', { n: 1 }, 'Error: declined', true), { user: 'try again' }, call('pay', { n: 1 }, 'Error: declined', true)]);
      const f = find(validateTrajectory(t), 'error-retry');
      assert.deepEqual(f.steps, [0, 2, 4]);
      assert.equal(f.message, `pay called 3 times with the same arguments {"n":1}, failing each time with 'Error: declined' (steps 0, 2, 4)`);
    });

    it('error-retry: different errors and successes in between are said so', () => {
      const t = run([call('pay', {}, 'Error: a', true), call('pay', {}, 'ok'), call('pay', {}, 'Error: b', true), call('x'), call('pay', {}, 'Error: c', true)]);
      const f = find(validateTrajectory(t, only('error-retry')), 'error-retry');
      assert.match(f.message, /^pay called 4 times with the same arguments, failing 3 of them with 3 different errors, the last 'Error: c' \(steps 0, 2, 4\)$/);
    });

    it('two failures are under the threshold', () => {
      assert.deepEqual(validateTrajectory(run([call('pay', {}, 'E', true), call('x'), call('pay', {}, 'E', true)]), only('error-retry')), []);
    });

    it('no-progress: the same call with the same result 3 times (not in a row); a new result is progress', () => {
      const t = run([call('list', {}, '[]'), call('create'), call('list', {}, '[]'), call('other'), call('list', {}, '[]')]);
      const f = find(validateTrajectory(t), 'no-progress');
      assert.deepEqual(f.steps, [0, 2, 4]);
      assert.equal(f.message, "list called 3 times with the same arguments, returning the same result each time: '[]' (steps 0, 2, 4)");
      const progress = run([call('list', {}, '[]'), call('create'), call('list', {}, '[1]'), call('other'), call('list', {}, '[1]')]);
      assert.deepEqual(validateTrajectory(progress), []);
    });

    it('no-progress: results compared with whitespace normalised; polling tools exempt; unrecorded results never count', () => {
      const t = run([call('status', {}, 'idle\n'), call('x'), call('status', {}, '  idle'), call('y'), call('status', {}, 'idle')]);
      assert.equal(validateTrajectory(t, only('no-progress')).length, 1);
      assert.deepEqual(validateTrajectory(t, config({}, { pollingTools: ['status'] })), []);
      const none = run([{ tool: 'a' }, call('x'), { tool: 'a' }, call('y'), { tool: 'a' }]);
      assert.deepEqual(validateTrajectory(none, only('no-progress')), []);
    });
  });

  describe('tool-error', () => {
    it('above the rate with enough calls; think calls do not count', () => {
      const t = run([call('a', { i: 1 }, 'E', true), call('a', { i: 2 }, 'E', true), call('b', { i: 3 }, 'E', true), call('c'), { think: 'x' }, { think: 'y' }]);
      const f = find(validateTrajectory(t), 'tool-error');
      assert.equal(f.severity, 'warning');
      assert.equal(f.message, '3 of 4 tool calls failed (75%, above 50%): a ×2, b (steps 0–2)');
      assert.deepEqual(validateTrajectory(run([call('a', {}, 'E', true), call('b', {}, 'E', true), call('c')])), [], 'fewer than minCalls');
      assert.deepEqual(validateTrajectory(run([call('a', { i: 1 }, 'E', true), call('a', { i: 2 }, 'E', true), call('c'), call('d')])), [], 'exactly at the rate is fine');
    });
  });

  describe('max-steps, no-final-answer, empty-trajectory, budgets', () => {
    it('max-steps counts agent steps only and names the ones beyond', () => {
      const t = run([{ user: 'u' }, call('a', { i: 1 }), { think: 't' }, call('a', { i: 2 }), { user: 'v' }, call('a', { i: 3 }), { text: 'ok', final: true }], { perStep: { costUsd: 0.5 } });
      const fs = validateTrajectory(t, config({ 'max-steps': { max: 3 } }));
      const f = find(fs, 'max-steps');
      assert.deepEqual(f.steps, [5, 6]);
      assert.equal(f.message, '5 agent steps, more than the maximum of 3 (steps 5, 6 are beyond it)');
      assert.equal(f.wasted.costUsd, 1);
      assert.deepEqual(validateTrajectory(t, config({ 'max-steps': { max: 5 } })), []);
    });

    it('no-final-answer for runs stopped by a limit, an error or just ending; not for empty runs', () => {
      const t = run([call('a')], { outcome: { status: 'limit', reason: 'stopped after 30 turns' } });
      const f = find(validateTrajectory(t), 'no-final-answer');
      assert.equal(f.message, 'the run was stopped by a limit before a final answer: stopped after 30 turns');
      assert.deepEqual(f.steps, [0]);
      const crashed = run([call('a')], { outcome: { status: 'error', reason: 'the agent crashed', error: 'KeyError' } });
      assert.equal(find(validateTrajectory(crashed), 'no-final-answer').message, 'the run failed before a final answer: the agent crashed (KeyError)');
      const empty = run([{ user: 'hi' }], { outcome: { status: 'empty', reason: 'the run has no agent step: it crashed (EOF)' } });
      assert.deepEqual(rulesOf(validateTrajectory(empty)), ['empty-trajectory']);
      assert.equal(validateTrajectory(empty)[0]?.message, 'empty trajectory: the run has no agent step: it crashed (EOF) (step 0)');
    });

    it('budgets are silent without a maximum; over it, the steps from the crossing on', () => {
      const t = run([call('a', { i: 1 }), call('a', { i: 2 }), call('a', { i: 3 }), { text: 'ok', final: true }], { perStep: { tokens: 1000, costUsd: 0.4, ms: 30_000 } });
      assert.deepEqual(validateTrajectory(t), []);
      const fs = validateTrajectory(t, config({ 'budget-tokens': { max: 2500 }, 'budget-cost': { maxUsd: 1 }, 'budget-time': { maxMs: 60_000 } }));
      assert.deepEqual(rulesOf(fs), ['budget-tokens', 'budget-cost', 'budget-time']);
      assert.equal(find(fs, 'budget-tokens').message, 'the run used 4,000 tokens, over the budget of 2,500 tokens; over budget from step 2 (steps 2, 3)');
      assert.deepEqual(find(fs, 'budget-tokens').wasted, { tokens: 2000, costUsd: 0.8, ms: 60000 });
      assert.equal(find(fs, 'budget-cost').message, 'the run cost $1.60, over the budget of $1.00; over budget from step 2 (steps 2, 3)');
      assert.equal(find(fs, 'budget-time').message, 'the run took 2 min, over the budget of 60 s; over budget from step 2 (steps 2, 3)');
    });

    it('budgets with run totals only (no per-step figures) point at the last step', () => {
      const t = run([call('a'), { text: 'ok', final: true }]);
      t.totals.tokens = { input: 120_000, output: 1000 };
      t.totals.costUsd = 1.27;
      const fs = validateTrajectory(t, config({ 'budget-cost': { maxUsd: 1 } }));
      assert.deepEqual(fs.map((f) => [f.rule, f.steps, f.message]), [['budget-cost', [1], 'the run cost $1.27, over the budget of $1.00']]);
    });
  });

  describe('expected-trajectory', () => {
    const t = run([call('get_user', { id: 'u1' }), { think: 'plan' }, call('search', { from: 'JFK', to: 'SFO', date: '05-26' }), call('book', { flight: 'HAT1', pay: 'card_7' }), { text: 'booked', final: true }]);
    const check = (order: 'strict' | 'unordered' | 'subset' | 'superset', args: 'exact' | 'ignore' | 'subset' | 'superset', calls: { tool: string; args?: unknown }[]) =>
      validateTrajectory(t, config({ 'expected-trajectory': { order, arguments: args, calls: calls as never } })).filter((f) => f.rule === 'expected-trajectory');

    const all = [
      { tool: 'get_user', args: { id: 'u1' } },
      { tool: 'search', args: { from: 'JFK', to: 'SFO', date: '05-26' } },
      { tool: 'book', args: { flight: 'HAT1', pay: 'card_7' } },
    ];

    it('silent without calls; think calls are not part of the run unless named', () => {
      assert.deepEqual(validateTrajectory(t), []);
      assert.deepEqual(check('strict', 'exact', all), []);
    });

    it('strict: order and count matter; the first difference is named', () => {
      const f = check('strict', 'exact', [all[1], all[0], all[2]] as never);
      assert.equal(f.length, 1);
      assert.match(f[0]?.message ?? '', /call 1 \(step 0\) is get_user\(\{"id":"u1"\}\), expected search\(/);
      assert.match(check('strict', 'exact', all.slice(0, 2))[0]?.message ?? '', /unexpected book\(.*\) at step 3/);
    });

    it('unordered: any order, but nothing missing or extra', () => {
      assert.deepEqual(check('unordered', 'exact', [all[2], all[0], all[1]] as never), []);
      assert.match(check('unordered', 'exact', [...all, { tool: 'refund' }])[0]?.message ?? '', /missing refund/);
    });

    it('superset: reference calls present, extras allowed; subset: no call outside the reference', () => {
      assert.deepEqual(check('superset', 'exact', [all[2]] as never), []);
      assert.match(check('superset', 'exact', [{ tool: 'cancel' }])[0]?.message ?? '', /superset, arguments exact\): missing cancel$/);
      assert.deepEqual(check('subset', 'exact', [...all, { tool: 'cancel' }]), []);
      const sub = check('subset', 'ignore', [{ tool: 'get_user' }, { tool: 'search' }]);
      assert.deepEqual(sub[0]?.steps, [3]);
    });

    it('argument modes: ignore, subset (run ⊆ expected), superset (run ⊇ expected), absent args', () => {
      assert.deepEqual(check('superset', 'ignore', [{ tool: 'book', args: { flight: 'X' } }]), []);
      assert.deepEqual(check('superset', 'superset', [{ tool: 'book', args: { flight: 'HAT1' } }]), []);
      assert.equal(check('superset', 'subset', [{ tool: 'book', args: { flight: 'HAT1' } }]).length, 1);
      assert.deepEqual(check('superset', 'subset', [{ tool: 'book', args: { flight: 'HAT1', pay: 'card_7', insurance: 'no' } }]), []);
      assert.equal(check('superset', 'exact', [{ tool: 'book', args: { flight: 'HAT1' } }]).length, 1);
      assert.deepEqual(check('superset', 'exact', [{ tool: 'book' }]), []);
    });

    it('volatile fields are dropped on both sides before comparing', () => {
      const c = config({ 'expected-trajectory': { order: 'superset', arguments: 'exact', calls: [{ tool: 'book', args: { flight: 'HAT1', pay: 'other' } }] } }, { volatileFields: { book: ['pay'] } });
      assert.deepEqual(validateTrajectory(t, c), []);
    });
  });

  it('stepList compresses ranges and long lists', () => {
    assert.equal(stepList([3]), 'step 3');
    assert.equal(stepList([3, 7, 11, 15]), 'steps 3, 7, 11, 15');
    assert.equal(stepList([1, 2, 3, 5, 6, 9]), 'steps 1–3, 5, 6, 9');
    assert.match(
      stepList(Array.from({ length: 40 }, (_, i) => i * 2)),
      /^steps 0, 2, 4, .*, 22, … \(40 steps\)$/,
    );
  });

  it('severity off silences a rule; the severity setting is used', () => {
    const t = run([call('a'), call('a'), call('a')]);
    assert.deepEqual(validateTrajectory(t, config({ 'repeated-call': { severity: 'off' }, 'no-progress': { severity: 'off' } })), []);
    assert.equal(validateTrajectory(t, config({ 'repeated-call': { severity: 'info' }, 'no-progress': { severity: 'off' } }))[0]?.severity, 'info');
  });
});
