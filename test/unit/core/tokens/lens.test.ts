import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { defaultWasmDir } from '../../../../src/core/tokens/detect';
import { TokenLens } from '../../../../src/core/tokens/lens';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';

const samples = join(__dirname, '..', '..', '..', '..', 'samples', 'workspace');

describe('core/tokens/lens', function () {
  this.timeout(30_000);
  let lens: TokenLens;
  before(async () => {
    lens = await TokenLens.create({ wasmDir: defaultWasmDir() });
  });
  after(() => lens.dispose());

  const settings = () => ({ models: ['gpt-4o', 'claude-sonnet-4-5'], expectedOutputTokens: 500, prices: bundledPriceTable() });

  it('counts every sample prompt exactly (js-tiktoken as oracle) and prices each call', async () => {
    const file = join(samples, 'agent', 'support_agent.py');
    const estimates = await lens.analyze({ fileName: file, text: readFileSync(file, 'utf8') }, settings());
    assert.ok(estimates.length >= 4, `${estimates.length} prompts`);
    const oracle = getEncoding('o200k_base');
    for (const e of estimates) {
      assert.equal(e.counts.o200k_base, oracle.encode(e.prompt.text).length, e.prompt.text);
      const own = e.models[0];
      const claude = e.models.find((m) => m.model === 'claude-sonnet-4-5');
      assert.ok(own && claude);
      assert.equal(own.tokenization.exact, true, own.model);
      assert.equal(claude.tokenization.exact, false);
      assert.equal(claude.promptTokens, Math.round(oracle.encode(e.prompt.text).length * claude.tokenization.factor));
      assert.ok(own.call.cost && own.call.cost.inputUsd > 0);
    }
  });

  it('prices a call from its own model and max_tokens, with chat overhead for its messages', async () => {
    const file = join(samples, 'agent', 'support_agent.py');
    const estimates = await lens.analyze({ fileName: file, text: readFileSync(file, 'utf8') }, settings());
    const reply = estimates.find((e) => e.prompt.text.startsWith('Draft a reply'));
    assert.ok(reply);
    const own = reply.models[0];
    assert.ok(own);
    assert.equal(own.model, 'gpt-4o');
    assert.equal(own.call.outputFrom, 'max_tokens');
    assert.equal(own.call.outputTokens, 400);
    assert.equal(own.call.messages, 2);
    const system = estimates.find((e) => e.prompt.group === reply.prompt.group && e !== reply);
    assert.ok(system);
    assert.ok(own.call.inputTokens > own.promptTokens + (system.models[0]?.promptTokens ?? 0), 'chat overhead is added');
  });

  it('estimates a free text (a selection) for every configured model', async () => {
    const e = await lens.estimateText('Summarize this ticket in one line.', settings());
    assert.equal(e.models.length, 2);
    assert.equal(e.models[0]?.promptTokens, getEncoding('o200k_base').encode('Summarize this ticket in one line.').length);
  });
});
