import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ChunkedCounter } from '../src/core/tokens/chunkedCounter';
import { loadCounter } from '../src/core/tokens/encodings';
import type { TokenCounter } from '../src/core/tokens/types';
import { mixedCorpus, seededRandom } from '../test/unit/core/tokens/mixedCorpus';
import { median, ms, p95 } from './measure';

/**
 * Token engine benchmarks: gpt-tokenizer (our counters) against js-tiktoken
 * and tiktoken (WASM) measured in the same run, and the ChunkedCounter against
 * a whole recount. Targets: warm hover ≤ 5 ms p95, recount after an edit
 * ≤ 10 ms median, ≤ 25 MB heap per encoding.
 */
const repo = resolve(__dirname, '..', '..');
const corpus = process.env.AGENTOPS_CORPUS ?? resolve(repo, '..', 'shared', 'fixtures');
// Peers are required from the repo at run time: bundling tiktoken would lose its .wasm file.
const requireFromRepo = createRequire(join(repo, 'package.json'));

interface Peer {
  name: string;
  /** Expression (in a child `node -e`) that evaluates to a `(text) => count` function. */
  load: string;
}

const peers: Peer[] = [
  { name: 'gpt-tokenizer o200k_base', load: `(m => s => m.countTokens(s, { disallowedSpecial: new Set() }))(require('gpt-tokenizer/encoding/o200k_base'))` },
  { name: 'gpt-tokenizer cl100k_base', load: `(m => s => m.countTokens(s, { disallowedSpecial: new Set() }))(require('gpt-tokenizer/encoding/cl100k_base'))` },
  {
    name: 'js-tiktoken o200k_base',
    load: `(() => { const { Tiktoken } = require('js-tiktoken/lite'); const r = require('js-tiktoken/ranks/o200k_base'); const e = new Tiktoken(r.default ?? r); return s => e.encode(s, [], []).length; })()`,
  },
  { name: 'tiktoken (WASM) o200k_base', load: `(e => s => e.encode_ordinary(s).length)(require('tiktoken').get_encoding('o200k_base'))` },
];

export async function benchTokens(): Promise<void> {
  console.log('Token engine (o200k_base unless stated)\n');
  const doc = mixedCorpus(1_000_000, 42);
  const inner = await loadCounter('o200k_base');
  const prompt = promptOf(inner, 8000);

  benchColdAndHeap(prompt);
  benchThroughput(doc, inner);
  benchRecount('1 MB mixed text', doc, inner);
  const real = realJson(1_000_000);
  if (real) benchRecount('1 MB pretty-printed trajectory JSON (tau2-bench)', real, inner);
  benchHover(prompt, inner);
}

/** Fresh `node` per run: load + first count of a short text, 8k-token first count, heap added. Median of 3. */
function benchColdAndHeap(prompt: string): void {
  console.log('Cold start per library, fresh node process each, median of 3:');
  console.log(`  ${'library'.padEnd(28)} ${'load'.padStart(8)} ${'1st call'.padStart(9)} ${'8k prompt'.padStart(10)} ${'heap Δ'.padStart(9)} ${'external Δ'.padStart(11)}`);
  let ours = NaN;
  let js = NaN;
  for (const peer of peers) {
    const runs = [0, 1, 2].map(() => childRun(peer, prompt));
    const m = (k: keyof ChildResult) => median(runs.map((r) => r[k]));
    console.log(
      `  ${peer.name.padEnd(28)} ${ms(m('load'))} ${ms(m('first'), 9)} ${ms(m('prompt'), 10)} ${mb(m('heap'))} ${mb(m('external'), 11)}`,
    );
    if (peer.name === 'gpt-tokenizer o200k_base') ours = m('load') + m('first');
    if (peer.name.startsWith('js-tiktoken')) js = m('load') + m('first');
  }
  console.log(`  ratio: load + first call, gpt-tokenizer ${(js / ours).toFixed(1)}x faster than js-tiktoken (target heap ≤ 25 MB per encoding)\n`);
}

interface ChildResult {
  load: number;
  first: number;
  prompt: number;
  heap: number;
  external: number;
}

function childRun(peer: Peer, prompt: string): ChildResult {
  const script = `
    const text = require('fs').readFileSync(0, 'utf8');
    gc(); const m0 = process.memoryUsage();
    const t0 = performance.now();
    const count = ${peer.load};
    const t1 = performance.now();
    count('Hello, world! How many tokens is this?');
    const t2 = performance.now();
    count(text);
    const t3 = performance.now();
    gc(); const m1 = process.memoryUsage();
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t1, prompt: t3 - t2, heap: m1.heapUsed - m0.heapUsed, external: m1.external - m0.external }));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { cwd: repo, input: prompt, encoding: 'utf8' });
  return JSON.parse(out) as ChildResult;
}

/** Warm tokens per second on 1 MB of mixed text, in this process; counts must agree. */
function benchThroughput(doc: string, inner: TokenCounter): void {
  const { Tiktoken } = requireFromRepo('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => { encode(s: string, a: string[], d: string[]): number[] } };
  const ranks = requireFromRepo('js-tiktoken/ranks/o200k_base') as { default?: unknown };
  const js = new Tiktoken(ranks.default ?? ranks);
  const wasm = (requireFromRepo('tiktoken') as { get_encoding(name: string): { encode_ordinary(s: string): Uint32Array; free(): void } }).get_encoding('o200k_base');
  const libs: [string, (s: string) => number][] = [
    ['gpt-tokenizer (ours)', (s) => inner.count(s)],
    ['js-tiktoken', (s) => js.encode(s, [], []).length],
    ['tiktoken (WASM)', (s) => wasm.encode_ordinary(s).length],
  ];
  console.log(`Warm throughput on ${(doc.length / 1e6).toFixed(1)} M chars of mixed text, median of 3 after a warm-up:`);
  const results = libs.map(([name, count]) => {
    const tokens = count(doc);
    const t = median([0, 1, 2].map(() => time(() => count(doc))));
    console.log(`  ${name.padEnd(22)} ${(tokens / (t / 1000) / 1e6).toFixed(2).padStart(5)} M tokens/s  (${t.toFixed(0)} ms, ${tokens} tokens)`);
    return { tokens, t };
  });
  wasm.free();
  const [ours, ...others] = results;
  if (!ours) return;
  // js-tiktoken and gpt-tokenizer use JavaScript's \s; tiktoken's Rust regex uses Unicode White_Space,
  // which differs on U+0085 and U+FEFF (both in the mixed corpus).
  const differs = others.filter((r) => r.tokens !== ours.tokens).map((r) => `${r.tokens - ours.tokens >= 0 ? '+' : ''}${r.tokens - ours.tokens}`);
  if (differs.length) console.log(`  counts differ by ${differs.join(', ')} tokens (U+0085/U+FEFF: JavaScript \\s vs Rust's Unicode whitespace)`);
  console.log(`  ratio: ${others.map((r, i) => `${(r.t / ours.t).toFixed(1)}x ${libs[i + 1]?.[0]}`).join(', ')}\n`);
}

/** One-character edits (insert or delete, alternating) at random places: ChunkedCounter vs a whole recount. */
function benchRecount(label: string, original: string, inner: TokenCounter): void {
  const edits = 100;
  const rand = seededRandom(7);
  const variants: [string, ChunkedCounter][] = [
    ['ChunkedCounter', new ChunkedCounter(inner)],
    ['ChunkedCounter, cache only', new ChunkedCounter(inner, { minSnapshotChars: Infinity })],
  ];
  console.log(`Recount after a one-character edit, ${label} (${original.length} chars), ${edits} edits:`);
  const whole: number[] = [];
  const medians: number[] = [];
  for (const [name, counter] of variants) {
    let doc = original;
    const first = time(() => counter.count(doc));
    const times: number[] = [];
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(rand() * doc.length);
      doc = flat(i % 2 === 0 ? doc.slice(0, at) + 'x' + doc.slice(at) : doc.slice(0, at) + doc.slice(at + 1));
      let n = 0;
      times.push(time(() => (n = counter.count(doc))));
      if (name === 'ChunkedCounter' && i % 10 === 0) {
        let expected = 0;
        whole.push(time(() => (expected = inner.count(doc))));
        if (expected !== n) throw new Error(`ChunkedCounter ${n} != whole ${expected} after edit ${i}`);
      }
    }
    const s = counter.stats();
    medians.push(median(times));
    console.log(
      `  ${name.padEnd(27)} median ${ms(median(times), 6)}  p95 ${ms(p95(times), 6)}  (first count ${first.toFixed(0)} ms; ${s.entries} cached chunks)`,
    );
  }
  console.log(`  ${'whole recount (warm)'.padEnd(27)} median ${ms(median(whole), 6)}`);
  console.log(`  ratio: ChunkedCounter ${(median(whole) / (medians[0] ?? NaN)).toFixed(0)}x faster than a whole recount (target median ≤ 10 ms)\n`);
}

/** An 8k-token prompt: cold first count in a fresh process is above; here warm repeats through a ChunkedCounter. */
function benchHover(prompt: string, inner: TokenCounter): void {
  const repeats = 200;
  const runs: [string, (s: string) => number][] = [
    ['ChunkedCounter (same text)', ((c) => (s: string) => c.count(s))(new ChunkedCounter(inner))],
    ['ChunkedCounter, cache only', ((c) => (s: string) => c.count(s))(new ChunkedCounter(inner, { minSnapshotChars: Infinity }))],
    ['gpt-tokenizer whole count', (s) => inner.count(s)],
  ];
  console.log(`Hover on an 8k-token prompt (${prompt.length} chars), p95 of ${repeats} warm counts:`);
  for (const [name, count] of runs) {
    count(prompt);
    const times = Array.from({ length: repeats }, () => time(() => count(prompt)));
    console.log(`  ${name.padEnd(27)} p95 ${ms(p95(times), 7)}  median ${ms(median(times), 7)}`);
  }
  console.log('  cold (first count after load, fresh process): the "8k prompt" column above; target warm p95 ≤ 5 ms\n');
}

function promptOf(counter: TokenCounter, tokens: number): string {
  let text = mixedCorpus(tokens * 4, 8);
  while (counter.count(text) > tokens) text = text.slice(0, Math.floor(text.length * 0.98));
  return text;
}

/** The first `chars` of a real pretty-printed trajectory, cut at a line end; undefined without the corpus. */
function realJson(chars: number): string | undefined {
  try {
    const text = readFileSync(join(corpus, 'trajectories', 'tau2-bench', 'whissle.airline_run1.json'), 'utf8');
    return text.slice(0, text.lastIndexOf('\n', chars) + 1);
  } catch {
    return undefined;
  }
}

/** Like the editor's getText(): a flat string, not a concatenation V8 would flatten inside the timed count. */
function flat(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}



const mb = (bytes: number, width = 9) => `${(bytes / 1024 / 1024).toFixed(1)} MB`.padStart(width);
