import type { EncodingName } from './types';

/**
 * Tokens a chat request adds around its message contents. `chatml`: OpenAI
 * chat models (gpt-4o, gpt-4.1, gpt-5, o-series, gpt-4): `<|im_start|>role<|im_sep|>
 * content<|im_end|>` = 4 per message, and the reply is primed with
 * `<|im_start|>assistant<|im_sep|>` = 3 (gpt-tokenizer's encodeChat, and the
 * OpenAI cookbook's 3 per message + 1 for the role). `harmony` (gpt-oss):
 * `<|start|>role<|message|>content<|end|>` = 4, primed with `<|start|>assistant` = 2.
 * Role names are single tokens in both encodings; a `name` field adds its own tokens.
 */
export type ChatFormat = 'chatml' | 'harmony';

const perMessage = 4;
const priming: Record<ChatFormat, number> = { chatml: 3, harmony: 2 };

/** Overhead of one call with `messageCount` messages; 0 when there are none (no call). */
export function chatOverheadTokens(messageCount: number, format: ChatFormat = 'chatml'): number {
  if (!(messageCount > 0)) return 0;
  return Math.floor(messageCount) * perMessage + priming[format];
}

export function chatFormatFor(encoding: EncodingName): ChatFormat {
  return encoding === 'o200k_harmony' ? 'harmony' : 'chatml';
}
