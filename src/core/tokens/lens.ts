import { extname } from 'node:path';
import { chatFormatFor, chatOverheadTokens } from './chat';
import { ChunkedCounter } from './chunkedCounter';
import { createPromptDetector, detectPromptFile, isPromptFile, type PromptDetector } from './detect';
import { loadCounter } from './encodings';
import { tokenizationFor, type EstimateFamily } from './models';
import { costOfCall, type CallCost } from './pricing/cost';
import type { ModelPrice, PriceTable } from './pricing/priceTable';
import type { DetectedPrompt, EncodingName, ModelTokenization, SourceLanguage } from './types';

/** What the user configured: the extension reads settings, the CLI flags. */
export interface LensSettings {
  /** Models to estimate for; the first is the primary one (lens text, status bar). */
  models: readonly string[];
  calibration?: Partial<Record<EstimateFamily, number>>;
  /** Output tokens assumed when the call sets no max_tokens. */
  expectedOutputTokens: number;
  prices: PriceTable;
  /** User globs of extra prompt files (agentOps.promptFiles). */
  promptFiles?: readonly string[];
}

export interface CallEstimate {
  /** Input tokens of the whole call: every static message part plus chat-format overhead. */
  inputTokens: number;
  messages: number;
  outputTokens: number;
  outputFrom: 'max_tokens' | 'default';
  cost?: CallCost;
  contextWindow?: number;
  /** inputTokens / contextWindow, when the window is known. */
  contextShare?: number;
}

export interface ModelEstimate {
  model: string;
  tokenization: ModelTokenization;
  /** Tokens of this prompt's static text (estimated when !tokenization.exact). */
  promptTokens: number;
  /**
   * This prompt's share of the call's input cost (and of its cached-input cost),
   * so that the figures of a call's messages add up to the call.
   */
  promptInputUsd?: number;
  promptCachedInputUsd?: number;
  price?: ModelPrice;
  call: CallEstimate;
}

export interface PromptEstimate {
  prompt: DetectedPrompt;
  /** Exact counts of the static text per encoding that one of the models uses. */
  counts: Partial<Record<EncodingName, number>>;
  models: ModelEstimate[];
}

export interface LensDocument {
  /** Path or name; decides prompt-file handling and, without languageId, the language. */
  fileName: string;
  /** Workspace-relative path for prompt-file globs and the `prompts/` folder rule. */
  relativePath?: string;
  /** VS Code language id when known. */
  languageId?: string;
  text: string;
}

const languageByExtension: Record<string, SourceLanguage> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescriptreact',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascriptreact',
};
const sourceLanguages = new Set<string>(Object.values(languageByExtension));

export function sourceLanguageOf(doc: Pick<LensDocument, 'fileName' | 'languageId'>): SourceLanguage | undefined {
  if (doc.languageId && sourceLanguages.has(doc.languageId)) return doc.languageId as SourceLanguage;
  return languageByExtension[extname(doc.fileName).toLowerCase()];
}

/**
 * The token and cost lens over one workspace: finds prompts, counts them
 * exactly (or estimates, labelled), prices each call. One instance is shared
 * by every editor feature so that tokenizers and chunk caches load once.
 */
export class TokenLens {
  private readonly counters = new Map<EncodingName, Promise<ChunkedCounter>>();

  private constructor(private readonly detector: PromptDetector) {}

  static async create(options: { wasmDir: string }): Promise<TokenLens> {
    return new TokenLens(await createPromptDetector(options));
  }

  /** True when the document can hold prompts (a supported language or a prompt file). */
  handles(doc: Omit<LensDocument, 'text'>, promptFiles: readonly string[] = []): boolean {
    return sourceLanguageOf(doc) !== undefined || isPromptFile(doc.relativePath ?? doc.fileName, promptFiles);
  }

  async detect(doc: LensDocument, promptFiles: readonly string[] = []): Promise<DetectedPrompt[]> {
    const language = sourceLanguageOf(doc);
    if (language) return this.detector.detect(doc.text, language);
    if (isPromptFile(doc.relativePath ?? doc.fileName, promptFiles)) return detectPromptFile(doc.relativePath ?? doc.fileName, doc.text) ?? [];
    return [];
  }

  async analyze(doc: LensDocument, settings: LensSettings): Promise<PromptEstimate[]> {
    const prompts = await this.detect(doc, settings.promptFiles);
    return this.estimate(prompts, settings);
  }

  /** Estimates for prompts found elsewhere (or a single free text, see estimateText). */
  async estimate(prompts: readonly DetectedPrompt[], settings: LensSettings): Promise<PromptEstimate[]> {
    const results: PromptEstimate[] = [];
    const tokensCache = new Map<string, number>();
    const promptTokens = async (prompt: DetectedPrompt, tokenization: ModelTokenization): Promise<number> => {
      const key = `${tokenization.encoding}\u0000${prompt.text}`;
      let exact = tokensCache.get(key);
      if (exact === undefined) {
        exact = (await this.counter(tokenization.encoding)).count(prompt.text);
        tokensCache.set(key, exact);
      }
      return tokenization.exact ? exact : Math.round(exact * tokenization.factor);
    };
    const groups = new Map<string, DetectedPrompt[]>();
    for (const p of prompts) if (p.group) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);

    for (const prompt of prompts) {
      const counts: Partial<Record<EncodingName, number>> = {};
      const models: ModelEstimate[] = [];
      for (const model of modelsFor(prompt, settings.models)) {
        const tokenization = tokenizationFor(model, settings.calibration);
        counts[tokenization.encoding] ??= (await this.counter(tokenization.encoding)).count(prompt.text);
        const own = await promptTokens(prompt, tokenization);
        const members = prompt.group ? (groups.get(prompt.group) ?? [prompt]) : [prompt];
        let inputTokens = 0;
        for (const m of members) inputTokens += await promptTokens(m, tokenization);
        const isChat = members.some((m) => m.role !== undefined);
        if (isChat) inputTokens += chatOverheadTokens(members.length, chatFormatFor(tokenization.encoding));
        const price = settings.prices.find(model);
        const call = callEstimate(members, inputTokens, settings, price);
        const share = inputTokens > 0 ? own / inputTokens : 0;
        models.push({
          model,
          tokenization,
          promptTokens: own,
          ...(call.cost ? { promptInputUsd: call.cost.inputUsd * share } : {}),
          ...(call.cost?.cachedInputUsd !== undefined ? { promptCachedInputUsd: call.cost.cachedInputUsd * share } : {}),
          ...(price ? { price } : {}),
          call,
        });
      }
      results.push({ prompt, counts, models });
    }
    return results;
  }

  /** A selection or stdin: one free text priced as one user message. */
  async estimateText(text: string, settings: LensSettings): Promise<PromptEstimate> {
    const lines = text.split('\n');
    const prompt: DetectedPrompt = {
      kind: 'prompt',
      range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines.at(-1)?.length ?? 0 } },
      text,
      placeholders: [],
    };
    const [estimate] = await this.estimate([prompt], settings);
    if (!estimate) throw new Error('estimate of one prompt returned nothing');
    return estimate;
  }

  counter(encoding: EncodingName): Promise<ChunkedCounter> {
    let counter = this.counters.get(encoding);
    if (!counter) {
      counter = loadCounter(encoding).then((c) => new ChunkedCounter(c));
      this.counters.set(encoding, counter);
    }
    return counter;
  }

  dispose(): void {
    this.detector.dispose();
  }
}

/** The call's own model first, then the configured ones, without repeats (`openai/gpt-4o` is `gpt-4o`). */
function modelsFor(prompt: DetectedPrompt, configured: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const model of [...(prompt.model ? [prompt.model] : []), ...configured]) {
    const key = model.toLowerCase().replace(/^[\w.-]+\//, '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(model);
  }
  return out;
}

function callEstimate(members: readonly DetectedPrompt[], inputTokens: number, settings: LensSettings, price: ModelPrice | undefined): CallEstimate {
  const maxOutput = members.find((m) => m.maxOutputTokens !== undefined)?.maxOutputTokens;
  const outputTokens = maxOutput ?? settings.expectedOutputTokens;
  const cacheControl = members.some((m) => m.cacheControl === true);
  const estimate: CallEstimate = { inputTokens, messages: members.length, outputTokens, outputFrom: maxOutput !== undefined ? 'max_tokens' : 'default' };
  if (price) {
    estimate.cost = costOfCall(price, { inputTokens, outputTokens, cacheControl });
    if (price.contextWindow) {
      estimate.contextWindow = price.contextWindow;
      estimate.contextShare = inputTokens / price.contextWindow;
    }
  }
  return estimate;
}
