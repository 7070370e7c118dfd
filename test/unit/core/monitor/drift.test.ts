import * as assert from 'node:assert/strict';
import { categoricalPsi, compareCalls, kolmogorovQ, ks2, psi } from '../../../../src/core/monitor/drift';
import type { CallRecord } from '../../../../src/core/monitor/types';
import { call } from './callsHelpers';

const close = (a: number | null | undefined, b: number, eps = 1e-6) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A deterministic pseudo-normal sample (Box–Muller over a 32-bit LCG): reproducible without a dependency. */
function normal(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('core/monitor/drift', () => {
  describe('PSI', () => {
    it('deciles of the baseline; empty bins at epsilon: hand-computed values', () => {
      const base = range(1, 100); // deciles at 10, 20, …, 90: ten bins of ten
      // Half the current at each end: a = [.5, 0 ×8, .5] against e = .1 each, epsilon 1e-4.
      const ends = psi(base, [...Array<number>(50).fill(1), ...Array<number>(50).fill(100)]);
      assert.equal(ends.bins.length, 10);
      assert.deepEqual(
        ends.bins.map((b) => b.upper),
        [10, 20, 30, 40, 50, 60, 70, 80, 90, Infinity],
      );
      close(ends.psi, 2 * (0.5 - 0.1) * Math.log(0.5 / 0.1) + 8 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1));
      close(ends.psi, 6.808228, 1e-6);
      // Shifted by 10: the first bin empties, the last doubles.
      const shifted = psi(base, range(11, 110));
      close(shifted.psi, (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + (0.2 - 0.1) * Math.log(2), 1e-9);
      close(shifted.psi, 0.759400, 1e-6);
    });

    it('identical samples: 0; a side empty: NaN; tied edges merge bins', () => {
      const base = range(1, 100);
      assert.equal(psi(base, base).psi, 0);
      assert.ok(Number.isNaN(psi([], base).psi));
      const ties = psi([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], [1, 2, 3]);
      assert.ok(ties.bins.length < 10);
      assert.ok(psi([5, 5, 5, 5], [100, 100]).psi > 1, 'a constant baseline still sees a shift');
    });

    it('categorical PSI over the union of categories, by hand', () => {
      close(categoricalPsi({ search: 50, lookup: 50 }, { search: 90, lookup: 10 }), 0.4 * Math.log(1.8) + -0.4 * Math.log(0.2), 1e-12);
      close(categoricalPsi({ search: 50, lookup: 50 }, { search: 90, lookup: 10 }), 0.878890, 1e-6);
      assert.equal(categoricalPsi({ a: 3, b: 1 }, { a: 6, b: 2 }), 0);
      // A category only in the current set counts through epsilon.
      close(categoricalPsi({ t: 10 }, { t: 10, r: 10 }), (0.5 - 1) * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 1e-12);
    });
  });

  describe('KS', () => {
    it('Kolmogorov’s distribution at its published critical values', () => {
      // P(K > λ): scipy.stats.kstwobign.sf(1.0) = 0.26999967167735456; 1.2238, 1.3581, 1.6276 are the 10%, 5%, 1% critical values.
      close(kolmogorovQ(1.0), 0.26999967167735456, 1e-12);
      close(kolmogorovQ(1.2238), 0.1, 1e-4);
      close(kolmogorovQ(1.3581), 0.05, 1e-4);
      close(kolmogorovQ(1.6276), 0.01, 1e-4);
      assert.equal(kolmogorovQ(0.1), 1);
    });

    it('the two-sample statistic by hand, and the asymptotic p-value with Stephens’ correction', () => {
      // F1 − F2 at 5: 1 − 3/6 = 0.5, the largest gap.
      const r = ks2([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]);
      assert.equal(r.statistic, 0.5);
      const en = Math.sqrt(30 / 11);
      close(r.pValue, kolmogorovQ((en + 0.12 + 0.11 / en) * 0.5), 1e-12);
      const same = ks2([1, 2, 3], [1, 2, 3]);
      assert.deepEqual(same, { statistic: 0, pValue: 1 });
      // Large samples a standard deviation apart: certainly different; two draws of one law: not.
      assert.ok(ks2(normal(500, 0, 1, 1), normal(500, 1, 1, 2)).pValue < 1e-6);
      assert.ok(ks2(normal(500, 0, 1, 3), normal(500, 0, 1, 4)).pValue > 0.01);
    });
  });

  describe('compareCalls', () => {
    const calls = (n: number, seed: number, over: (i: number) => Partial<CallRecord> = () => ({})) => {
      const lat = normal(n, 1000, 100, seed);
      const tok = normal(n, 2000, 200, seed + 7);
      return lat.map((d, i) => call({ durationMs: Math.max(1, d), inputTokens: Math.round(tok[i] as number), outputTokens: 100 + (i % 50), ...over(i) }));
    };

    it('the same calls: PSI 0, KS p 1, no drift', () => {
      const a = calls(400, 10);
      const r = compareCalls(a, a);
      assert.equal(r.inputTokens.psi, 0);
      assert.equal(r.latencyMs.ks.pValue, 1);
      assert.equal(r.inputTokens.level, 'none');
      assert.deepEqual(r.drifted, []);
      assert.deepEqual([r.baseline.requests, r.current.requests], [400, 400]);
    });

    it('another sample of the same traffic: no drift', () => {
      const r = compareCalls(calls(400, 10), calls(400, 20));
      assert.ok((r.latencyMs.psi ?? 1) < 0.1, String(r.latencyMs.psi));
      assert.deepEqual(r.drifted, []);
    });

    it('shifted latency and longer prompts, a new tool mix, new finish reasons and error types: drift', () => {
      const base = calls(400, 10, (i) => ({ finishReasons: ['stop'], error: i % 20 === 0, errorType: 'Timeout' }));
      const tools = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => call({ kind: 'tool', operation: 'execute_tool', tool: name(i) }));
      const cur = calls(400, 20, (i) => ({ durationMs: 1500 + (i % 100), inputTokens: 3000 + i, finishReasons: [i % 2 ? 'stop' : 'length'], error: i % 20 === 0, errorType: i % 40 === 0 ? 'Timeout' : 'RateLimit' }));
      const r = compareCalls([...base, ...tools(100, (i) => (i % 2 ? 'search' : 'lookup'))], [...cur, ...tools(100, (i) => (i % 10 ? 'search' : 'lookup'))]);
      assert.equal(r.latencyMs.level, 'drift');
      assert.ok(r.latencyMs.ks.significant);
      assert.ok((r.latencyMs.ks.pValue ?? 1) < 1e-10);
      assert.equal(r.inputTokens.level, 'drift');
      assert.equal(r.outputTokens.level, 'none', 'output lengths did not change');
      assert.equal(r.tools.level, 'drift');
      assert.deepEqual(r.tools.current, { search: 90, lookup: 10 });
      close(r.tools.psi, 0.878890, 1e-6);
      assert.equal(r.finishReasons.level, 'drift');
      assert.equal(r.errorTypes.level, 'drift');
      assert.deepEqual(r.drifted, ['inputTokens', 'latencyMs', 'tools', 'finishReasons', 'errorTypes']);
      // Thresholds from agentops.yaml: a lenient PSI bound turns the tool mix into a moderate shift.
      const lenient = compareCalls([...base, ...tools(100, (i) => (i % 2 ? 'search' : 'lookup'))], [...cur, ...tools(100, (i) => (i % 10 ? 'search' : 'lookup'))], { psiDrift: 1, psiModerate: 0.5 });
      assert.equal(lenient.tools.level, 'moderate');
    });

    it('no calls on a side: no-data, never drift', () => {
      const r = compareCalls([], calls(10, 1));
      assert.equal(r.latencyMs.level, 'no-data');
      assert.equal(r.latencyMs.psi, null);
      assert.deepEqual(r.drifted, []);
    });
  });
});
