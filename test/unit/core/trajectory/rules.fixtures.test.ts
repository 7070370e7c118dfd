import * as assert from 'node:assert/strict';
import type { Finding, RuleId } from '../../../../src/core/trajectory/findings';
import type { Trajectory } from '../../../../src/core/trajectory/model';
import { defaultTrajectoryConfig, validateTrajectory } from '../../../../src/core/trajectory/validate';
import { onlyRun, readFixture, step } from './helpers';
import { config } from './rules.helpers';

const repetition: RuleId[] = ['loop', 'repeated-call', 'no-progress', 'error-retry'];
const repeats = (fs: Finding[]): Finding[] => fs.filter((f) => repetition.includes(f.rule));

async function tauRecord(index: number): Promise<Trajectory> {
  const r = await readFixture('tau-bench', 'gpt-4o-airline.json');
  const t = r.trajectories.find((x) => x.source.index === index);
  assert.ok(t, `record ${index}`);
  return t;
}

describe('core/trajectory/rules on the real fixtures', () => {
  describe('tau-bench gpt-4o airline, record 109: book_reservation → the same error → think, over and over', () => {
    it('a loop: think → the same book_reservation (different JSON spacing) → the same error, four times; not the first, different call', async () => {
      const t = await tauRecord(109);
      const fs = validateTrajectory(t);
      assert.deepEqual(
        fs.map((f) => [f.rule, f.severity, f.steps]),
        [
          ['loop', 'error', [30, 31, 32, 33, 34, 35, 36, 37]],
          ['no-final-answer', 'warning', [37]],
        ],
      );
      assert.equal(
        fs[0]?.message,
        "the cycle think → book_reservation ran 4 times in a row with the same arguments, book_reservation failing each time with 'Error: payment amount does not add up, total price is 1203, but paid 833' (steps 30–37)",
      );
      // What the repeats cost: every step after the first think → book_reservation.
      const waste = fs[0]?.wasted;
      assert.ok(waste && waste.ms >= 0 && waste.tokens >= 0);
      // Without the thinking steps as part of the cycle, the same steps are the error-retry it also is.
      const retry = validateTrajectory(t, config({ loop: { severity: 'off' } }));
      assert.deepEqual(retry[0] && [retry[0].rule, retry[0].steps], ['error-retry', [31, 33, 35, 37]]);
      assert.equal(
        retry[0]?.message,
        "book_reservation called 4 times with the same arguments, failing each time with 'Error: payment amount does not add up, total price is 1203, but paid 833' (steps 31, 33, 35, 37)",
      );
      // The spacing differs between the identical payloads; their canonical form does not.
      const [a, b, first] = [step(t, 31).calls[0], step(t, 35).calls[0], step(t, 29).calls[0]];
      assert.notEqual(a?.rawArguments, b?.rawArguments);
      assert.equal(a?.canonicalArguments, b?.canonicalArguments);
      assert.notEqual(first?.canonicalArguments, a?.canonicalArguments, 'the first attempt had total_baggages 6');
      assert.match(first?.canonicalArguments ?? '', /"total_baggages":6/);
      // The steps between the repeats are think steps.
      assert.deepEqual([30, 32, 34, 36].map((i) => step(t, i).kind), ['think', 'think', 'think', 'think']);
    });

    it('what the other rules see, and why they are not reported (precedence)', async () => {
      const t = await tauRecord(109);
      // Four in a row, thinking between: a repeated call, which error-retry (an error) already says.
      const noRetry = validateTrajectory(t, config({ loop: { severity: 'off' }, 'error-retry': { severity: 'off' } }));
      const rc = noRetry.find((f) => f.rule === 'repeated-call');
      assert.deepEqual(rc?.steps, [31, 32, 33, 34, 35, 36, 37]);
      assert.equal(rc?.severity, 'warning');
      assert.match(rc?.message ?? '', /^book_reservation called 4 times in a row with the same arguments, only thinking between \(steps 31, 33, 35, 37\)$/);
      // A failing call is error-retry's: no-progress is about calls that succeed with the same result.
      assert.equal(noRetry.filter((f) => f.rule === 'no-progress').length, 0);
      // With loop.minCycle 1 the single-call cycle is a loop, and the loop takes precedence.
      const asLoop = validateTrajectory(t, config({ loop: { minCycle: 1 } }));
      assert.deepEqual(
        repeats(asLoop).map((f) => [f.rule, f.steps]),
        [['loop', [31, 32, 33, 34, 35, 36, 37]]],
      );
      assert.match(asLoop[0]?.message ?? '', /^the cycle book_reservation ran 4 times in a row with the same arguments, thinking in between, book_reservation failing each time with 'Error: payment amount/);
    });

    it('the whole file: only the four runs with a call repeated 3+ times with the same result get a repetition finding', async () => {
      const r = await readFixture('tau-bench', 'gpt-4o-airline.json');
      assert.equal(r.trajectories.length, 200);
      const hits = r.trajectories.map((t) => ({ index: t.source.index, found: repeats(validateTrajectory(t)) })).filter((x) => x.found.length > 0);
      // research/trajectory.md: 4 of 200 runs, mean reward 0.00; 102 runs repeat a tool name.
      assert.deepEqual(
        hits.map((h) => [h.index, h.found.map((f) => f.rule)]),
        [
          [13, ['error-retry']],
          [58, ['loop']],
          [109, ['loop']],
          [111, ['error-retry']],
        ],
      );
      for (const h of hits) assert.equal(r.trajectories.find((t) => t.source.index === h.index)?.outcome.reward, 0);
    });
  });

  it('mini-swe-agent sqlfluff: 41 bash calls, 40 distinct, one command run twice (not in a row): no finding', async () => {
    const t = await onlyRun('mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json');
    const bash = t.steps.flatMap((s) => s.calls).filter((c) => c.toolName === 'bash');
    assert.equal(bash.length, 41);
    const fs = validateTrajectory(t);
    assert.equal(new Set(bash.map((c) => c.canonicalArguments)).size, 40);
    assert.deepEqual(fs, []);
  });

  it('SWE-agent pydicom: three failing edits (2 and 3 byte-identical) then success: not a loop, not an error retry', async () => {
    const t = await onlyRun('swe-agent', 'pydicom__pydicom-1458.traj');
    assert.deepEqual(validateTrajectory(t), []);
    // Two identical failures are under the threshold; with a threshold of 2 they (and only they) are found.
    const two = validateTrajectory(t, config({ 'error-retry': { minRepeats: 2 } }));
    assert.deepEqual(
      two.map((f) => [f.rule, f.steps]),
      [['error-retry', [6, 7]]],
    );
  });

  it('tau-bench deepseek error record: empty-trajectory only', async () => {
    const t = await onlyRun('tau-bench', 'error-record.deepseek-v3.json');
    const fs = validateTrajectory(t);
    assert.deepEqual(
      fs.map((f) => [f.rule, f.severity, f.steps]),
      [['empty-trajectory', 'error', []]],
    );
    assert.match(fs[0]?.message ?? '', /EOF when reading a line/);
  });

  it('the other real runs (SWE-agent, mini-swe-agent, OpenHands, tau2-bench): no repetition finding', async () => {
    const files: [string, string][] = [
      ['swe-agent', 'marshmallow-code__marshmallow-1867.function_calling.traj'],
      ['swe-agent', '6e44b9__sweagenttestrepo-1c2844.traj'],
      ['mini-swe-agent', 'github_issue.traj.json'],
      ['openhands', 'basic.json'],
      ['openhands', 'basic_gui_mode.json'],
      ['openhands', 'basic_interactions.json'],
      ['openhands', 'wrong_initial_state.json'],
      ['tau2-bench', 'whissle.airline_run1.json'],
    ];
    for (const parts of files) {
      const r = await readFixture(...parts);
      for (const t of r.trajectories) assert.deepEqual(repeats(validateTrajectory(t, defaultTrajectoryConfig())), [], `${parts.join('/')} ${t.id}`);
    }
  });
});
