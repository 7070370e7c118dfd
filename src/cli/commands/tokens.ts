import { existsSync, promises as fs } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '../../core/errors';
import { formatTokens, formatUsd } from '../../core/format';
import { describeFsError } from '../../core/io/openInput';
import type { PromptEstimate } from '../../core/tokens';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const skippedDirs = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.venv', 'venv', '__pycache__', '.cache', '.agentops']);

interface PromptJson {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  kind: string;
  role?: string;
  tokens: Record<string, number>;
  estimated: boolean;
  placeholders: number;
  costs: {
    model: string;
    tokens: number;
    estimated: boolean;
    /** This prompt's share of the call's input cost, uncached and on a cache hit. */
    inputUsd: number | null;
    cachedInputUsd: number | null;
    /** The whole call this prompt belongs to (all its messages, chat overhead, output). */
    call: { inputTokens: number; outputTokens: number; outputFrom: string; inputUsd: number | null; cachedInputUsd: number | null; outputUsd: number | null; totalUsd: number | null; contextWindow: number | null };
  }[];
}

export const tokensCommand: CliCommand = {
  name: 'tokens',
  summary: 'Count tokens and price the prompts in files, folders or stdin',
  usage: ['tokens <paths...> [--model M]... [--json]', 'tokens --stdin [--model M]... [--json]', 'tokens <paths...> --max-tokens N   (exit 1 when a prompt has more)'],
  options: {
    model: { type: 'string', multiple: true, value: 'MODEL', description: 'Model to estimate for (repeatable; default gpt-4o)' },
    stdin: { type: 'boolean', description: 'Read one prompt from standard input (same as the path "-")' },
    'max-tokens': { type: 'string', value: 'N', description: 'Gate: exit 1 when a prompt has more tokens than N on the first model, or a call exceeds its context window' },
    'output-tokens': { type: 'string', value: 'N', description: 'Output tokens assumed when a call sets no max_tokens (default 500)' },
    'prompt-files': { type: 'string', multiple: true, value: 'GLOB', description: 'Extra globs of whole-file prompts, relative to the current folder' },
  },
  positionals: { min: 0, max: Infinity, name: 'paths' },
  async run({ positionals, options, io }) {
    const models = stringList(options.model);
    const fromStdin = options.stdin === true || positionals.includes('-');
    if (!fromStdin && positionals.length === 0) throw new UsageError('give files or folders, or --stdin', 'tokens');
    const maxTokens = optionalInteger(options['max-tokens'], '--max-tokens');
    const outputTokens = optionalInteger(options['output-tokens'], '--output-tokens') ?? 500;
    const tokens = await import('../../core/tokens/index');
    const lens = await tokens.TokenLens.create({ wasmDir: wasmDir(tokens.defaultWasmDir) });
    const settings = {
      models: models.length > 0 ? models : ['gpt-4o'],
      expectedOutputTokens: outputTokens,
      prices: tokens.bundledPriceTable(),
      promptFiles: stringList(options['prompt-files']),
    };
    const prompts: PromptJson[] = [];
    try {
      if (fromStdin) {
        const estimate = await lens.estimateText(await readStdin(), settings);
        prompts.push(toJson('-', estimate));
      }
      for (const file of await expand(positionals.filter((p) => p !== '-'), io, (f) => lens.handles({ fileName: f, relativePath: relative(io.cwd, f) }, settings.promptFiles))) {
        const text = await readText(file);
        const shown = relative(io.cwd, file) || file;
        for (const e of await lens.analyze({ fileName: file, relativePath: relative(io.cwd, file), text }, settings)) prompts.push(toJson(shown, e));
      }
    } finally {
      lens.dispose();
    }
    const over = maxTokens === undefined ? [] : prompts.filter((p) => (p.costs[0]?.tokens ?? 0) > maxTokens);
    const overWindow = prompts.filter((p) => p.costs.some((c) => c.call.contextWindow !== null && c.call.inputTokens > c.call.contextWindow));
    const failed = over.length > 0 || overWindow.length > 0;
    return {
      exitCode: failed ? ExitCode.gateFailed : ExitCode.ok,
      json: { prompts, ...(maxTokens !== undefined ? { maxTokens, overBudget: over.length } : {}) },
      text: renderText(prompts, over, maxTokens),
    };
  },
};

function toJson(file: string, e: PromptEstimate): PromptJson {
  const tokens: Record<string, number> = {};
  for (const [enc, n] of Object.entries(e.counts)) if (n !== undefined) tokens[enc] = n;
  return {
    file,
    range: e.prompt.range,
    kind: e.prompt.kind,
    ...(e.prompt.role ? { role: e.prompt.role } : {}),
    tokens,
    estimated: e.models.some((m) => !m.tokenization.exact),
    placeholders: e.prompt.placeholders.length,
    costs: e.models.map((m) => ({
      model: m.model,
      tokens: m.promptTokens,
      estimated: !m.tokenization.exact,
      inputUsd: m.promptInputUsd ?? null,
      cachedInputUsd: m.promptCachedInputUsd ?? null,
      call: {
        inputTokens: m.call.inputTokens,
        outputTokens: m.call.outputTokens,
        outputFrom: m.call.outputFrom,
        inputUsd: m.call.cost?.inputUsd ?? null,
        cachedInputUsd: m.call.cost?.cachedInputUsd ?? null,
        outputUsd: m.call.cost?.outputUsd ?? null,
        totalUsd: m.call.cost?.totalUsd ?? null,
        contextWindow: m.call.contextWindow ?? null,
      },
    })),
  };
}

function renderText(prompts: PromptJson[], over: PromptJson[], maxTokens: number | undefined): string {
  if (prompts.length === 0) return 'No prompts found.\n';
  const rows = prompts.map((p) => {
    const where = `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}`;
    const costs = p.costs.map((c) => `${c.estimated ? '≈' : ''}${formatTokens(c.tokens)} tok ${c.inputUsd === null ? 'no price' : `${formatUsd(c.inputUsd)} in`} ${c.model}`).join(' | ');
    const dynamic = p.placeholders > 0 ? ` +${p.placeholders} dynamic` : '';
    return `${where}  ${p.role ? `${p.role} ` : ''}${p.kind}${dynamic}  ${costs}`;
  });
  const summary = maxTokens === undefined ? `${prompts.length} prompts` : `${prompts.length} prompts, ${over.length} over ${maxTokens} tokens`;
  return `${rows.join('\n')}\n${summary}\n`;
}

async function expand(paths: string[], io: CliIo, accept: (file: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(io.cwd, p);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      throw new InputError({ file: p }, describeFsError(err), { cause: err });
    }
    if (stat.isDirectory()) files.push(...(await walk(abs, accept)));
    else files.push(abs);
  }
  return files;
}

async function walk(dir: string, accept: (file: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name)) out.push(...(await walk(path, accept)));
    } else if (entry.isFile() && accept(path)) out.push(path);
  }
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, describeFsError(err), { cause: err });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The bundle ships the grammars in dist/wasm; from source they come from node_modules. */
function wasmDir(fallback: () => string): string {
  const bundled = join(__dirname, 'wasm');
  return existsSync(join(bundled, 'tree-sitter.wasm')) ? bundled : fallback();
}

function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function optionalInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0) throw new UsageError(`${flag} takes a whole number, got '${String(value)}'`, 'tokens');
  return n;
}
