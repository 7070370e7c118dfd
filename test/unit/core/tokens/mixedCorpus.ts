import { readFileSync } from 'node:fs';
import { corpusFile } from '../../corpus';

/**
 * A deterministic mixed-text corpus for tokenizer tests and benchmarks: code,
 * prose, CJK, emoji (with ZWJ sequences and flags), long whitespace runs and
 * tabs, CRLF, Unicode whitespace, slashes after newlines, special-token look-alikes
 * and random code points including astral ones. Always well-formed UTF-16.
 */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const int = (rand: Rand, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

const words = [
  'the', 'token', 'model', 'prompt', 'agent', "don't", "it's", "WE'LL", "they've", 'Tokenizer', 'GPT', 'naïve', 'café',
  'über', 'straße', 'résumé', 'ACME', 'iPhone', 'JSON', 'x', 'a', 'I', 'counting', 'well-known', 'e.g.', 'state-of-the-art',
];
const codeLines = [
  'function add(a, b) {',
  '    return a + b; // sum',
  '}',
  'def handler(event, context):',
  '\tif not event.get("ok"):',
  '\t\traise ValueError(f"bad {event!r}")',
  'const url = "https://example.com/api/v1/items?id=42&x=%20";',
  '// comment at column 0',
  '/* block */ let x = [1, 2, 3].map((n) => n ** 2);',
  '  #include <stdio.h>',
  'SELECT id, name FROM users WHERE id = 1234567890;',
  '</div><span class="a-b">&nbsp;</span>',
  '/usr/local/bin/node --expose-gc ./out/bench/run.js',
  '    }',
  '}}}',
  'x=1;y=22;z=333;w=4444;v=55555',
];
const cjk = ['漢字', '日本語のテキスト', '한국어 문장', '中文分词测试', 'カタカナ', '。、「」', '𠀋𡈽𡌛'];
const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷🇯🇵', '❤️', '🧑🏿‍💻', '👩‍❤️‍💋‍👨', '🙂🙃', '✅'];
const whitespace = [' ', '  ', '    ', '\t', '\t\t', '\n', '\n\n', '\n\n\n\n', '\r\n', '\r\n\r\n', '\r', ' \r ', ' \n ', '\n  \n', '\u00a0', '\u3000', '\u2028', '\ufeff', '\u0085', '\v\f'];
const awkward = ['\n/', '\n//', '\n/ ', '/\n', '\n\t/', '<|endoftext|>', '<|im_start|>', '<|end|>', "'s", "'LL", '123456789', '3.14159', '---', '...', '!!!', '\\n'];

function randomCodePoint(rand: Rand): string {
  for (;;) {
    const r = rand();
    const cp = r < 0.5 ? int(rand, 0x20, 0x2fff) : r < 0.8 ? int(rand, 0x3000, 0xffff) : int(rand, 0x10000, 0x10ffff);
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // no lone surrogates: the corpus is valid UTF-16
    return String.fromCodePoint(cp);
  }
}

function fragment(rand: Rand): string {
  const r = rand();
  if (r < 0.3) return Array.from({ length: int(rand, 3, 15) }, () => pick(rand, words)).join(' ') + pick(rand, ['. ', ', ', '? ', '\n', '!\n']);
  if (r < 0.55) return pick(rand, codeLines) + pick(rand, ['\n', '\r\n', '\n\n', ' ']);
  if (r < 0.62) return pick(rand, cjk);
  if (r < 0.68) return pick(rand, emoji);
  if (r < 0.78) return pick(rand, whitespace);
  if (r < 0.84) return ' '.repeat(int(rand, 5, 80)) + (rand() < 0.5 ? '\n' : '') + '\t'.repeat(int(rand, 0, 6));
  if (r < 0.92) return pick(rand, awkward);
  return Array.from({ length: int(rand, 1, 12) }, () => randomCodePoint(rand)).join('');
}

/** About `chars` UTF-16 code units of mixed text; the same seed gives the same text. */
export function mixedCorpus(chars: number, seed = 1): string {
  const rand = seededRandom(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const f = fragment(rand);
    parts.push(f);
    length += f.length;
  }
  return parts.join('');
}

/** Fragments the edit property tests insert: the corpus's hard cases, one at a time. */
export const edgeFragments: readonly string[] = [...whitespace, ...awkward, ...emoji, ...cjk, ...codeLines.slice(0, 4), 'a', '/', '\n', 'é', 'e\u0301', '\ud83d\ude00'];

/** Real agent trajectories from the shared corpus: prompts, model output, code, tool logs. */
export const trajectoryFiles: readonly string[][] = [
  ['swe-agent', 'pydicom__pydicom-1458.traj'],
  ['mini-swe-agent', 'sqlfluff__sqlfluff-2419.deepseek.traj.json'],
  ['openhands', 'basic_gui_mode.json'],
];

/** The file as stored (pretty-printed JSON with escapes). */
export function rawTrajectory(parts: readonly string[]): string {
  return readFileSync(corpusFile('trajectories', ...parts), 'utf8');
}

/** Every string value of the JSON, joined by newlines: the texts models actually saw, escapes decoded. */
export function trajectoryStrings(parts: readonly string[]): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(rawTrajectory(parts)) as unknown);
  return out.join('\n');
}
