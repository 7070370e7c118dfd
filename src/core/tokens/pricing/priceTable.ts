/**
 * A normalized, validated view over genai-prices' provider data (bundled with
 * the package, or a refreshed copy of its v2 data.json), plus user overrides.
 * Prices are USD per million tokens.
 */
import { findProvider } from '@pydantic/genai-prices';
import { InputError } from '../../errors';

export interface ModelPrice {
  id: string;
  provider: string;
  name?: string;
  contextWindow?: number;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  /** Prices that apply when the prompt exceeds `thresholdTokens` (e.g. >200k). */
  longContext?: { thresholdTokens: number; inputPerMTok: number; outputPerMTok?: number; cacheReadPerMTok?: number; cacheWritePerMTok?: number };
}

export interface PriceTable {
  readonly origin: string;
  readonly updatedAt?: string;
  /** `now` picks among date-conditional prices (default: the current time). */
  find(model: string, provider?: string, now?: Date): ModelPrice | undefined;
  /** Number of models in the table. */
  size(): number;
}

export interface PriceOverride {
  inputPerMTok?: number;
  outputPerMTok?: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  contextWindow?: number;
  provider?: string;
}

export interface PriceTableOptions {
  /** When the data was fetched, if known (ISO 8601). */
  updatedAt?: string;
}

// ---------------------------------------------------------------------------
// Normalized data

type Matcher = (id: string) => boolean;
type Tiered = { base: number; tiers: { start: number; price: number }[] };
type Rate = number | Tiered;
/** The token prices of one price period; other units (images, searches, …) are dropped. */
interface Rates {
  input?: Rate;
  output?: Rate;
  cacheRead?: Rate;
  cacheWrite?: Rate;
}
type Constraint = { kind: 'date'; start: number } | { kind: 'time'; startSec: number; endSec: number };
interface Period {
  constraint?: Constraint;
  rates: Rates;
}
interface NModel {
  id: string;
  name?: string;
  contextWindow?: number;
  match: Matcher;
  periods: Period[];
}
interface NProvider {
  id: string;
  providerMatch?: Matcher;
  modelMatch?: Matcher;
  fallbacks: string[];
  models: NModel[];
}

// ---------------------------------------------------------------------------
// Validation of the v2 data.json shape (an array of providers)

class Validator {
  constructor(private readonly origin: string) {}

  fail(path: string, detail: string): never {
    throw new InputError({ file: this.origin, field: path || undefined }, detail);
  }

  record(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `expected an object, got ${kindOf(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${kindOf(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v === '') this.fail(path, `expected a non-empty string, got ${kindOf(v)}`);
    return v;
  }

  optString(v: unknown, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, path);
  }

  price(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) this.fail(path, `expected a finite number ≥ 0, got ${describe(v)}`);
    return v;
  }

  match(v: unknown, path: string): Matcher {
    const o = this.record(v, path);
    const keys = Object.keys(o);
    if (keys.length !== 1) this.fail(path, `expected exactly one of and, or, equals, starts_with, ends_with, contains, regex; got ${keys.join(', ') || 'none'}`);
    const key = keys[0] as string;
    const p = `${path}.${key}`;
    const arg = o[key];
    switch (key) {
      case 'and':
      case 'or': {
        const parts = this.array(arg, p).map((m, i) => this.match(m, `${p}[${i}]`));
        return key === 'and' ? (id) => parts.every((m) => m(id)) : (id) => parts.some((m) => m(id));
      }
      case 'equals':
      case 'starts_with':
      case 'ends_with':
      case 'contains': {
        if (typeof arg !== 'string') this.fail(p, `expected a string, got ${kindOf(arg)}`);
        const s = arg.toLowerCase();
        if (key === 'equals') return (id) => id === s;
        if (key === 'starts_with') return (id) => id.startsWith(s);
        if (key === 'ends_with') return (id) => id.endsWith(s);
        return (id) => id.includes(s);
      }
      case 'regex': {
        if (typeof arg !== 'string') this.fail(p, `expected a string, got ${kindOf(arg)}`);
        let re: RegExp;
        try {
          re = new RegExp(arg);
        } catch (err) {
          this.fail(p, `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
        }
        return (id) => re.test(id);
      }
      default:
        this.fail(path, `unknown match rule "${key}"`);
    }
  }

  rate(v: unknown, path: string): Rate | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return this.price(v, path);
    const o = this.record(v, path);
    const base = this.price(o.base, `${path}.base`);
    const tiers = this.array(o.tiers, `${path}.tiers`).map((t, i) => {
      const tp = `${path}.tiers[${i}]`;
      const r = this.record(t, tp);
      const start = r.start;
      if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) this.fail(`${tp}.start`, `expected a whole number of tokens ≥ 0, got ${describe(start)}`);
      return { start, price: this.price(r.price, `${tp}.price`) };
    });
    return { base, tiers: tiers.sort((a, b) => a.start - b.start) };
  }

  rates(v: unknown, path: string): Rates {
    const o = this.record(v, path);
    // Unknown keys (images, audio, searches, …) are allowed: newer data may add units.
    const rates: Rates = {};
    const input = this.rate(o.input_mtok, `${path}.input_mtok`);
    const output = this.rate(o.output_mtok, `${path}.output_mtok`);
    const cacheRead = this.rate(o.cache_read_mtok, `${path}.cache_read_mtok`);
    const cacheWrite = this.rate(o.cache_write_mtok, `${path}.cache_write_mtok`);
    if (input !== undefined) rates.input = input;
    if (output !== undefined) rates.output = output;
    if (cacheRead !== undefined) rates.cacheRead = cacheRead;
    if (cacheWrite !== undefined) rates.cacheWrite = cacheWrite;
    return rates;
  }

  constraint(v: unknown, path: string): Constraint | undefined {
    if (v === undefined || v === null) return undefined;
    const o = this.record(v, path);
    if (o.start_date !== undefined) {
      const s = o.start_date;
      const t = typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
      if (Number.isNaN(t)) this.fail(`${path}.start_date`, `expected a date YYYY-MM-DD, got ${describe(s)}`);
      return { kind: 'date', start: t };
    }
    if (o.start_time !== undefined || o.end_time !== undefined) {
      return { kind: 'time', startSec: this.timeOfDay(o.start_time, `${path}.start_time`), endSec: this.timeOfDay(o.end_time, `${path}.end_time`) };
    }
    this.fail(path, 'expected a start_date or start_time/end_time constraint');
  }

  /** `HH:MM:SS[.fff](Z|±HH:MM)` to seconds after midnight UTC, as genai-prices reads it. */
  private timeOfDay(v: unknown, path: string): number {
    const m = typeof v === 'string' ? /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(v) : null;
    if (!m) this.fail(path, `expected a time HH:MM:SSZ, got ${describe(v)}`);
    const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (h > 23 || min > 59 || s > 59) this.fail(path, `invalid time ${describe(v)}`);
    const offset = m[4] === 'Z' ? 0 : (m[5] === '-' ? -1 : 1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
    return (((h * 3600 + min * 60 + s - offset) % 86400) + 86400) % 86400;
  }

  model(v: unknown, path: string): NModel {
    const o = this.record(v, path);
    const id = this.string(o.id, `${path}.id`);
    const model: NModel = { id, match: this.match(o.match, `${path}.match`), periods: [] };
    const name = this.optString(o.name, `${path}.name`);
    if (name !== undefined) model.name = name;
    if (o.context_window !== undefined && o.context_window !== null) {
      const cw = o.context_window;
      if (typeof cw !== 'number' || !Number.isSafeInteger(cw) || cw <= 0) this.fail(`${path}.context_window`, `expected a whole number > 0, got ${describe(cw)}`);
      model.contextWindow = cw;
    }
    const prices = o.prices;
    if (Array.isArray(prices)) {
      if (prices.length === 0) this.fail(`${path}.prices`, 'expected at least one price');
      model.periods = prices.map((c, i) => {
        const cp = `${path}.prices[${i}]`;
        const r = this.record(c, cp);
        const period: Period = { rates: this.rates(r.prices, `${cp}.prices`) };
        const constraint = this.constraint(r.constraint, `${cp}.constraint`);
        if (constraint) period.constraint = constraint;
        return period;
      });
    } else {
      model.periods = [{ rates: this.rates(prices, `${path}.prices`) }];
    }
    return model;
  }

  provider(v: unknown, path: string): NProvider {
    const o = this.record(v, path);
    const provider: NProvider = {
      id: this.string(o.id, `${path}.id`).toLowerCase(),
      fallbacks: o.fallback_model_providers === undefined ? [] : this.array(o.fallback_model_providers, `${path}.fallback_model_providers`).map((f, i) => this.string(f, `${path}.fallback_model_providers[${i}]`).toLowerCase()),
      models: this.array(o.models, `${path}.models`).map((m, i) => this.model(m, `${path}.models[${i}]`)),
    };
    if (o.model_match !== undefined) provider.modelMatch = this.match(o.model_match, `${path}.model_match`);
    if (o.provider_match !== undefined) provider.providerMatch = this.match(o.provider_match, `${path}.provider_match`);
    return provider;
  }

  providers(v: unknown): NProvider[] {
    const list = this.array(v, '');
    if (list.length === 0) this.fail('', 'the price data lists no providers');
    return list.map((p, i) => this.provider(p, `[${i}]`));
  }
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : kindOf(v);
}

// ---------------------------------------------------------------------------
// Lookup

/** The rates in force at `now`, chosen exactly as genai-prices' calcPrice does (last matching period wins). */
function ratesAt(model: NModel, now: Date): Rates | undefined {
  const t = now.getTime();
  const secOfDay = (t / 1000) % 86400;
  for (let i = model.periods.length - 1; i >= 0; i--) {
    const p = model.periods[i] as Period;
    const c = p.constraint;
    if (!c) return p.rates;
    if (c.kind === 'date' && t >= c.start) return p.rates;
    if (c.kind === 'time') {
      const inWindow = c.endSec < c.startSec ? secOfDay >= c.startSec || secOfDay < c.endSec : secOfDay >= c.startSec && secOfDay < c.endSec;
      if (inWindow) return p.rates;
    }
  }
  return model.periods[0]?.rates;
}

const baseOf = (r: Rate): number => (typeof r === 'number' ? r : r.base);

/** The price of the first tier (the one starting at `start`), if `r` has it. */
function tierAt(r: Rate | undefined, start: number): number | undefined {
  return r === undefined || typeof r === 'number' ? undefined : r.tiers.find((t) => t.start === start)?.price;
}

function toModelPrice(model: NModel, provider: string, rates: Rates): ModelPrice | undefined {
  // Models without a token input price (image, audio, OCR, …) are not priced per token.
  if (rates.input === undefined) return undefined;
  const price: ModelPrice = {
    id: model.id,
    provider,
    inputPerMTok: baseOf(rates.input),
    // Embedding models have no output price: their output is free.
    outputPerMTok: rates.output === undefined ? 0 : baseOf(rates.output),
  };
  if (model.name !== undefined) price.name = model.name;
  if (model.contextWindow !== undefined) price.contextWindow = model.contextWindow;
  if (rates.cacheRead !== undefined) price.cacheReadPerMTok = baseOf(rates.cacheRead);
  if (rates.cacheWrite !== undefined) price.cacheWritePerMTok = baseOf(rates.cacheWrite);
  // genai-prices applies a tier when the request's input tokens exceed `start`;
  // the bundled data has at most one tier per price, and one shared threshold.
  const first = typeof rates.input === 'number' ? undefined : rates.input.tiers[0];
  if (first) {
    const lc: NonNullable<ModelPrice['longContext']> = { thresholdTokens: first.start, inputPerMTok: first.price };
    const out = tierAt(rates.output, first.start);
    const read = tierAt(rates.cacheRead, first.start);
    const write = tierAt(rates.cacheWrite, first.start);
    if (out !== undefined) lc.outputPerMTok = out;
    if (read !== undefined) lc.cacheReadPerMTok = read;
    if (write !== undefined) lc.cacheWritePerMTok = write;
    price.longContext = lc;
  }
  return price;
}

/** genai-prices also tries ids with a compact date spelled with dashes: -20240806 → -2024-08-06. */
function dashedDate(id: string): string {
  return id.replace(/-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g, '-$1-$2-$3');
}

interface Hit {
  model: NModel;
  provider: NProvider;
}

class DataTable implements PriceTable {
  private readonly byId = new Map<string, NProvider>();
  private readonly memo = new Map<string, Hit | null>();
  private readonly count: number;

  constructor(
    private readonly providers: NProvider[],
    readonly origin: string,
    readonly updatedAt?: string,
  ) {
    for (const p of providers) if (!this.byId.has(p.id)) this.byId.set(p.id, p);
    this.count = providers.reduce((n, p) => n + p.models.length, 0);
  }

  size(): number {
    return this.count;
  }

  find(model: string, provider?: string, now: Date = new Date()): ModelPrice | undefined {
    const id = model.trim().toLowerCase();
    if (!id) return undefined;
    const key = `${provider?.toLowerCase() ?? ''}\u0000${id}`;
    let hit = this.memo.get(key);
    if (hit === undefined) {
      hit = this.lookup(id, provider) ?? null;
      this.memo.set(key, hit);
    }
    if (!hit) return undefined;
    const rates = ratesAt(hit.model, now);
    return rates && toModelPrice(hit.model, hit.provider.id, rates);
  }

  /** A provider by id, or by its provider_match (e.g. `mistral-ai` → mistral, `xai` → x-ai). */
  provider(name: string): NProvider | undefined {
    const n = name.trim().toLowerCase();
    return this.byId.get(n) ?? this.providers.find((p) => p.providerMatch?.(n));
  }

  /** The provider whose model_match claims this id, in data order (as genai-prices does). */
  providerFor(id: string): NProvider | undefined {
    return this.providers.find((p) => p.modelMatch?.(id));
  }

  private lookup(id: string, providerName: string | undefined): Hit | undefined {
    const slash = id.indexOf('/');
    const prefix = slash > 0 ? id.slice(0, slash) : undefined;
    const rest = slash > 0 ? id.slice(slash + 1) : undefined;
    if (providerName) {
      const p = this.provider(providerName);
      const hit = p && (this.inProvider(p, id) ?? (rest ? this.inProvider(p, rest) : undefined));
      if (hit) return hit;
    }
    // `openai/gpt-4o` (GitHub Models, OpenRouter, LiteLLM): the prefix names the provider.
    const byPrefix = prefix && rest ? this.provider(prefix) : undefined;
    const viaPrefix = byPrefix && rest ? this.inProvider(byPrefix, rest) : undefined;
    if (viaPrefix) return viaPrefix;
    for (const candidate of rest ? [id, rest] : [id]) {
      const p = this.providerFor(candidate);
      const hit = p && this.inProvider(p, candidate);
      if (hit) return hit;
    }
    // Last resort: a model whose id is exactly this one, wherever it is listed.
    for (const p of this.providers) {
      const m = p.models.find((x) => x.id.toLowerCase() === id);
      if (m) return { model: m, provider: p };
    }
    return undefined;
  }

  private inProvider(p: NProvider, id: string, seen = new Set<string>()): Hit | undefined {
    seen.add(p.id);
    const dashed = dashedDate(id);
    const m = p.models.find((x) => x.match(id)) ?? (dashed !== id ? p.models.find((x) => x.match(dashed)) : undefined);
    if (m) return { model: m, provider: p };
    for (const f of p.fallbacks) {
      const fp = this.byId.get(f);
      const hit = fp && !seen.has(f) ? this.inProvider(fp, id, seen) : undefined;
      if (hit) return hit;
    }
    return undefined;
  }
}

export function priceTableFromData(data: unknown, origin: string, options: PriceTableOptions = {}): PriceTable {
  return new DataTable(new Validator(origin).providers(data), origin, options.updatedAt);
}

// ---------------------------------------------------------------------------
// The bundled table

/**
 * genai-prices exports no synchronous handle on its bundled list, only
 * findProvider by id; so the ids are listed here, and a unit test checks this
 * list against the package's own (waitForUpdate()) after every upgrade.
 */
export const bundledProviderIds: readonly string[] = [
  'anthropic', 'arcee', 'avian', 'aws', 'azure', 'baseten', 'cerebras', 'cloudflare', 'cohere', 'cursor', 'deepseek',
  'doubleword', 'fireworks', 'github-copilot', 'google', 'groq', 'huggingface_cerebras', 'huggingface_fireworks-ai',
  'huggingface_groq', 'huggingface_hyperbolic', 'huggingface_nebius', 'huggingface_novita', 'huggingface_nscale',
  'huggingface_ovhcloud', 'huggingface_publicai', 'huggingface_sambanova', 'huggingface_together', 'minimax', 'mistral',
  'modal', 'moonshotai', 'novita', 'openai', 'openrouter', 'ovhcloud', 'perplexity', 'quicksilverpro', 'together',
  'typesafe', 'voyageai', 'x-ai', 'zai', 'zhipuai',
];

export const BUNDLED_ORIGIN = '@pydantic/genai-prices (bundled)';

let bundled: DataTable | undefined;

export function bundledPriceTable(): PriceTable {
  return bundledTable();
}

function bundledTable(): DataTable {
  if (!bundled) {
    // We never call updatePrices(), so findProvider returns the package's bundled data.
    // findProvider also matches provider_match rules: keep only exact ids, so no provider is listed twice.
    const data = bundledProviderIds.flatMap((id) => {
      const p = findProvider({ providerId: id });
      return p && p.id === id ? [p] : [];
    });
    bundled = new DataTable(new Validator(BUNDLED_ORIGIN).providers(data), BUNDLED_ORIGIN);
  }
  return bundled;
}

/**
 * The provider a model id belongs to ('openai', 'anthropic', 'google', 'mistral', 'x-ai', …),
 * from an `openai/…` prefix or the bundled data's model_match rules.
 */
export function providerOf(model: string): string | undefined {
  const id = model.trim().toLowerCase();
  if (!id) return undefined;
  const table = bundledTable();
  const slash = id.indexOf('/');
  if (slash > 0) {
    const byPrefix = table.provider(id.slice(0, slash));
    if (byPrefix) return byPrefix.id;
  }
  return (table.providerFor(id) ?? (slash > 0 ? table.providerFor(id.slice(slash + 1)) : undefined))?.id;
}

// ---------------------------------------------------------------------------
// Overrides (setting agentOps.priceOverrides)

const SETTING = 'agentOps.priceOverrides';
const overrideRates = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok'] as const;

export function parsePriceOverrides(value: unknown, origin: string): Record<string, PriceOverride> {
  const fail = (field: string, detail: string): never => {
    throw new InputError({ file: origin, field }, detail);
  };
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail(SETTING, `expected an object keyed by model id, got ${kindOf(value)}`);
  const out: Record<string, PriceOverride> = {};
  for (const [model, entry] of Object.entries(value)) {
    const path = `${SETTING}[${JSON.stringify(model)}]`;
    if (!model.trim()) fail(path, 'expected a model id as the key');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(path, `expected an object, got ${kindOf(entry)}`);
    const o = entry as Record<string, unknown>;
    const override: PriceOverride = {};
    for (const [key, v] of Object.entries(o)) {
      const field = `${path}.${key}`;
      if ((overrideRates as readonly string[]).includes(key)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, `expected a price in USD per million tokens (a number ≥ 0), got ${describe(v)}`);
        override[key as (typeof overrideRates)[number]] = v as number;
      } else if (key === 'contextWindow') {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(field, `expected a whole number of tokens > 0, got ${describe(v)}`);
        override.contextWindow = v as number;
      } else if (key === 'provider') {
        if (typeof v !== 'string' || !v.trim()) fail(field, `expected a provider id such as "openai", got ${describe(v)}`);
        override.provider = (v as string).trim().toLowerCase();
      } else {
        fail(field, `unknown field; expected one of ${[...overrideRates, 'contextWindow', 'provider'].join(', ')}`);
      }
    }
    out[model.trim().toLowerCase()] = override;
  }
  return out;
}

function applyOverride(base: ModelPrice | undefined, model: string, o: PriceOverride): ModelPrice | undefined {
  if (!base) {
    // An override for a model the table does not know defines it: it needs both rates.
    if (o.inputPerMTok === undefined || o.outputPerMTok === undefined) return undefined;
    const price: ModelPrice = { id: model, provider: o.provider ?? providerOf(model) ?? 'custom', inputPerMTok: o.inputPerMTok, outputPerMTok: o.outputPerMTok };
    if (o.cacheReadPerMTok !== undefined) price.cacheReadPerMTok = o.cacheReadPerMTok;
    if (o.cacheWritePerMTok !== undefined) price.cacheWritePerMTok = o.cacheWritePerMTok;
    if (o.contextWindow !== undefined) price.contextWindow = o.contextWindow;
    return price;
  }
  const price: ModelPrice = { ...base };
  for (const k of overrideRates) if (o[k] !== undefined) price[k] = o[k];
  if (o.contextWindow !== undefined) price.contextWindow = o.contextWindow;
  if (o.provider !== undefined) price.provider = o.provider;
  // The table's long-context tier is relative to the table's own rates: once the
  // user sets a rate (a negotiated price, say), that tier no longer applies.
  if (overrideRates.some((k) => o[k] !== undefined)) delete price.longContext;
  return price;
}

export function withOverrides(table: PriceTable, overrides: Record<string, PriceOverride>): PriceTable {
  const entries = new Map(Object.entries(overrides).map(([k, v]) => [k.trim().toLowerCase(), v]));
  if (entries.size === 0) return table;
  const added = [...entries].filter(([k, o]) => o.inputPerMTok !== undefined && o.outputPerMTok !== undefined && !table.find(k, o.provider)).length;
  return {
    origin: table.origin,
    ...(table.updatedAt !== undefined ? { updatedAt: table.updatedAt } : {}),
    size: () => table.size() + added,
    find(model: string, provider?: string, now?: Date): ModelPrice | undefined {
      const id = model.trim().toLowerCase();
      const slash = id.indexOf('/');
      // The key as written wins (`openai/gpt-4o` or `gpt-4o`); else the override of the model the table resolved to.
      const direct = entries.get(id) ?? (slash > 0 ? entries.get(id.slice(slash + 1)) : undefined);
      const base = table.find(model, provider ?? direct?.provider, now);
      const o = direct ?? (base ? entries.get(base.id.toLowerCase()) : undefined);
      return o ? applyOverride(base, direct && slash > 0 && !entries.has(id) ? id.slice(slash + 1) : id, o) : base;
    },
  };
}
