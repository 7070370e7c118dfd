import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RuleId } from '../../../../src/core/trajectory/findings';
import { canonicalJson } from '../../../../src/core/trajectory/json';
import type { JsonValue } from '../../../../src/core/trajectory/model';
import { canonical } from '../../../../src/core/trajectory/rules/context';
import { findCycles } from '../../../../src/core/trajectory/rules/index';
import { validateTrajectory } from '../../../../src/core/trajectory/validate';
import { call, run, type StepSpec } from './rules.helpers';

const repetition: RuleId[] = ['loop', 'repeated-call', 'no-progress', 'error-retry'];

/** Brute force: some primitive unit of length minP..maxP repeats ≥ minRepeats times in a row (negative entries match nothing). */
function naiveHasCycle(seq: number[], minP: number, maxP: number, minRepeats: number): boolean {
  for (let s = 0; s < seq.length; s++) {
    for (let p = minP; p <= maxP; p++) {
      const unit = seq.slice(s, s + p);
      if (unit.length < p || unit.some((x) => x < 0)) continue;
      const primitive = ![...Array(p).keys()].slice(1).some((d) => p % d === 0 && unit.every((x, i) => i < d || x === unit[i - d]));
      if (!primitive) continue;
      let r = 1;
      while (s + (r + 1) * p <= seq.length && unit.every((x, i) => seq[s + r * p + i] === x)) r++;
      if (r >= minRepeats) return true;
    }
  }
  return false;
}

describe('core/trajectory/rules: property tests of the loop detector', () => {
  it('the fast canonical form is json.ts canonicalJson, and does not depend on key order or spacing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const value = v as JsonValue;
        assert.equal(canonical(value), canonicalJson(value));
        const text = JSON.stringify(value, null, 2);
        assert.equal(canonical(JSON.parse(text) as JsonValue), canonicalJson(value));
      }),
      { numRuns: 1000 },
    );
    const proto = JSON.parse('{"b":1,"__proto__":{"x":1}}') as JsonValue;
    assert.equal(canonical(proto), '{"__proto__":{"x":1},"b":1}');
    assert.equal(canonical(proto), canonicalJson(proto));
  });

  // Noise and repeated units (often too few repeats, or broken by a user step): many near misses and many hits.
  const sequences = fc
    .array(
      fc.oneof(
        fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }),
        fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 })).map(([unit, r]) => Array.from({ length: r }, () => unit).flat()),
      ),
      { maxLength: 8 },
    )
    .map((chunks) => {
      let breaks = 0;
      return chunks.flat().map((x) => (x < 0 ? -1 - breaks++ : x)); // every break is unique
    });

  it('findCycles finds a cycle exactly when brute force does; what it returns is disjoint, periodic, primitive and long enough', () => {
    let hits = 0;
    fc.assert(
      fc.property(sequences, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 6 }), fc.integer({ min: 2, max: 4 }), (seq, minCycle, maxCycle, minRepeats) => {
        const cycles = findCycles(seq, { minCycle, maxCycle, minRepeats });
        assert.equal(cycles.length > 0, naiveHasCycle(seq, minCycle, maxCycle, minRepeats), JSON.stringify(seq));
        if (cycles.length > 0) hits++;
        let end = 0;
        for (const c of cycles) {
          assert.ok(c.start >= end, 'disjoint and sorted');
          end = c.start + c.length;
          assert.ok(c.period >= minCycle && c.period <= maxCycle);
          assert.ok(c.length >= minRepeats * c.period);
          for (let i = c.start + c.period; i < end; i++) assert.equal(seq[i], seq[i - c.period]);
          assert.ok(naiveHasCycle(seq.slice(c.start, end), c.period, c.period, minRepeats), 'primitive unit');
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(hits > 300, `enough sequences with a cycle (${hits})`);
  });

  it('a planted cycle (length 2–5, repeated 3+ times, think steps anywhere) is found and covers the planted calls', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
        fc.boolean(),
        (prefix, period, repeats, suffix, thinkAt, fails) => {
          const specs: StepSpec[] = [{ user: 'do it' }];
          const planted: number[] = [];
          let k = 0;
          const push = (s: StepSpec, isPlanted = false): void => {
            if (thinkAt[k++ % thinkAt.length]) specs.push({ think: `thinking ${k}` });
            if (isPlanted) planted.push(specs.length);
            specs.push(s);
          };
          // Everything outside the cycle is a different command; the cycle's are different from each other.
          for (let i = 0; i < prefix; i++) push(call('bash', { command: `prefix ${i}` }, `out ${i}`));
          for (let r = 0; r < repeats; r++) for (let j = 0; j < period; j++) push(call('bash', { command: `cycle ${j}` }, fails && j === 0 ? 'Error: no' : `same ${j}`, fails && j === 0), true);
          for (let i = 0; i < suffix; i++) push(call('bash', { command: `suffix ${i}` }, `out ${i}`));
          specs.push({ text: 'done', final: true });
          const findings = validateTrajectory(run(specs));
          const loops = findings.filter((f) => f.rule === 'loop');
          assert.equal(loops.length, 1, JSON.stringify(findings));
          const steps = loops[0]?.steps ?? [];
          for (const p of planted) assert.ok(steps.includes(p), `step ${p} in ${JSON.stringify(steps)}`);
          assert.equal(steps[0], planted[0]);
          assert.equal(steps[steps.length - 1], planted[planted.length - 1]);
          // The loop says it all: no other repetition finding on the same steps.
          assert.deepEqual(
            findings.filter((f) => repetition.includes(f.rule) && f.rule !== 'loop'),
            [],
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a sequence without any repeated call gives no loop (nor any repetition finding)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('call', 'think', 'user', 'text'), { maxLength: 80 }), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), (kinds, errs) => {
        const specs: StepSpec[] = kinds.map((kind, i) =>
          kind === 'call' ? call(`tool${i % 3}`, { i }, 'same result', errs[i] ?? false) : kind === 'think' ? { think: 'same thought' } : kind === 'user' ? { user: `u${i}` } : { text: `reply ${i}` },
        );
        const findings = validateTrajectory(run(specs));
        assert.deepEqual(
          findings.filter((f) => repetition.includes(f.rule)),
          [],
        );
      }),
      { numRuns: 500 },
    );
  });

  it('the same tool called with all-different arguments never gives a finding', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 49 }), fc.array(fc.constantFrom('', 'ok', 'same'), { minLength: 49, maxLength: 49 }), (commands, results) => {
        const specs: StepSpec[] = commands.map((command, i) => call('bash', { command }, results[i] ?? ''));
        specs.push({ text: 'done', final: true });
        assert.deepEqual(validateTrajectory(run(specs)), []);
      }),
      { numRuns: 500 },
    );
  });
});
