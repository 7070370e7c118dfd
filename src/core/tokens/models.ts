import type { EncodingName, ModelTokenization } from './types';

/** Model families without a public tokenizer: counted as o200k_base × a factor. */
export type EstimateFamily = 'anthropic' | 'google' | 'meta' | 'mistral' | 'qwen' | 'deepseek' | 'other';

/**
 * Default factors over o200k_base. Over-counting is the safe side for budgets
 * and costs, so unmeasured or loosely measured families are rounded up.
 * Ratios are tokens per o200k token on the 1 MB corpus of research/tokens.md §2.
 */
export const defaultCalibration: Readonly<Record<EstimateFamily, number>> = {
  // Legacy Claude tokenizer: 1.094; a proxy that used 1.15 still under-counted
  // Claude 3+ (copilot-api #134), so go clearly above both.
  anthropic: 1.2,
  // Gemma vocabulary: 1.131. Gemini's own tokenizer is unpublished; Gemma's is a proxy.
  google: 1.15,
  // Llama-3 tokenizer: 0.995.
  meta: 1.0,
  // Not measured. Older Mistral models use a 32k SentencePiece vocabulary,
  // which splits English and code finer than 100k+ vocabularies.
  mistral: 1.1,
  // Qwen3 tokenizer: 1.023.
  qwen: 1.03,
  // Not measured. DeepSeek-V3 has a 128k byte-level BPE like Llama-3 and Qwen (0.995–1.023); margin added.
  deepseek: 1.05,
  // Unknown model: above every tokenizer measured except the Claude guess.
  other: 1.15,
};

const why: Record<EstimateFamily, string> = {
  anthropic: 'Anthropic publishes no tokenizer',
  google: 'Google publishes no Gemini tokenizer',
  meta: 'Llama tokenizer not bundled',
  mistral: 'Mistral tokenizer not bundled',
  qwen: 'Qwen tokenizer not bundled',
  deepseek: 'DeepSeek tokenizer not bundled',
  other: 'unknown model',
};

const families: readonly [RegExp, EstimateFamily][] = [
  [/^claude/, 'anthropic'],
  [/^(gemini|gemma)/, 'google'],
  [/^(meta-)?llama/, 'meta'],
  [/^(mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|open-mistral|open-mixtral)/, 'mistral'],
  [/^(qwen|qwq)/, 'qwen'],
  [/^deepseek/, 'deepseek'],
];

/** How `model` is counted, for a name as written in code or configuration. */
export function tokenizationFor(model: string, calibration?: Partial<Record<EstimateFamily, number>>): ModelTokenization {
  const name = baseName(model);
  const encoding = openAiEncoding(name);
  if (encoding) return { model, encoding, exact: true, factor: 1, basis: `${encoding} (exact)` };

  const family = families.find(([re]) => re.test(name))?.[1] ?? 'other';
  const custom = calibration?.[family];
  const calibrated = custom !== undefined && Number.isFinite(custom) && custom > 0;
  const factor = calibrated ? custom : defaultCalibration[family];
  const note = calibrated ? `calibrated; ${why[family]}` : why[family];
  return { model, encoding: 'o200k_base', exact: false, factor, basis: `≈ o200k_base × ${factor.toFixed(2)} (${note})` };
}

/**
 * The model's own name: lower case, without a provider path (`openai/gpt-4o`,
 * `openrouter/openai/gpt-4o-mini`, `models/gemini-2.5-pro`), a Bedrock-style
 * vendor prefix (`us.anthropic.claude-…`) or a fine-tune wrapper (`ft:gpt-4o-mini:org::id`).
 */
function baseName(model: string): string {
  let name = model.trim().toLowerCase();
  name = name.slice(name.lastIndexOf('/') + 1);
  if (name.startsWith('ft:')) name = name.slice(3);
  name = name.replace(/^(?:[a-z]{2,4}\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek|qwen|openai|google)\./, '');
  return name.replace(/^@/, '');
}

function openAiEncoding(name: string): EncodingName | undefined {
  if (/^gpt-oss\b/.test(name)) return 'o200k_harmony';
  if (/^gpt-3\.?5/.test(name)) return 'cl100k_base'; // Azure spells it gpt-35-turbo
  if (/^text-embedding-(ada-002|3-)/.test(name)) return 'cl100k_base';
  if (/^(davinci|babbage)-002\b/.test(name)) return 'cl100k_base';
  // gpt-4, gpt-4-0613, gpt-4-32k, gpt-4-turbo…, gpt-4-1106-preview; not gpt-4o, gpt-4.1, gpt-4.5.
  if (/^gpt-4(-|$|:)/.test(name)) return 'cl100k_base';
  // gpt-4o, gpt-4.1, gpt-4.5, gpt-5…, and any later or unlisted gpt- model (gpt-tokenizer's default too).
  if (/^gpt-/.test(name)) return 'o200k_base';
  if (/^(chatgpt-|o\d+(-|$)|codex-|omni-moderation|computer-use-preview)/.test(name)) return 'o200k_base';
  return undefined;
}
