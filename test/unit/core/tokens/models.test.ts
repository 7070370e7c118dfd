import * as assert from 'node:assert/strict';
import { defaultCalibration, tokenizationFor, type EstimateFamily } from '../../../../src/core/tokens/models';
import type { EncodingName } from '../../../../src/core/tokens/types';

describe('core/tokens/models', () => {
  const exact: [EncodingName, string[]][] = [
    [
      'o200k_base',
      [
        'gpt-4o', 'gpt-4o-mini', 'gpt-4o-2024-08-06', 'GPT-4o', 'chatgpt-4o-latest', 'o1', 'o1-mini', 'o1-preview-2024-09-12', 'o3',
        'o3-mini', 'o3-pro', 'o4-mini', 'o4-mini-2025-04-16', 'gpt-4.1', 'gpt-4.1-nano-2025-04-14', 'gpt-4.5-preview', 'gpt-5',
        'gpt-5-mini', 'gpt-5.1-codex', 'gpt-5.4-pro-2026-03-05', 'gpt-6', 'gpt-image-1', 'gpt-realtime', 'codex-mini-latest',
        'openai/gpt-4o', 'azure/gpt-4o', 'openrouter/openai/gpt-4o-mini', 'azure_ai/gpt-4.1', ' openai/gpt-5 ', 'ft:gpt-4o-mini-2024-07-18:acme::abc123',
      ],
    ],
    [
      'cl100k_base',
      [
        'gpt-4', 'gpt-4-0613', 'gpt-4-32k', 'gpt-4-turbo', 'gpt-4-turbo-2024-04-09', 'gpt-4-1106-preview', 'gpt-3.5-turbo',
        'gpt-3.5-turbo-0125', 'gpt-35-turbo', 'azure/gpt-35-turbo-16k', 'text-embedding-ada-002', 'text-embedding-3-small',
        'text-embedding-3-large', 'openai/gpt-4', 'ft:gpt-3.5-turbo-0613:org::x',
      ],
    ],
    ['o200k_harmony', ['gpt-oss-20b', 'gpt-oss-120b', 'openai/gpt-oss-120b', 'groq/openai/gpt-oss-20b', 'gpt-oss:20b']],
  ];
  for (const [encoding, models] of exact) {
    it(`counts ${encoding} models exactly`, () => {
      for (const model of models) {
        assert.deepEqual(tokenizationFor(model), { model, encoding, exact: true, factor: 1, basis: `${encoding} (exact)` }, model);
      }
    });
  }

  const estimated: [EstimateFamily, string[]][] = [
    [
      'anthropic',
      ['claude-sonnet-4-5', 'claude-3-5-sonnet-20241022', 'claude-opus-4-1', 'anthropic/claude-3.7-sonnet', 'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic.claude-v2', 'vertex_ai/claude-haiku-4-5@20251001'],
    ],
    ['google', ['gemini-2.5-pro', 'gemini-1.5-flash-002', 'models/gemini-2.0-flash', 'vertex_ai/gemini-2.5-flash', 'google/gemma-3-27b-it', 'gemma2:9b']],
    ['meta', ['llama-3.1-70b-instruct', 'meta-llama/Llama-3.3-70B-Instruct', 'llama3.2:3b', 'meta.llama3-1-405b-instruct-v1:0', 'groq/llama-3.1-8b-instant']],
    ['mistral', ['mistral-large-latest', 'mistralai/Mixtral-8x7B-Instruct-v0.1', 'codestral-2501', 'mistral.mistral-7b-instruct-v0:2', 'open-mistral-nemo', 'ministral-8b-latest']],
    ['qwen', ['qwen-max', 'Qwen/Qwen2.5-Coder-32B-Instruct', 'qwen3:8b', 'qwq-32b']],
    ['deepseek', ['deepseek-chat', 'deepseek-reasoner', 'deepseek/deepseek-r1', 'deepseek-ai/DeepSeek-V3']],
    ['other', ['command-r-plus', 'grok-4', 'amazon.nova-pro-v1:0', 'my-azure-deployment', '', 'phi-4']],
  ];
  for (const [family, models] of estimated) {
    it(`estimates ${family} models from o200k_base × ${defaultCalibration[family]}`, () => {
      for (const model of models) {
        const t = tokenizationFor(model);
        assert.equal(t.model, model);
        assert.equal(t.encoding, 'o200k_base', model);
        assert.equal(t.exact, false, model);
        assert.equal(t.factor, defaultCalibration[family], model);
        assert.match(t.basis, /^≈ o200k_base × \d\.\d\d \(.+\)$/, model);
      }
    });
  }

  it('explains estimates in a short basis', () => {
    assert.equal(tokenizationFor('claude-sonnet-4-5').basis, '≈ o200k_base × 1.20 (Anthropic publishes no tokenizer)');
    assert.equal(tokenizationFor('gemini-2.5-pro').basis, '≈ o200k_base × 1.15 (Google publishes no Gemini tokenizer)');
  });

  it('applies a calibration to its family only, and ignores invalid factors', () => {
    const calibration = { anthropic: 1.31, google: 0, meta: Number.NaN, qwen: -2 };
    const claude = tokenizationFor('claude-opus-4-1', calibration);
    assert.equal(claude.factor, 1.31);
    assert.equal(claude.basis, '≈ o200k_base × 1.31 (calibrated; Anthropic publishes no tokenizer)');
    assert.equal(tokenizationFor('gemini-2.5-pro', calibration).factor, defaultCalibration.google);
    assert.equal(tokenizationFor('llama-3.1-8b', calibration).factor, defaultCalibration.meta);
    assert.equal(tokenizationFor('qwen-max', calibration).factor, defaultCalibration.qwen);
    assert.equal(tokenizationFor('deepseek-chat', calibration).factor, defaultCalibration.deepseek);
    assert.deepEqual(tokenizationFor('gpt-4o', { other: 2 }), tokenizationFor('gpt-4o'));
  });

  it('defaults are conservative: no estimate below the measured ratio of its family', () => {
    // research/tokens.md §2, tokens per o200k token on the 1 MB corpus.
    const measured: Partial<Record<EstimateFamily, number>> = { anthropic: 1.094, google: 1.131, meta: 0.995, qwen: 1.023 };
    for (const [family, ratio] of Object.entries(measured)) assert.ok(defaultCalibration[family as EstimateFamily] >= ratio, family);
    assert.ok(defaultCalibration.anthropic > 1.15, 'o200k × 1.15 still under-counted Claude');
  });
});
