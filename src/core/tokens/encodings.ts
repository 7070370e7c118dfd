import type { EncodingName, TokenCounter } from './types';

/**
 * Exact OpenAI-family counters on gpt-tokenizer, one lazily loaded module per
 * encoding (o200k's ranks alone are ~2.8 MB of JS and ~14 MB of heap).
 */

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;
interface EncodingModule {
  countTokens: CountTokens;
  default: unknown;
}

/**
 * Text that looks like a special token (`<|endoftext|>`) is counted as ordinary
 * text, as the API does with message content. gpt-tokenizer's default would
 * throw on it instead.
 */
const ordinaryText = { disallowedSpecial: new Set<string>() };

const pending = new Map<EncodingName, Promise<TokenCounter>>();
const loaded = new Set<EncodingName>();

/** The counter for `encoding`; concurrent callers share one load, a failed load is retried next time. */
export function loadCounter(encoding: EncodingName): Promise<TokenCounter> {
  let counter = pending.get(encoding);
  if (!counter) {
    counter = importEncoding(encoding).then(
      ({ countTokens, default: api }) => {
        fixBomLookups(api);
        loaded.add(encoding);
        return { encoding, count: (text: string) => (text.length === 0 ? 0 : countTokens(text, ordinaryText)) };
      },
      (err: unknown) => {
        pending.delete(encoding);
        throw err;
      },
    );
    pending.set(encoding, counter);
  }
  return counter;
}

/** Encodings whose module has finished loading, in load order. */
export function loadedEncodings(): EncodingName[] {
  return [...loaded];
}

// Literal specifiers, one per case: the bundler turns each into its own lazily loaded file.
async function importEncoding(encoding: EncodingName): Promise<EncodingModule> {
  switch (encoding) {
    case 'o200k_base':
      return import('gpt-tokenizer/encoding/o200k_base');
    case 'cl100k_base':
      return import('gpt-tokenizer/encoding/cl100k_base');
    case 'o200k_harmony':
      return import('gpt-tokenizer/encoding/o200k_harmony');
    default:
      throw new Error(`unknown encoding: ${String(encoding satisfies never)}`);
  }
}

interface BpeCore {
  getBpeRankFromBytes(key: Uint8Array): number | undefined;
  binarySearch(key: Uint8Array): number;
  bytePairNonUtfSortedEncoder: [Uint8Array, number][];
}

/**
 * gpt-tokenizer 4.0.0 looks byte sequences up by decoding them with a
 * TextDecoder, which drops a leading BOM: every merge that starts with U+FEFF
 * (EF BB BF) is looked up under the wrong key, so "\ufeff" counts 2 tokens
 * instead of 1. The vocabulary stores those tokens as raw bytes, so we answer
 * such lookups from the binary table. If the library's internals change shape,
 * nothing is patched (the oracle tests would then show whether the bug remains).
 */
function fixBomLookups(api: unknown): void {
  const core = (api as { bytePairEncodingCoreProcessor?: Partial<BpeCore> } | null | undefined)?.bytePairEncodingCoreProcessor;
  if (!core || typeof core.getBpeRankFromBytes !== 'function' || typeof core.binarySearch !== 'function') return;
  const table = core.bytePairNonUtfSortedEncoder;
  if (!Array.isArray(table)) return;
  const byText = core.getBpeRankFromBytes.bind(core);
  const search = core.binarySearch.bind(core);
  core.getBpeRankFromBytes = (key: Uint8Array) => {
    if (key[0] !== 0xef || key[1] !== 0xbb || key[2] !== 0xbf) return byText(key);
    const i = search(key);
    return i === -1 ? undefined : table[i]?.[1];
  };
}
