import * as assert from 'node:assert/strict';
import { REMOTE_DATA_JSON_URL, waitForUpdate } from '@pydantic/genai-prices';
import { InputError } from '../../../../src/core/errors';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';
import { loadStoredPrices, refreshPrices } from '../../../../src/core/tokens/pricing/refresh';

const NOW = new Date('2026-11-26T12:00:00Z');

/** An in-memory fetch that records the URLs asked for. */
function fakeFetch(body: string | (() => never)): { fetchText: (url: string) => Promise<string>; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetchText: async (url) => {
      urls.push(url);
      return typeof body === 'string' ? body : body();
    },
  };
}

async function rejectsInput(p: Promise<unknown>, check: (err: InputError) => void): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    check(err);
    return true;
  });
}

/** The bundled data with gpt-4o's input price changed, as a newer data.json would be. */
async function newerData(): Promise<string> {
  const providers = structuredClone((await waitForUpdate()) ?? []);
  const openai = providers.find((p) => p.id === 'openai');
  const gpt4o = openai?.models.find((m) => m.id === 'gpt-4o');
  assert.ok(gpt4o && !Array.isArray(gpt4o.prices));
  gpt4o.prices.input_mtok = 2;
  return JSON.stringify(providers);
}

describe('core/tokens/pricing/refresh', () => {
  it('fetches the package’s data URL and returns the validated table and the text to store', async () => {
    const json = await newerData();
    const { fetchText, urls } = fakeFetch(json);
    const { table, json: stored } = await refreshPrices(fetchText);
    assert.deepEqual(urls, [REMOTE_DATA_JSON_URL]);
    assert.equal(stored, json);
    assert.equal(table.origin, REMOTE_DATA_JSON_URL);
    assert.ok(table.updatedAt && !Number.isNaN(Date.parse(table.updatedAt)));
    assert.equal(table.find('gpt-4o', undefined, NOW)?.inputPerMTok, 2);
    assert.equal(bundledPriceTable().find('gpt-4o', undefined, NOW)?.inputPerMTok, 2.5, 'the bundled fallback is untouched');

    const again = loadStoredPrices(stored, '/global/prices.json');
    assert.equal(again.origin, '/global/prices.json');
    assert.equal(again.find('openai/gpt-4o', undefined, NOW)?.inputPerMTok, 2);
    assert.equal(again.size(), table.size());
  });

  it('rejects a malformed document, naming the URL', async () => {
    await rejectsInput(refreshPrices(fakeFetch('[{"id": "openai", ').fetchText), (err) => {
      assert.equal(err.location.file, REMOTE_DATA_JSON_URL);
      assert.match(err.detail, /not valid JSON/);
    });
  });

  it('rejects a wrong shape, naming the URL and the field', async () => {
    await rejectsInput(refreshPrices(fakeFetch('{"providers": []}').fetchText), (err) => {
      assert.equal(err.location.file, REMOTE_DATA_JSON_URL);
      assert.match(err.detail, /expected an array/);
    });
    const badModel = JSON.stringify([{ id: 'openai', models: [{ id: 'gpt-4o', match: { equals: 'gpt-4o' }, prices: { input_mtok: 'cheap' } }] }]);
    await rejectsInput(refreshPrices(fakeFetch(badModel).fetchText), (err) => {
      assert.equal(err.location.field, '[0].models[0].prices.input_mtok');
    });
  });

  it('rejects an empty provider list', async () => {
    await rejectsInput(refreshPrices(fakeFetch('[]').fetchText), (err) => assert.match(err.detail, /no providers/));
  });

  it('lets a failed download through unchanged, for the caller to report', async () => {
    const offline = fakeFetch(() => {
      throw new Error('getaddrinfo ENOTFOUND');
    });
    await assert.rejects(refreshPrices(offline.fetchText), /ENOTFOUND/);
  });

  it('names the stored file when the kept copy is corrupt', () => {
    assert.throws(
      () => loadStoredPrices('{', '/global/prices.json'),
      (err: unknown) => err instanceof InputError && err.location.file === '/global/prices.json',
    );
  });
});
