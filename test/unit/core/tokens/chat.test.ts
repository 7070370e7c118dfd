import * as assert from 'node:assert/strict';
import { chatFormatFor, chatOverheadTokens } from '../../../../src/core/tokens/chat';
import { loadCounter } from '../../../../src/core/tokens/encodings';
import type { TokenCounter } from '../../../../src/core/tokens/types';
import { mixedCorpus } from './mixedCorpus';

type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
type Messages = { role: Role; content: string }[];
const roles: Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];

function conversation(n: number): Messages {
  return Array.from({ length: n }, (_, i) => ({ role: roles[i % roles.length] as Role, content: mixedCorpus(40 + i * 13, i + 1).replace(/<\|/g, '<') }));
}

describe('core/tokens/chat', () => {
  // Dynamic imports, like loadCounter's, so that both use the same module instance (and its U+FEFF fix).
  const cases: [string, 'o200k_base' | 'cl100k_base' | 'o200k_harmony', () => Promise<(messages: Messages) => number[]>][] = [
    ['gpt-4o (o200k_base)', 'o200k_base', async () => {
      const { encodeChat } = await import('gpt-tokenizer/encoding/o200k_base');
      return (m) => encodeChat(m, 'gpt-4o');
    }],
    ['gpt-4 (cl100k_base)', 'cl100k_base', async () => {
      const { encodeChat } = await import('gpt-tokenizer/encoding/cl100k_base');
      return (m) => encodeChat(m, 'gpt-4');
    }],
    ['gpt-oss-20b (o200k_harmony)', 'o200k_harmony', async () => {
      const { encodeChat } = await import('gpt-tokenizer/encoding/o200k_harmony');
      return (m) => encodeChat(m, 'gpt-oss-20b');
    }],
  ];
  for (const [label, encoding, load] of cases) {
    it(`matches gpt-tokenizer's encodeChat for ${label}: content + overhead`, async () => {
      const counter: TokenCounter = await loadCounter(encoding);
      const encodeChat = await load();
      for (let n = 1; n <= 8; n++) {
        const messages = conversation(n);
        const content = messages.reduce((sum, m) => sum + counter.count(m.content), 0);
        assert.equal(content + chatOverheadTokens(n, chatFormatFor(encoding)), encodeChat(messages).length, `${n} messages`);
      }
    });
  }

  it('is +4 per message and +3 for reply priming by default (chatml), nothing without messages', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => chatOverheadTokens(n)), [0, 7, 11, 15, 43]);
    assert.equal(chatOverheadTokens(-1), 0);
    assert.equal(chatOverheadTokens(Number.NaN), 0);
    assert.equal(chatOverheadTokens(2, 'harmony'), 10);
  });

  it('picks harmony for o200k_harmony only', () => {
    assert.equal(chatFormatFor('o200k_harmony'), 'harmony');
    assert.equal(chatFormatFor('o200k_base'), 'chatml');
    assert.equal(chatFormatFor('cl100k_base'), 'chatml');
  });
});
