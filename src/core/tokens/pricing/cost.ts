/**
 * The cost of one call from a price and token counts, with the prompt-caching
 * rules of research/tokens.md §5. Plain USD numbers, never rounded here.
 */
import type { ModelPrice } from './priceTable';

export interface CallCostInput {
  inputTokens: number;
  outputTokens: number;
  /** The call carries Anthropic `cache_control` on (or after) this prompt. */
  cacheControl?: boolean;
}

export interface CallCost {
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  /** Input at the regular (or long-context) rate, nothing cached. */
  inputUsd: number;
  /** Input cost on a repeat call whose cacheable prefix is a cache hit (undefined when the prompt does not qualify). */
  cachedInputUsd?: number;
  /** How many input tokens that assumes cached. */
  cachedTokens?: number;
  /** Extra paid to write the cache (Anthropic cache_control), on top of `inputUsd`. */
  cacheWriteUsd?: number;
  outputUsd: number;
  /** inputUsd + outputUsd. */
  totalUsd: number;
  longContext: boolean;
  contextWindow?: number;
  overContextWindow: boolean;
  /** Short human explanations of how the numbers were made. */
  notes: string[];
}

const M = 1_000_000;
const fmt = (n: number): string => n.toLocaleString('en-US');
const usd = (n: number): string => `$${Number(n.toPrecision(6)).toString()}`;

interface Rates {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export function costOfCall(price: ModelPrice, input: CallCostInput): CallCost {
  const inputTokens = wholeTokens(input.inputTokens);
  const outputTokens = wholeTokens(input.outputTokens);
  const notes: string[] = [];
  const lc = price.longContext;
  // Providers bill the whole request at the higher rate once the prompt passes the threshold.
  const longContext = lc !== undefined && inputTokens > lc.thresholdTokens;
  const rates: Rates = longContext
    ? {
        input: lc.inputPerMTok,
        output: lc.outputPerMTok ?? price.outputPerMTok,
        ...optional('cacheRead', lc.cacheReadPerMTok ?? price.cacheReadPerMTok),
        ...optional('cacheWrite', lc.cacheWritePerMTok ?? price.cacheWritePerMTok),
      }
    : { input: price.inputPerMTok, output: price.outputPerMTok, ...optional('cacheRead', price.cacheReadPerMTok), ...optional('cacheWrite', price.cacheWritePerMTok) };
  if (longContext) notes.push(`Input above ${fmt(lc.thresholdTokens)} tokens: the whole request is billed at ${usd(rates.input)}/MTok input, ${usd(rates.output)}/MTok output`);

  const inputUsd = (inputTokens * rates.input) / M;
  const outputUsd = (outputTokens * rates.output) / M;
  const cost: CallCost = {
    model: price.id,
    provider: price.provider,
    inputTokens,
    outputTokens,
    inputUsd,
    outputUsd,
    totalUsd: inputUsd + outputUsd,
    longContext,
    overContextWindow: false,
    notes,
  };
  if (price.contextWindow !== undefined) {
    cost.contextWindow = price.contextWindow;
    // The window holds the prompt and the completion together.
    cost.overContextWindow = inputTokens + outputTokens > price.contextWindow;
    if (cost.overContextWindow) notes.push(`Input + output (${fmt(inputTokens + outputTokens)} tokens) exceeds the ${fmt(price.contextWindow)}-token context window`);
  }
  Object.assign(cost, caching(price, rates, inputTokens, input.cacheControl === true, notes));
  return cost;
}

type CacheResult = Pick<CallCost, 'cachedInputUsd' | 'cachedTokens' | 'cacheWriteUsd'>;

function caching(price: ModelPrice, rates: Rates, n: number, cacheControl: boolean, notes: string[]): CacheResult {
  const id = price.id.toLowerCase();
  const provider = price.provider.toLowerCase();
  if (id.includes('claude') && ['anthropic', 'aws', 'google'].includes(provider)) return anthropic(id, rates, n, cacheControl, notes);
  if (provider === 'openai' || (provider === 'azure' && /^(gpt-|o\d|chatgpt)/.test(id))) return openai(rates, n, price.cacheWritePerMTok !== undefined, notes);
  if (provider === 'google' && id.includes('gemini')) return gemini(id, rates, n, notes);
  return {};
}

/**
 * OpenAI: automatic prefix caching from 1,024 tokens, hits in 128-token steps,
 * no write fee (openai-cookbook examples/Prompt_Caching_201.ipynb, "models before GPT-5.6").
 */
function openai(rates: Rates, n: number, hasWritePrice: boolean, notes: string[]): CacheResult {
  if (hasWritePrice) {
    // GPT-5.6 and later list a cache-write price: their caching rules are not the automatic ones above.
    notes.push('Prompt caching for this model charges cache writes; its rules are not modelled');
    return {};
  }
  if (rates.cacheRead === undefined) return {};
  notes.push('OpenAI caches prompts ≥ 1,024 tokens automatically (128-token steps)');
  if (n < 1024) return {};
  const cachedTokens = 1024 + Math.floor((n - 1024) / 128) * 128;
  return { cachedTokens, cachedInputUsd: (cachedTokens * rates.cacheRead + (n - cachedTokens) * rates.input) / M };
}

/**
 * Minimum cacheable prompt for Anthropic models, as quoted from Anthropic's
 * prompt-caching docs in anthropic-sdk-python #1194 (research/tokens.md §5):
 * 1,024 for Sonnet 4.x and Opus 4/4.1 (and the 3.x Sonnet/Opus models), 4,096
 * for Opus 4.5+ and Haiku 4.5, 2,048 for Haiku 3/3.5. (A user in that issue saw
 * 2,048 in practice on Sonnet 4.6; we keep the documented value.)
 */
export function anthropicMinCacheTokens(model: string): number {
  const id = model.toLowerCase();
  // `claude-sonnet-4-5`, `claude-opus-4.1`, `claude-3-5-haiku-latest`, `claude-3-haiku-20240307`; a date is not a minor version.
  const m = /(opus|sonnet|haiku)-(\d{1,2})(?!\d)(?:[-.](\d{1,2})(?!\d))?/.exec(id) ?? /claude-(\d{1,2})(?!\d)(?:[-.](\d{1,2})(?!\d))?-(opus|sonnet|haiku)/.exec(id);
  if (!m) return 1024;
  const [family, major, minor] = m[1] === 'opus' || m[1] === 'sonnet' || m[1] === 'haiku' ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
  const version = Number(major) + Number(minor ?? 0) / 10;
  if (family === 'haiku') return version >= 4.5 ? 4096 : version < 4 ? 2048 : 1024;
  if (family === 'opus' && version >= 4.5) return 4096;
  return 1024;
}

/**
 * Anthropic: cached only with `cache_control`. A 5-minute write costs 1.25× base
 * input and a read 0.1×; the table's cache prices take precedence when present.
 */
function anthropic(id: string, rates: Rates, n: number, cacheControl: boolean, notes: string[]): CacheResult {
  if (!cacheControl) {
    notes.push('Anthropic caches only with cache_control');
    return {};
  }
  const min = anthropicMinCacheTokens(id);
  if (n < min) {
    notes.push(`cache_control: below this model's minimum cacheable prompt of ${fmt(min)} tokens, so nothing is cached`);
    return {};
  }
  const write = rates.cacheWrite ?? rates.input * 1.25;
  const read = rates.cacheRead ?? rates.input * 0.1;
  notes.push(`cache_control: the first call writes the cache at ${usd(write)}/MTok (5-minute TTL), repeats read it at ${usd(read)}/MTok`);
  return { cachedTokens: n, cachedInputUsd: (n * read) / M, cacheWriteUsd: (n * (write - rates.input)) / M };
}

/**
 * Gemini 2.5 and later: implicit caching, on by default, from 1,024 tokens
 * (Flash) or 4,096 (Pro) per ai.google.dev; hits are likely, not guaranteed.
 * Older Gemini models only have explicit caches (with storage fees): not modelled.
 */
function gemini(id: string, rates: Rates, n: number, notes: string[]): CacheResult {
  const v = /gemini-(\d+)(?:\.(\d+))?/.exec(id);
  const version = v ? Number(v[1]) + Number(v[2] ?? 0) / 10 : 0;
  if (rates.cacheRead === undefined || version < 2.5) return {};
  const min = id.includes('pro') ? 4096 : 1024;
  notes.push(`Gemini caches prompts ≥ ${fmt(min)} tokens implicitly (hits are not guaranteed)`);
  if (n < min) return {};
  return { cachedTokens: n, cachedInputUsd: (n * rates.cacheRead) / M };
}

function wholeTokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, number>>);
}
