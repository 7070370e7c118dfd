/**
 * The monitoring sections of agentops.yaml — `alerts:` and `drift:` — read and checked field by
 * field (each problem at its line, column and field path), and their JSON Schema. One table of
 * fields per rule type (`ruleFields`) drives both, so the checks and the editor's completion agree.
 * docs/monitoring.md documents them.
 *
 * ```yaml
 * alerts:
 *   rules:
 *     - { type: error-rate, threshold: 0.05, window: 5m }          # the default when alerts: is absent
 *     - { type: latency-p95, threshold: 8000, severity: warning }   # ms
 *     - { type: cost, per: hour, threshold: 5, project: billing }   # USD per hour, per project
 *     - { type: tokens-per-request, threshold: 20000 }
 *     - { type: budget, period: month, threshold: 200, project: billing }
 *   alertmanager: { url: "http://127.0.0.1:9093" }
 * drift:
 *   psi: { moderate: 0.1, drift: 0.2 }
 *   ksPValue: 0.01
 *   consistency: { threshold: 0.8 }
 * ```
 *
 * Like the trajectory section (and unlike deploys), a wrong rule is dropped and the others still
 * run: monitoring with one rule missing is better than none. The CLI still exits 2 on any problem.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { describeNode, durationSchema, isHttpUrl, keyText, parseAgentopsYaml, ProblemSink, sectionOf, suggest, type AgentopsYaml, type ConfigPath, type ConfigProblem, type Schema } from '../config/agentopsYaml';
import { parseDurationText } from '../deploy/config';

export type { ConfigProblem } from '../config/agentopsYaml';

// ── types ───────────────────────────────────────────────────────────────────

export const alertRuleTypes = ['error-rate', 'latency-p95', 'cost', 'tokens-per-request', 'budget'] as const;
export type AlertRuleType = (typeof alertRuleTypes)[number];
export type AlertSeverity = 'error' | 'warning';
export type CostPer = 'hour' | 'day';
export type BudgetPeriod = 'day' | 'week' | 'month';

/** One alert rule, defaults filled in. */
export interface AlertRule {
  /** Unique among the rules; the type when not given (the first of a type), else `type-2`, … */
  name: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  /**
   * error-rate: 0–1; latency-p95: ms; cost: USD per `per`; tokens-per-request: mean input + output
   * tokens per request; budget: USD per `period`.
   */
  threshold: number;
  /** The span of calls each evaluation looks at, ms. cost: the `per` period; budget: the calendar period so far (not settable). */
  windowMs: number;
  /** Fewer requests in the window is no data (neither fire nor resolve). */
  minSamples: number;
  /** Consecutive evaluations above the threshold before firing (default 1). */
  for: number;
  /** Consecutive evaluations below `threshold × (1 − hysteresis)` before resolving (default 1). */
  resolveAfter: number;
  /** 0–1 (default 0.2): a 5% rule resolves below 4%. */
  hysteresis: number;
  /** Only the calls of this project. cost and budget without it: every project separately. */
  project?: string;
  /** cost: the unit of the threshold. */
  per?: CostPer;
  /** budget: the calendar period (UTC; weeks start on Monday). */
  period?: BudgetPeriod;
}

export interface DriftThresholds {
  /** PSI at or above which a distribution has moderately shifted (default 0.1). */
  psiModerate: number;
  /** PSI above which it has drifted (default 0.2). */
  psiDrift: number;
  /** KS p-value below which the two samples differ (default 0.01). */
  ksPValue: number;
  /** Mean pairwise output similarity below which answers to the same input are inconsistent (default 0.8). */
  consistencyThreshold: number;
  consistencySeverity: AlertSeverity;
  /** Groups (same input) with fewer runs are not judged (default 2: one pair). */
  consistencyMinRuns: number;
}

export interface MonitorConfig {
  alerts: { rules: AlertRule[]; alertmanager?: { url: string } };
  drift: DriftThresholds;
}

export const defaultDriftThresholds: Readonly<DriftThresholds> = { psiModerate: 0.1, psiDrift: 0.2, ksPValue: 0.01, consistencyThreshold: 0.8, consistencySeverity: 'warning', consistencyMinRuns: 2 };

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
export const costPerMs: Readonly<Record<CostPer, number>> = { hour, day };

/** The rule used when `alerts:` is absent or empty: the error rate above 5% over 5 minutes. */
export function defaultAlertRules(): AlertRule[] {
  return [ruleWithDefaults({ type: 'error-rate' })];
}

const typeDefaults: Record<AlertRuleType, { severity: AlertSeverity; windowMs: number; minSamples: number; threshold?: number }> = {
  'error-rate': { severity: 'error', windowMs: 5 * minute, minSamples: 10, threshold: 0.05 },
  'latency-p95': { severity: 'warning', windowMs: 5 * minute, minSamples: 10 },
  cost: { severity: 'warning', windowMs: hour, minSamples: 0 },
  'tokens-per-request': { severity: 'warning', windowMs: 5 * minute, minSamples: 10 },
  budget: { severity: 'error', windowMs: 30 * day, minSamples: 0 },
};

/** A rule from its given fields, the rest defaulted (for code that builds rules without YAML, such as tests and settings). */
export function ruleWithDefaults(r: Partial<AlertRule> & { type: AlertRuleType }): AlertRule {
  const d = typeDefaults[r.type];
  const per = r.type === 'cost' ? (r.per ?? 'hour') : undefined;
  const period = r.type === 'budget' ? (r.period ?? 'month') : undefined;
  const out: AlertRule = {
    name: r.name ?? r.type,
    type: r.type,
    severity: r.severity ?? d.severity,
    threshold: r.threshold ?? d.threshold ?? 0,
    windowMs: r.windowMs ?? (per ? costPerMs[per] : d.windowMs),
    minSamples: r.minSamples ?? d.minSamples,
    for: r.for ?? 1,
    resolveAfter: r.resolveAfter ?? 1,
    hysteresis: r.hysteresis ?? 0.2,
  };
  if (r.project !== undefined) out.project = r.project;
  if (per) out.per = per;
  if (period) out.period = period;
  return out;
}

// ── the fields of a rule ────────────────────────────────────────────────────

type Field =
  | { kind: 'name'; description: string }
  | { kind: 'number'; min: number; max?: number; description: string }
  | { kind: 'int'; min: number; description: string }
  | { kind: 'duration'; description: string }
  | { kind: 'enum'; values: readonly string[]; description: string };

const common: Record<string, Field> = {
  name: { kind: 'name', description: 'The rule’s name, unique in the file: the alert’s name in notifications, the log and Alertmanager (default: the type).' },
  severity: { kind: 'enum', values: ['error', 'warning'], description: 'error makes `agentops report` exit 1 while the alert fires.' },
  minSamples: { kind: 'int', min: 0, description: 'Fewer requests in the window is no data: the alert neither fires nor resolves.' },
  for: { kind: 'int', min: 1, description: 'Consecutive evaluations above the threshold before the alert fires (default 1).' },
  resolveAfter: { kind: 'int', min: 1, description: 'Consecutive evaluations below threshold × (1 − hysteresis) before it resolves (default 1).' },
  hysteresis: { kind: 'number', min: 0, max: 0.99, description: 'How far below the threshold the value must fall to resolve, as a fraction of it (default 0.2: a 5% rule resolves below 4%).' },
  project: { kind: 'name', description: 'Only the calls of this project (the project attribute, default agentops.project).' },
};
const windowField: Field = { kind: 'duration', description: 'The calls each evaluation looks at: the last 5m, 1h, … (default 5m).' };

/** Per rule type: its own fields (beyond `type`) and what its threshold means. */
export const ruleFields: { readonly [T in AlertRuleType]: { description: string; fields: Readonly<Record<string, Field>> } } = {
  'error-rate': {
    description: 'Share of model calls with status ERROR in the window.',
    fields: { ...common, window: windowField, threshold: { kind: 'number', min: 0, max: 1, description: 'A rate from 0 to 1 (0.05 = 5%; default 0.05).' } },
  },
  'latency-p95': {
    description: 'P95 latency of the model calls in the window.',
    fields: { ...common, window: windowField, threshold: { kind: 'number', min: 0, description: 'Milliseconds.' } },
  },
  cost: {
    description: 'Spend in USD per hour or per day, per project (every project separately unless `project` is given).',
    fields: {
      ...common,
      per: { kind: 'enum', values: ['hour', 'day'], description: 'The unit of the threshold (default hour).' },
      window: { kind: 'duration', description: 'The calls each evaluation looks at (default: one `per`); the spend is scaled to USD per `per`.' },
      threshold: { kind: 'number', min: 0, description: 'USD per `per`.' },
    },
  },
  'tokens-per-request': {
    description: 'Mean input + output tokens per model call in the window.',
    fields: { ...common, window: windowField, threshold: { kind: 'number', min: 0, description: 'Tokens.' } },
  },
  budget: {
    description: 'Spend in the current calendar day, week (from Monday) or month, UTC, per project; fires once the spend reaches the threshold.',
    fields: {
      ...common,
      period: { kind: 'enum', values: ['day', 'week', 'month'], description: 'The budget period (default month).' },
      threshold: { kind: 'number', min: 0, description: 'The budget in USD for the period.' },
    },
  },
};

const driftFields: Record<string, Field> = {
  ksPValue: { kind: 'number', min: 0, max: 1, description: 'KS p-value below which two samples differ (default 0.01).' },
};

// ── reading ─────────────────────────────────────────────────────────────────

export interface LoadedMonitorConfig {
  config: MonitorConfig;
  problems: ConfigProblem[];
}

/** The `alerts:` and `drift:` sections of an agentops.yaml text, defaults filled in. Never throws. */
export function loadMonitorConfig(text: string, file: string): LoadedMonitorConfig {
  return monitorConfigOf(parseAgentopsYaml(text, file));
}

/** The same, from an agentops.yaml already parsed. */
export function monitorConfigOf(y: AgentopsYaml): LoadedMonitorConfig {
  const sink = new ProblemSink(y);
  const config: MonitorConfig = { alerts: { rules: defaultAlertRules() }, drift: { ...defaultDriftThresholds } };
  const alerts = sectionOf(y, 'alerts');
  if (alerts && !isEmpty(alerts.value)) {
    if (!isMap(alerts.value)) sink.at(alerts.value, ['alerts'], `alerts must be a mapping (rules:, alertmanager:), found ${describeNode(alerts.value)}`, alerts.pair);
    else readAlerts(alerts.value, config, sink);
  }
  const drift = sectionOf(y, 'drift');
  if (drift && !isEmpty(drift.value)) {
    if (!isMap(drift.value)) sink.at(drift.value, ['drift'], `drift must be a mapping (psi:, ksPValue:, consistency:), found ${describeNode(drift.value)}`, drift.pair);
    else readDrift(drift.value, config.drift, sink);
  }
  return { config, problems: [...y.problems, ...sink.problems] };
}

function isEmpty(node: YamlNode | null | undefined): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}

function entries(map: YAMLMap, path: ConfigPath, sink: ProblemSink): [string, Pair][] {
  const out: [string, Pair][] = [];
  for (const item of map.items) {
    const k = keyText(item as Pair);
    if (k === undefined || k === '') sink.at(item as Pair, path, 'a key must be plain text');
    else out.push([k, item as Pair]);
  }
  return out;
}

function unknown(sink: ProblemSink, pair: Pair, path: ConfigPath, key: string, where: string, known: readonly string[]): void {
  const hint = suggest(key, known);
  sink.at(pair, [...path, key], `unknown field '${key}' in ${where}${hint ? ` (did you mean '${hint}'?)` : ''}; it takes ${known.join(', ')}`);
}

const alertsKeys = ['rules', 'alertmanager'] as const;

function readAlerts(map: YAMLMap, config: MonitorConfig, sink: ProblemSink): void {
  for (const [key, pair] of entries(map, ['alerts'], sink)) {
    const value = (pair.value ?? null) as YamlNode | null;
    const path = ['alerts', key];
    if (key === 'rules') {
      if (isEmpty(value)) continue;
      if (!isSeq(value)) {
        sink.at(value, path, `rules must be a list of rules (- type: error-rate, …), found ${describeNode(value)}`, pair);
        continue;
      }
      const rules: AlertRule[] = [];
      const counts = new Map<string, number>();
      const names = new Map<string, YamlNode>();
      value.items.forEach((item, i) => {
        const rule = readRule(item as YamlNode, [...path, i], sink, pair);
        if (!rule) return;
        if (rule.name === '') {
          const n = (counts.get(rule.type) ?? 0) + 1;
          counts.set(rule.type, n);
          rule.name = n === 1 ? rule.type : `${rule.type}-${n}`;
        }
        const seen = names.get(rule.name);
        if (seen) {
          sink.at(item as YamlNode, [...path, i, 'name'], `two rules are named '${rule.name}'; give each a unique name`);
          return;
        }
        names.set(rule.name, item as YamlNode);
        rules.push(rule);
      });
      // Rules given (even all invalid): no implicit default, the file says what to watch.
      config.alerts.rules = rules;
    } else if (key === 'alertmanager') {
      if (isEmpty(value)) continue;
      const url = isMap(value) ? value.items.find((p) => keyText(p as Pair) === 'url') : undefined;
      if (!isMap(value)) {
        sink.at(value, path, `alertmanager must be a mapping { url: "http://…" }, found ${describeNode(value)}`, pair);
        continue;
      }
      for (const [k, p] of entries(value, path, sink)) if (k !== 'url') unknown(sink, p, path, k, 'alertmanager', ['url']);
      if (!url) {
        sink.at(value, [...path, 'url'], 'alertmanager needs url', pair);
        continue;
      }
      const node = ((url as Pair).value ?? null) as YamlNode | null;
      const s = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
      if (s === undefined || !(s.startsWith('${') || isHttpUrl(s))) {
        sink.at(node, [...path, 'url'], `url must be an http:// or https:// URL (or \${env:VAR}), found ${describeNode(node)}`, url as Pair);
        continue;
      }
      config.alerts.alertmanager = { url: s };
    } else unknown(sink, pair, ['alerts'], key, 'alerts', alertsKeys);
  }
}

/** One rule; undefined (with problems) when it cannot be used. Its name is '' when not given (numbered by the caller). */
function readRule(node: YamlNode | null, path: ConfigPath, sink: ProblemSink, at: Pair): AlertRule | undefined {
  if (!isMap(node)) {
    sink.at(node, path, `a rule is a mapping (type:, threshold:, …), found ${describeNode(node)}`, at);
    return undefined;
  }
  const typePair = node.items.find((p) => keyText(p as Pair) === 'type') as Pair | undefined;
  const typeNode = (typePair?.value ?? null) as YamlNode | null;
  const typeText = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value : undefined;
  if (!typePair) {
    sink.at(node, [...path, 'type'], `a rule needs a type: ${alertRuleTypes.join(', ')}`, at);
    return undefined;
  }
  if (typeText === undefined || !(alertRuleTypes as readonly string[]).includes(typeText)) {
    const hint = typeText !== undefined ? suggest(typeText, alertRuleTypes) : undefined;
    sink.at(typeNode, [...path, 'type'], `unknown rule type ${describeNode(typeNode)}${hint ? ` (did you mean '${hint}'?)` : ''}; the types are ${alertRuleTypes.join(', ')}`, typePair);
    return undefined;
  }
  const type = typeText as AlertRuleType;
  const spec = ruleFields[type];
  const given: Partial<AlertRule> & { type: AlertRuleType } = { type };
  let ok = true;
  for (const [key, pair] of entries(node, path, sink)) {
    if (key === 'type') continue;
    const field = spec.fields[key];
    if (!field) {
      unknown(sink, pair, path, key, `a ${type} rule`, ['type', ...Object.keys(spec.fields)]);
      ok = false;
      continue;
    }
    const v = readField(field, (pair.value ?? null) as YamlNode | null, [...path, key], sink, pair);
    if (v === undefined) {
      ok = false;
      continue;
    }
    // `window` is read as milliseconds; every other field keeps its name.
    (given as Record<string, unknown>)[key === 'window' ? 'windowMs' : key] = v;
  }
  if (given.threshold === undefined && typeDefaults[type].threshold === undefined) {
    sink.at(node, [...path, 'threshold'], `a ${type} rule needs a threshold (${(spec.fields.threshold as Field).description})`, at);
    ok = false;
  }
  if (given.windowMs !== undefined && given.windowMs <= 0) {
    const w = node.items.find((p) => keyText(p as Pair) === 'window') as Pair;
    sink.at(w, [...path, 'window'], 'window must be longer than 0');
    ok = false;
  }
  if (!ok) return undefined;
  const rule = ruleWithDefaults(given);
  if (given.name === undefined) rule.name = '';
  return rule;
}

function readField(f: Field, node: YamlNode | null, path: ConfigPath, sink: ProblemSink, pair: Pair): string | number | undefined {
  const name = String(path[path.length - 1]);
  const v = isScalar(node) ? node.value : undefined;
  switch (f.kind) {
    case 'name':
      if ((typeof v === 'string' || typeof v === 'number') && String(v).trim() !== '') return String(v);
      sink.at(node, path, `${name} must be a name, found ${describeNode(node)}`, pair);
      return undefined;
    case 'enum':
      if (typeof v === 'string' && f.values.includes(v)) return v;
      sink.at(node, path, `${name} must be one of ${f.values.join(', ')}, found ${describeNode(node)}`, pair);
      return undefined;
    case 'duration': {
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationText(v) : undefined;
      if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
        sink.at(node, path, `${name} must be a duration such as 30s, 5m, 1h (or milliseconds), found ${describeNode(node)}`, pair);
        return undefined;
      }
      return ms;
    }
    case 'int':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        // "5%" is a common way to write a rate: say what is meant.
        const pct = typeof v === 'string' ? /^\s*(\d+(\.\d+)?)\s*%\s*$/.exec(v) : null;
        const hint = pct && name === 'threshold' ? ` (write ${Number(pct[1]) / 100} for ${String(v).trim()})` : '';
        sink.at(node, path, `${name} must be ${f.kind === 'int' ? 'a whole number' : 'a number'}, found ${describeNode(node)}${hint}`, pair);
        return undefined;
      }
      if (f.kind === 'int' && !Number.isInteger(v)) {
        sink.at(node, path, `${name} must be a whole number, found ${v}`, pair);
        return undefined;
      }
      const max = f.kind === 'number' ? f.max : undefined;
      if (v < f.min || (max !== undefined && v > max)) {
        const hint = name === 'threshold' && max === 1 && v > 1 && v <= 100 ? ` (a rate: write ${v / 100} for ${v}%)` : '';
        sink.at(node, path, `${name} must be ${max !== undefined ? `between ${f.min} and ${max}` : `at least ${f.min}`}, found ${v}${hint}`, pair);
        return undefined;
      }
      return v;
    }
  }
}

const driftKeys = ['psi', 'ksPValue', 'consistency'] as const;

function readDrift(map: YAMLMap, out: DriftThresholds, sink: ProblemSink): void {
  for (const [key, pair] of entries(map, ['drift'], sink)) {
    const value = (pair.value ?? null) as YamlNode | null;
    const path = ['drift', key];
    if (key === 'ksPValue') {
      const v = readField(driftFields.ksPValue as Field, value, path, sink, pair);
      if (v !== undefined) out.ksPValue = v as number;
    } else if (key === 'psi') {
      if (!isMap(value)) {
        sink.at(value, path, `psi must be a mapping { moderate: 0.1, drift: 0.2 }, found ${describeNode(value)}`, pair);
        continue;
      }
      const got: { moderate?: number; drift?: number } = {};
      for (const [k, p] of entries(value, path, sink)) {
        if (k !== 'moderate' && k !== 'drift') {
          unknown(sink, p, path, k, 'psi', ['moderate', 'drift']);
          continue;
        }
        const v = readField({ kind: 'number', min: 0, description: '' }, (p.value ?? null) as YamlNode | null, [...path, k], sink, p);
        if (v !== undefined) got[k] = v as number;
      }
      const moderate = got.moderate ?? out.psiModerate;
      const drift = got.drift ?? out.psiDrift;
      if (moderate > drift) sink.at(value, path, `psi.moderate (${moderate}) must not be above psi.drift (${drift})`, pair);
      else {
        out.psiModerate = moderate;
        out.psiDrift = drift;
      }
    } else if (key === 'consistency') {
      if (!isMap(value)) {
        sink.at(value, path, `consistency must be a mapping { threshold: 0.8, severity: warning, minRuns: 2 }, found ${describeNode(value)}`, pair);
        continue;
      }
      for (const [k, p] of entries(value, path, sink)) {
        const node = (p.value ?? null) as YamlNode | null;
        if (k === 'threshold') {
          const v = readField({ kind: 'number', min: 0, max: 1, description: '' }, node, [...path, k], sink, p);
          if (v !== undefined) out.consistencyThreshold = v as number;
        } else if (k === 'severity') {
          const v = readField(common.severity as Field, node, [...path, k], sink, p);
          if (v !== undefined) out.consistencySeverity = v as AlertSeverity;
        } else if (k === 'minRuns') {
          const v = readField({ kind: 'int', min: 2, description: '' }, node, [...path, k], sink, p);
          if (v !== undefined) out.consistencyMinRuns = v as number;
        } else unknown(sink, p, path, k, 'consistency', ['threshold', 'severity', 'minRuns']);
      }
    } else unknown(sink, pair, ['drift'], key, 'drift', driftKeys);
  }
}

// ── the JSON Schema ─────────────────────────────────────────────────────────



function fieldSchema(f: Field): Schema {
  switch (f.kind) {
    case 'name':
      return { type: 'string', minLength: 1, description: f.description };
    case 'enum':
      return { type: 'string', enum: [...f.values], description: f.description };
    case 'duration':
      return durationSchema(f.description);
    case 'int':
      return { type: 'integer', minimum: f.min, description: f.description };
    case 'number':
      return { type: 'number', minimum: f.min, ...(f.max !== undefined ? { maximum: f.max } : {}), description: f.description };
  }
}

function buildSchema(): Schema {
  const rule: Schema = {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: [...alertRuleTypes], description: 'What the rule watches.' } },
    allOf: alertRuleTypes.map((type) => ({
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: {
        description: ruleFields[type].description,
        properties: { type: { const: type }, ...Object.fromEntries(Object.entries(ruleFields[type].fields).map(([k, f]) => [k, fieldSchema(f)])) },
        required: typeDefaults[type].threshold === undefined ? ['type', 'threshold'] : ['type'],
        additionalProperties: false,
      },
    })),
  };
  const number = (description: string, max?: number): Schema => ({ type: 'number', minimum: 0, ...(max !== undefined ? { maximum: max } : {}), description });
  return {
    alerts: {
      type: 'object',
      description: 'Alert rules over the collected traces, and where firing alerts go (docs/monitoring.md). Absent or empty: the error rate above 5% over 5 minutes.',
      properties: {
        rules: { type: 'array', items: rule, description: 'The rules; given, they replace the default error-rate rule.' },
        alertmanager: {
          type: 'object',
          description: 'Alertmanager to post firing and resolved alerts to (its v2 API).',
          properties: { url: { type: 'string', pattern: '^(https?://|\\$\\{)', description: 'Alertmanager, such as http://127.0.0.1:9093; may use ${env:VAR}.' } },
          required: ['url'],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    drift: {
      type: 'object',
      description: 'Thresholds of drift (PSI, KS) and consistency in `agentops report --compare` and the dashboard (docs/monitoring.md).',
      properties: {
        psi: {
          type: 'object',
          properties: { moderate: { ...number('PSI from which a shift is moderate.'), default: defaultDriftThresholds.psiModerate }, drift: { ...number('PSI above which the distribution has drifted.'), default: defaultDriftThresholds.psiDrift } },
          additionalProperties: false,
        },
        ksPValue: { ...fieldSchema(driftFields.ksPValue as Field), default: defaultDriftThresholds.ksPValue },
        consistency: {
          type: 'object',
          properties: {
            threshold: { ...number('Mean pairwise similarity of answers to the same input below which they are inconsistent.', 1), default: defaultDriftThresholds.consistencyThreshold },
            severity: { ...fieldSchema(common.severity as Field), default: defaultDriftThresholds.consistencySeverity },
            minRuns: { type: 'integer', minimum: 2, default: defaultDriftThresholds.consistencyMinRuns, description: 'Inputs run fewer times are not judged.' },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  };
}

/** JSON Schema (draft-07) properties of the `alerts` and `drift` sections, for schemas/agentops.schema.json. */
export const monitorConfigSchemaProperties: Readonly<Schema> = buildSchema();
