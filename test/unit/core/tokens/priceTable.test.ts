import * as assert from 'node:assert/strict';
import { calcPrice, waitForUpdate } from '@pydantic/genai-prices';
import { InputError } from '../../../../src/core/errors';
import {
  bundledPriceTable,
  bundledProviderIds,
  parsePriceOverrides,
  priceTableFromData,
  providerOf,
  withOverrides,
} from '../../../../src/core/tokens/pricing/priceTable';

const NOW = new Date('2026-11-26T12:00:00Z');

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an InputError');
}

/** A small v2 data.json with one provider and the shapes that matter. */
const fixture = () => [
  {
    id: 'acme',
    name: 'Acme',
    api_pattern: 'https://api\\.acme\\.test',
    model_match: { starts_with: 'acme-' },
    provider_match: { contains: 'acme' },
    models: [
      { id: 'acme-1', match: { or: [{ equals: 'acme-1' }, { starts_with: 'acme-1-' }] }, context_window: 1000, prices: { input_mtok: 1, output_mtok: 2 } },
      {
        id: 'acme-2',
        match: { equals: 'acme-2' },
        prices: [
          { prices: { input_mtok: 4, output_mtok: 8 } },
          { constraint: { start_date: '2026-01-01', type: 'start_date' }, prices: { input_mtok: { base: 2, tiers: [{ start: 100, price: 3 }] }, output_mtok: 6, cache_read_mtok: 0.2 } },
        ],
      },
    ],
  },
];

/** The fixture with the value at `path` replaced. */
function patched(path: (string | number)[], value: unknown): unknown {
  type Node = Record<string | number, unknown>;
  const data = fixture();
  let node = data as unknown as Node;
  for (const key of path.slice(0, -1)) node = node[key] as Node;
  node[path[path.length - 1] as string | number] = value;
  return data;
}

describe('core/tokens/pricing/priceTable', () => {
  describe('the bundled table', () => {
    it('lists exactly the providers genai-prices bundles', async () => {
      const ids = ((await waitForUpdate()) ?? []).map((p) => p.id);
      assert.deepEqual([...bundledProviderIds].sort(), [...ids].sort());
      assert.ok(bundledPriceTable().size() > 1000);
      assert.equal(bundledPriceTable(), bundledPriceTable(), 'cached');
    });

    it('finds models as people write them in code', () => {
      const t = bundledPriceTable();
      const cases: [string, string, string][] = [
        ['gpt-4o', 'gpt-4o', 'openai'],
        ['gpt-4o-mini', 'gpt-4o-mini', 'openai'],
        ['gpt-4o-2024-08-06', 'gpt-4o', 'openai'],
        ['openai/gpt-4o', 'gpt-4o', 'openai'],
        ['  GPT-4o ', 'gpt-4o', 'openai'],
        ['claude-sonnet-4-5', 'claude-sonnet-4-5', 'anthropic'],
        ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 'anthropic'],
        ['claude-3-5-haiku-latest', 'claude-3-5-haiku-latest', 'anthropic'],
        ['gemini-2.5-pro', 'gemini-2.5-pro', 'google'],
        ['mistral-ai/mistral-large-2411', 'mistral-large', 'mistral'],
        ['xai/grok-3', 'grok-3', 'x-ai'],
      ];
      for (const [model, id, provider] of cases) {
        const p = t.find(model, undefined, NOW);
        assert.ok(p, model);
        assert.equal(p.id, id, model);
        assert.equal(p.provider, provider, model);
      }
      assert.equal(t.find('no-such-model-anywhere', undefined, NOW), undefined);
      assert.equal(t.find('', undefined, NOW), undefined);
    });

    it('agrees with the research note (research/tokens.md §3) on the cross-checked prices', () => {
      const t = bundledPriceTable();
      const gpt4o = t.find('gpt-4o', undefined, NOW);
      assert.deepEqual([gpt4o?.inputPerMTok, gpt4o?.outputPerMTok, gpt4o?.cacheReadPerMTok, gpt4o?.contextWindow], [2.5, 10, 1.25, 128000]);
      const sonnet = t.find('claude-sonnet-4-5', undefined, NOW);
      assert.deepEqual([sonnet?.inputPerMTok, sonnet?.outputPerMTok, sonnet?.cacheWritePerMTok, sonnet?.cacheReadPerMTok], [3, 15, 3.75, 0.3]);
      assert.deepEqual(sonnet?.longContext, { thresholdTokens: 200000, inputPerMTok: 6, outputPerMTok: 22.5, cacheReadPerMTok: 0.6, cacheWritePerMTok: 7.5 });
      const mini = t.find('gpt-4o-mini', undefined, NOW);
      assert.deepEqual([mini?.inputPerMTok, mini?.outputPerMTok, mini?.cacheReadPerMTok], [0.15, 0.6, 0.075]);
      const haiku = t.find('claude-3-5-haiku-latest', undefined, NOW);
      assert.deepEqual([haiku?.inputPerMTok, haiku?.outputPerMTok, haiku?.cacheWritePerMTok, haiku?.cacheReadPerMTok], [0.8, 4, 1, 0.08]);
      const pro = t.find('gemini-2.5-pro', undefined, NOW);
      assert.deepEqual([pro?.inputPerMTok, pro?.outputPerMTok, pro?.cacheReadPerMTok, pro?.longContext?.inputPerMTok], [1.25, 10, 0.125, 2.5]);
      // gpt-tokenizer's catalog had these wrong (research §3): the table must not.
      assert.equal(t.find('gpt-4.1', undefined, NOW)?.inputPerMTok, 2);
      assert.equal(t.find('gpt-5', undefined, NOW)?.inputPerMTok, 1.25);
    });

    it('prices every bundled model as genai-prices calcPrice does', async () => {
      const t = bundledPriceTable();
      let compared = 0;
      const warn = console.warn;
      console.warn = () => undefined; // calcPrice warns about units it ignores
      try {
        for (const p of (await waitForUpdate()) ?? []) {
          for (const m of p.models) {
            const ref = calcPrice({ input_tokens: 1000, output_tokens: 1000 }, m.id, { providerId: p.id, timestamp: NOW });
            const ours = t.find(m.id, p.id, NOW);
            if (!ref || ref.model_price.input_mtok === undefined) continue;
            assert.ok(ours, `${p.id}/${m.id}`);
            assert.equal(ours.id, ref.model.id, `${p.id}/${m.id}`);
            assert.ok(Math.abs(ref.input_price * 1000 - ours.inputPerMTok) < 1e-9, `${p.id}/${m.id} input`);
            assert.ok(Math.abs(ref.output_price * 1000 - ours.outputPerMTok) < 1e-9, `${p.id}/${m.id} output`);
            compared++;
          }
        }
      } finally {
        console.warn = warn;
      }
      assert.ok(compared > 1000, `compared ${compared}`);
    });

    it('uses the price in force at `now`', () => {
      const t = bundledPriceTable();
      // o3's price cut of 2025-06-10.
      assert.deepEqual([t.find('o3', undefined, new Date('2025-01-01T00:00:00Z'))?.inputPerMTok, t.find('o3', undefined, new Date('2025-06-10T00:00:00Z'))?.inputPerMTok], [10, 2]);
      // Claude Opus 4.6 dropped its >200k tier on 2026-03-13.
      assert.ok(t.find('claude-opus-4-6', undefined, new Date('2026-01-01T00:00:00Z'))?.longContext);
      assert.equal(t.find('claude-opus-4-6', undefined, NOW)?.longContext, undefined);
      // DeepSeek's off-peak discount is a time-of-day price, applied like genai-prices does.
      assert.equal(t.find('deepseek-chat', undefined, new Date('2025-03-01T12:00:00Z'))?.inputPerMTok, 0.27);
      assert.equal(t.find('deepseek-chat', undefined, new Date('2025-03-01T20:00:00Z'))?.inputPerMTok, 0.135);
    });

    it('honours an explicit provider, with its fallbacks', () => {
      const t = bundledPriceTable();
      assert.equal(t.find('gpt-4o', 'azure', NOW)?.inputPerMTok, 2.5);
      assert.equal(t.find('claude-sonnet-4-5', 'google', NOW)?.provider, 'google');
      assert.equal(t.find('gpt-4o', 'not-a-provider', NOW)?.provider, 'openai');
    });
  });

  it('infers providers from ids and prefixes', () => {
    assert.equal(providerOf('gpt-4o'), 'openai');
    assert.equal(providerOf('o3-mini'), 'openai');
    assert.equal(providerOf('openai/gpt-4o'), 'openai');
    assert.equal(providerOf('claude-3-5-haiku-latest'), 'anthropic');
    assert.equal(providerOf('gemini-2.5-pro'), 'google');
    assert.equal(providerOf('google/gemini-2.5-flash'), 'google');
    assert.equal(providerOf('mistral-large-latest'), 'mistral');
    assert.equal(providerOf('grok-4'), 'x-ai');
    assert.equal(providerOf('deepseek-chat'), 'deepseek');
    assert.equal(providerOf('some-local-model'), undefined);
    assert.equal(providerOf(''), undefined);
  });

  describe('priceTableFromData', () => {
    it('normalizes conditional and tiered prices', () => {
      const t = priceTableFromData(fixture(), 'fixture.json', { updatedAt: '2026-11-01T00:00:00Z' });
      assert.equal(t.origin, 'fixture.json');
      assert.equal(t.updatedAt, '2026-11-01T00:00:00Z');
      assert.equal(t.size(), 2);
      assert.deepEqual(t.find('acme-1-preview', undefined, NOW), { id: 'acme-1', provider: 'acme', contextWindow: 1000, inputPerMTok: 1, outputPerMTok: 2 });
      assert.deepEqual(t.find('acme-2', undefined, new Date('2025-12-31T23:59:59Z')), { id: 'acme-2', provider: 'acme', inputPerMTok: 4, outputPerMTok: 8 });
      assert.deepEqual(t.find('acme-2', undefined, NOW), {
        id: 'acme-2',
        provider: 'acme',
        inputPerMTok: 2,
        outputPerMTok: 6,
        cacheReadPerMTok: 0.2,
        longContext: { thresholdTokens: 100, inputPerMTok: 3 },
      });
    });

    it('reports bad data with the origin and the field path', () => {
      const cases: [unknown, string | undefined, RegExp][] = [
        [{ providers: [] }, undefined, /expected an array/],
        [[], undefined, /no providers/],
        [[{ id: 'x' }], '[0].models', /expected an array/],
        [patched([0, 'models', 0, 'prices', 'input_mtok'], -1), '[0].models[0].prices.input_mtok', /≥ 0/],
        [patched([0, 'models', 1, 'prices', 1, 'constraint'], { start_date: '2026-13-45' }), '[0].models[1].prices[1].constraint.start_date', /YYYY-MM-DD/],
        [patched([0, 'models', 0, 'match'], { regex: '(' }), '[0].models[0].match.regex', /invalid regular expression/],
        [patched([0, 'models', 0, 'match'], { like: 'x' }), '[0].models[0].match', /unknown match rule/],
        [patched([0, 'models', 1, 'prices', 1, 'prices', 'input_mtok'], { base: 1, tiers: [{ start: 1.5, price: 2 }] }), '[0].models[1].prices[1].prices.input_mtok.tiers[0].start', /whole number/],
        [patched([0, 'models', 0, 'context_window'], '1k'), '[0].models[0].context_window', /whole number/],
      ];
      for (const [data, field, detail] of cases) {
        const err = inputError(() => priceTableFromData(data, 'prices.json'));
        assert.equal(err.location.file, 'prices.json');
        assert.equal(err.location.field, field);
        assert.match(err.detail, detail);
      }
    });
  });

  describe('overrides', () => {
    it('parses the setting and names the offending field', () => {
      assert.deepEqual(parsePriceOverrides(undefined, 'settings'), {});
      assert.deepEqual(parsePriceOverrides({ 'GPT-4o': { inputPerMTok: 2, provider: 'OpenAI' } }, 'settings'), { 'gpt-4o': { inputPerMTok: 2, provider: 'openai' } });
      const cases: [unknown, string][] = [
        [[], 'agentOps.priceOverrides'],
        [{ 'gpt-4o': 3 }, 'agentOps.priceOverrides["gpt-4o"]'],
        [{ 'gpt-4o': { inputPerMTok: '2.5' } }, 'agentOps.priceOverrides["gpt-4o"].inputPerMTok'],
        [{ 'gpt-4o': { outputPerMTok: -1 } }, 'agentOps.priceOverrides["gpt-4o"].outputPerMTok'],
        [{ 'gpt-4o': { contextWindow: 0 } }, 'agentOps.priceOverrides["gpt-4o"].contextWindow'],
        [{ 'gpt-4o': { inputPrice: 1 } }, 'agentOps.priceOverrides["gpt-4o"].inputPrice'],
      ];
      for (const [value, field] of cases) {
        const err = inputError(() => parsePriceOverrides(value, 'settings.json'));
        assert.equal(err.location.file, 'settings.json');
        assert.equal(err.location.field, field);
      }
    });

    it('overrides known models under every spelling and defines unknown ones', () => {
      const base = bundledPriceTable();
      const t = withOverrides(base, parsePriceOverrides({
        'gpt-4o': { inputPerMTok: 2 },
        'claude-sonnet-4-5': { outputPerMTok: 12 },
        'my-finetune': { inputPerMTok: 1, outputPerMTok: 4, contextWindow: 32000 },
        'half-defined': { inputPerMTok: 1 },
      }, 'settings'));
      for (const m of ['gpt-4o', 'gpt-4o-2024-08-06', 'openai/gpt-4o']) {
        assert.deepEqual([t.find(m, undefined, NOW)?.inputPerMTok, t.find(m, undefined, NOW)?.outputPerMTok, t.find(m, undefined, NOW)?.cacheReadPerMTok], [2, 10, 1.25], m);
      }
      // A user rate replaces the table's, and the table's long-context tier with it.
      const sonnet = t.find('claude-sonnet-4-5', undefined, NOW);
      assert.deepEqual([sonnet?.inputPerMTok, sonnet?.outputPerMTok, sonnet?.longContext], [3, 12, undefined]);
      assert.deepEqual(t.find('my-finetune', undefined, NOW), { id: 'my-finetune', provider: 'custom', inputPerMTok: 1, outputPerMTok: 4, contextWindow: 32000 });
      assert.equal(t.find('half-defined', undefined, NOW), undefined);
      assert.equal(t.size(), base.size() + 1);
      assert.equal(base.find('gpt-4o', undefined, NOW)?.inputPerMTok, 2.5, 'the underlying table is unchanged');
      assert.equal(withOverrides(base, {}), base);
    });
  });
});
