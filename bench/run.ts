import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { openInput } from '../src/core/io/openInput';
import { readLines } from '../src/core/io/readLines';
import { benchTokens } from './tokens';
import { benchTrace } from './trace';
import { benchTrajectory } from './trajectory';
import { benchCollector } from './collector';
import { median } from './measure';

/**
 * `npm run bench`: each measurement against a named peer in the same run,
 * printed as a ratio, with absolute numbers for context. Not run in CI.
 */
const repo = resolve(__dirname, '..', '..');
const corpus = process.env.AGENTOPS_CORPUS ?? resolve(repo, '..', 'shared', 'fixtures');

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${process.platform}-${process.arch}\n`);
  const only = process.env.BENCH_ONLY; // io | tokens | trace | trajectory | collector: run one part
  if (!only || only === 'io') {
    await benchLineReader();
    benchCliStartup();
    console.log('');
  }
  if (!only || only === 'tokens') await benchTokens();
  if (!only || only === 'trace') await benchTrace();
  if (!only || only === 'trajectory') await benchTrajectory();
  if (!only || only === 'collector') await benchCollector();
}

/** Our line reader (numbers lines, keeps a half-written last line) vs node:readline. */
async function benchLineReader(): Promise<void> {
  const source = readFileSync(join(corpus, 'otlp', 'otel-tui_test_data.jsonl'));
  const dir = mkdtempSync(join(tmpdir(), 'agentops-bench-'));
  const file = join(dir, 'big.jsonl');
  const out = createWriteStream(file);
  const targetBytes = Number(process.env.BENCH_MB ?? 200) * 1024 * 1024;
  for (let written = 0; written < targetBytes; written += source.length) {
    if (!out.write(source)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const mb = statSync(file).size / 1024 / 1024;

  const ours = async () => {
    let n = 0;
    const { stream } = await openInput(file);
    for await (const line of readLines(stream, file)) n += line.text.length > 0 ? 1 : 0;
    return n;
  };
  const peer = async () => {
    let n = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) n += line.length > 0 ? 1 : 0;
    return n;
  };
  const a = await bestOf(3, ours);
  const b = await bestOf(3, peer);
  if (a.result !== b.result) throw new Error(`line counts differ: ours ${a.result}, readline ${b.result}`);
  console.log(`readLines vs node:readline, ${mb.toFixed(0)} MB of collector JSONL (${a.result} lines), best of 3:`);
  console.log(`  ours     ${(mb / (a.ms / 1000)).toFixed(0).padStart(5)} MB/s  (${a.ms.toFixed(0)} ms)`);
  console.log(`  readline ${(mb / (b.ms / 1000)).toFixed(0).padStart(5)} MB/s  (${b.ms.toFixed(0)} ms)`);
  console.log(`  ratio    ${(b.ms / a.ms).toFixed(2)}x readline's speed\n`);
  rmSync(dir, { recursive: true, force: true });
}

/** `agentops --version` cold start vs a bare `node -e 0`. */
function benchCliStartup(): void {
  const cli = join(repo, 'dist', 'cli.js');
  const time = (args: string[]) => {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return performance.now() - t;
  };
  const runs = 15;
  const ours = median(Array.from({ length: runs }, () => time([cli, '--version'])));
  const bare = median(Array.from({ length: runs }, () => time(['-e', '0'])));
  console.log(`agentops --version vs node -e 0, median of ${runs} process starts:`);
  console.log(`  agentops ${ours.toFixed(1)} ms`);
  console.log(`  node     ${bare.toFixed(1)} ms`);
  console.log(`  ratio    ${(ours / bare).toFixed(2)}x (overhead ${(ours - bare).toFixed(1)} ms)`);
}

async function bestOf<T>(n: number, fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let best = { ms: Infinity, result: undefined as T };
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const result = await fn();
    const ms = performance.now() - t;
    if (ms < best.ms) best = { ms, result };
  }
  return best;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
