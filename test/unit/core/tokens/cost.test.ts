import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { anthropicMinCacheTokens, costOfCall } from '../../../../src/core/tokens/pricing/cost';
import { bundledPriceTable, type ModelPrice } from '../../../../src/core/tokens/pricing/priceTable';

const NOW = new Date('2026-11-26T12:00:00Z');
const price = (model: string): ModelPrice => {
  const p = bundledPriceTable().find(model, undefined, NOW);
  assert.ok(p, model);
  return p;
};
const close = (actual: number | undefined, expected: number, what = ''): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
};

describe('core/tokens/pricing/cost', () => {
  it('prices input and output at the table rates', () => {
    const c = costOfCall(price('gpt-4o'), { inputTokens: 1000, outputTokens: 500 });
    close(c.inputUsd, 0.0025, 'input');
    close(c.outputUsd, 0.005, 'output');
    close(c.totalUsd, 0.0075, 'total');
    assert.deepEqual([c.model, c.provider, c.longContext, c.contextWindow, c.overContextWindow], ['gpt-4o', 'openai', false, 128000, false]);
    assert.equal(c.cachedInputUsd, undefined, 'below 1,024 tokens nothing is cached');
    assert.ok(c.notes.some((n) => n.includes('1,024')));
  });

  describe('OpenAI automatic prefix caching', () => {
    it('caches from 1,024 tokens in 128-token steps, at the table cached rate', () => {
      const p = price('gpt-4o');
      assert.equal(costOfCall(p, { inputTokens: 1023, outputTokens: 0 }).cachedTokens, undefined);
      assert.equal(costOfCall(p, { inputTokens: 1024, outputTokens: 0 }).cachedTokens, 1024);
      assert.equal(costOfCall(p, { inputTokens: 1151, outputTokens: 0 }).cachedTokens, 1024);
      assert.equal(costOfCall(p, { inputTokens: 1152, outputTokens: 0 }).cachedTokens, 1152);
      const c = costOfCall(p, { inputTokens: 2000, outputTokens: 0 });
      assert.equal(c.cachedTokens, 1920);
      close(c.cachedInputUsd, (1920 * 1.25 + 80 * 2.5) / 1e6, 'cached input');
      assert.equal(c.cacheWriteUsd, undefined, 'no write fee');
    });

    it('does not guess for models whose caching charges writes', () => {
      const c = costOfCall(price('gpt-5.6-sol'), { inputTokens: 5000, outputTokens: 0 });
      assert.equal(c.cachedInputUsd, undefined);
      assert.ok(c.notes.some((n) => n.includes('not modelled')));
    });
  });

  describe('Anthropic cache_control', () => {
    it('caches only with cache_control, writing at the table price and reading at the cached rate', () => {
      const p = price('claude-sonnet-4-5');
      const plain = costOfCall(p, { inputTokens: 5000, outputTokens: 100 });
      assert.equal(plain.cachedInputUsd, undefined);
      const c = costOfCall(p, { inputTokens: 5000, outputTokens: 100, cacheControl: true });
      assert.equal(c.cachedTokens, 5000);
      close(c.cachedInputUsd, (5000 * 0.3) / 1e6, 'read');
      close(c.cacheWriteUsd, (5000 * (3.75 - 3)) / 1e6, 'write premium');
      close(c.totalUsd, c.inputUsd + c.outputUsd, 'total excludes the write premium');
    });

    it('falls back to 1.25× / 0.1× base input when the table has no cache prices', () => {
      const p: ModelPrice = { id: 'claude-sonnet-4', provider: 'anthropic', inputPerMTok: 4, outputPerMTok: 20 };
      const c = costOfCall(p, { inputTokens: 2000, outputTokens: 0, cacheControl: true });
      close(c.cacheWriteUsd, (2000 * (5 - 4)) / 1e6, 'write');
      close(c.cachedInputUsd, (2000 * 0.4) / 1e6, 'read');
    });

    it('needs the model’s minimum cacheable length', () => {
      const cases: [string, number][] = [
        ['claude-sonnet-4-5', 1024],
        ['claude-sonnet-4-5-20250929', 1024],
        ['claude-opus-4-20250514', 1024],
        ['claude-opus-4-1', 1024],
        ['claude-opus-4.5', 4096],
        ['claude-opus-4-6', 4096],
        ['claude-haiku-4-5', 4096],
        ['claude-3-5-haiku-latest', 2048],
        ['claude-3-haiku-20240307', 2048],
        ['claude-3-7-sonnet-latest', 1024],
        ['anthropic.claude-3-5-haiku-20241022-v1:0', 2048],
      ];
      for (const [model, min] of cases) assert.equal(anthropicMinCacheTokens(model), min, model);
      const haiku = price('claude-3-5-haiku-latest');
      assert.equal(costOfCall(haiku, { inputTokens: 2047, outputTokens: 0, cacheControl: true }).cachedTokens, undefined);
      assert.equal(costOfCall(haiku, { inputTokens: 2048, outputTokens: 0, cacheControl: true }).cachedTokens, 2048);
    });
  });

  describe('Gemini implicit caching', () => {
    it('caches from 4,096 tokens on Pro and 1,024 on Flash', () => {
      const pro = price('gemini-2.5-pro');
      assert.equal(costOfCall(pro, { inputTokens: 4095, outputTokens: 0 }).cachedTokens, undefined);
      const c = costOfCall(pro, { inputTokens: 5000, outputTokens: 0 });
      assert.equal(c.cachedTokens, 5000);
      close(c.cachedInputUsd, (5000 * 0.125) / 1e6, 'pro');
      const flash = costOfCall(price('gemini-2.5-flash'), { inputTokens: 1024, outputTokens: 0 });
      close(flash.cachedInputUsd, (1024 * 0.03) / 1e6, 'flash');
    });

    it('does not assume implicit caching before Gemini 2.5', () => {
      assert.equal(costOfCall(price('gemini-1.5-flash'), { inputTokens: 50000, outputTokens: 0 }).cachedInputUsd, undefined);
    });
  });

  it('models no cache for other providers', () => {
    const c = costOfCall(price('mistral-large-latest'), { inputTokens: 50000, outputTokens: 0 });
    assert.deepEqual([c.cachedInputUsd, c.cachedTokens, c.cacheWriteUsd], [undefined, undefined, undefined]);
  });

  it('bills the whole request at the long-context rate above the threshold', () => {
    const p = price('claude-sonnet-4-5');
    assert.equal(costOfCall(p, { inputTokens: 200000, outputTokens: 0 }).longContext, false, 'at the threshold: regular');
    const c = costOfCall(p, { inputTokens: 250000, outputTokens: 1000, cacheControl: true });
    assert.equal(c.longContext, true);
    close(c.inputUsd, (250000 * 6) / 1e6, 'input');
    close(c.outputUsd, (1000 * 22.5) / 1e6, 'output');
    close(c.cachedInputUsd, (250000 * 0.6) / 1e6, 'cached');
    close(c.cacheWriteUsd, (250000 * (7.5 - 6)) / 1e6, 'write');
    assert.ok(c.overContextWindow, '250k + 1k > 200k window');
    assert.ok(c.notes.some((n) => n.includes('200,000')));
  });

  it('flags calls that do not fit the context window', () => {
    const p = price('gpt-4o');
    assert.equal(costOfCall(p, { inputTokens: 127000, outputTokens: 1000 }).overContextWindow, false);
    assert.equal(costOfCall(p, { inputTokens: 127000, outputTokens: 1001 }).overContextWindow, true);
  });

  it('property: totals add up and caching never costs more than no caching on a repeat', () => {
    const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'claude-3-5-haiku-latest', 'gemini-2.5-pro', 'gemini-2.5-flash', 'mistral-large-latest'].map(price);
    fc.assert(
      fc.property(fc.constantFrom(...models), fc.nat({ max: 400_000 }), fc.nat({ max: 50_000 }), fc.boolean(), (p, inputTokens, outputTokens, cacheControl) => {
        const c = costOfCall(p, { inputTokens, outputTokens, cacheControl });
        assert.ok(Math.abs(c.totalUsd - (c.inputUsd + c.outputUsd)) < 1e-12);
        assert.ok(c.inputUsd >= 0 && c.outputUsd >= 0);
        if (c.cachedInputUsd !== undefined) {
          assert.ok(c.cachedInputUsd <= c.inputUsd + 1e-12);
          assert.ok(c.cachedTokens !== undefined && c.cachedTokens <= inputTokens && c.cachedTokens >= 1024);
        }
        if (p.provider === 'openai' && c.cachedTokens !== undefined) assert.equal((c.cachedTokens - 1024) % 128, 0);
      }),
    );
  });
});
