/**
 * The `trajectory:` section of agentops.yaml: read, checked field by field (each problem at its
 * line, column and field path), with defaults for whatever is absent or invalid; and its JSON
 * Schema, for completion in the editor. One table of settings (`ruleSettings`) drives both the
 * checks and the schema, so they cannot drift apart. docs/trajectory-rules.md documents it.
 *
 * ```yaml
 * trajectory:
 *   rules:
 *     max-steps: { max: 40 }
 *     repeated-call: { warnAt: 3, errorAt: 5 }
 *     no-final-answer: error          # a severity alone
 *     tool-error: off
 *     budget-cost: { maxUsd: 2.5 }
 *   volatileFields: { book_reservation: [payment_id], "*": [request_id] }
 *   pollingTools: [get_job_status]
 * ```
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { deployConfigSchemaProperties } from '../deploy/config';
import { monitorConfigSchemaProperties } from '../monitor/config';
import { describeNode, keyText, parseAgentopsYaml, ProblemSink, sectionOf, suggest, type AgentopsYaml, type ConfigPath, type ConfigProblem, type Schema } from '../config/agentopsYaml';
import { ruleIds, type ExpectedCall, type FindingSeverity, type RuleId, type TrajectoryConfig } from './findings';
import type { JsonValue } from './model';
import { defaultTrajectoryConfig, maxCycleLimit } from './rules/defaults';
import { rules } from './rules/index';

export { defaultTrajectoryConfig } from './rules/defaults';
export type { ConfigProblem } from '../config/agentopsYaml';

/** A problem of the `trajectory:` section (or a YAML syntax error anywhere in the file). */
export type TrajectoryConfigProblem = ConfigProblem;

// ---------------------------------------------------------------------------
// The settings of each rule

type Setting =
  | { kind: 'int'; min: number; max?: number; description: string }
  | { kind: 'number'; min: number; max?: number; description: string }
  /** Milliseconds, or a duration text: `500ms`, `90s`, `10m`, `1h`, `1h30m`. */
  | { kind: 'duration'; description: string }
  | { kind: 'enum'; values: readonly string[]; description: string }
  | { kind: 'calls'; description: string };

const severities = ['error', 'warning', 'info', 'off'] as const;

/** Every rule's own settings (besides `severity`), with their bounds. */
export const ruleSettings: { readonly [Id in RuleId]: Readonly<Record<string, Setting>> } = {
  'max-steps': { max: { kind: 'int', min: 0, description: 'Most agent steps (llm, tool, think and final turns) a run may take.' } },
  'repeated-call': {
    warnAt: { kind: 'int', min: 2, description: 'Identical calls in a row that give a finding (at the rule severity).' },
    errorAt: { kind: 'int', min: 0, description: 'Identical calls in a row that make the finding an error; 0 never escalates.' },
  },
  'loop': {
    minCycle: { kind: 'int', min: 1, max: maxCycleLimit, description: 'Shortest cycle, in actions (1 would also report a single call repeated).' },
    maxCycle: { kind: 'int', min: 1, max: maxCycleLimit, description: 'Longest cycle, in actions.' },
    minRepeats: { kind: 'int', min: 2, description: 'How many times in a row the cycle must repeat.' },
  },
  'no-progress': { minRepeats: { kind: 'int', min: 2, description: 'How many times the same call must return the same result.' } },
  'error-retry': { minRepeats: { kind: 'int', min: 2, description: 'How many times the same call must fail.' } },
  'tool-error': {
    maxErrorRate: { kind: 'number', min: 0, max: 1, description: 'Share of failed tool calls (0–1) above which the run gets a finding.' },
    minCalls: { kind: 'int', min: 0, description: 'Runs with fewer tool calls are not judged.' },
  },
  'no-final-answer': {},
  'empty-trajectory': {},
  'budget-tokens': { max: { kind: 'int', min: 0, description: 'Most tokens (input + output) a run may use. Unset: no budget.' } },
  'budget-cost': { maxUsd: { kind: 'number', min: 0, description: 'Most US dollars a run may cost. Unset: no budget.' } },
  'budget-time': { maxMs: { kind: 'duration', description: 'Longest wall time of a run: milliseconds, or a duration such as 90s, 10m, 1h30m. Unset: no budget.' } },
  'expected-trajectory': {
    order: { kind: 'enum', values: ['strict', 'unordered', 'subset', 'superset'], description: 'strict: same calls, same order; unordered: same calls, any order; subset: no call outside the reference; superset: every reference call present, extras allowed.' },
    arguments: { kind: 'enum', values: ['exact', 'ignore', 'subset', 'superset'], description: 'exact: equal arguments; ignore: tool names only; subset: the run’s arguments are contained in the expected ones; superset: the run’s arguments contain the expected ones.' },
    calls: { kind: 'calls', description: 'The reference tool calls: `{tool, args}` (args optional: any arguments), or a tool name.' },
  },
};

const sectionKeys = ['rules', 'volatileFields', 'pollingTools', 'thinkTools'] as const;

// ---------------------------------------------------------------------------
// Reading the section

export interface LoadedTrajectoryConfig {
  config: TrajectoryConfig;
  problems: ConfigProblem[];
}

/**
 * The `trajectory:` section of an agentops.yaml text, defaults filled in. Never throws: YAML
 * syntax errors (anywhere in the file) and invalid settings are problems, and an invalid value
 * falls back to its default. Other sections are not looked at.
 */
export function loadTrajectoryConfig(text: string, file: string): LoadedTrajectoryConfig {
  return trajectoryConfigOf(parseAgentopsYaml(text, file));
}

/** The same, from an agentops.yaml already parsed (the extension parses it once for every section). */
export function trajectoryConfigOf(y: AgentopsYaml): LoadedTrajectoryConfig {
  const config = defaultTrajectoryConfig();
  const sink = new ProblemSink(y);
  const section = sectionOf(y, 'trajectory');
  if (section && !isEmpty(section.value)) {
    if (!isMap(section.value)) sink.at(section.value, ['trajectory'], `trajectory must be a mapping (rules:, volatileFields:, pollingTools:, thinkTools:), found ${describeNode(section.value)}`, section.pair);
    else readSection(section.value, config, sink);
  }
  return { config, problems: [...y.problems, ...sink.problems] };
}

function isEmpty(node: YamlNode | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null);
}

function readSection(map: YAMLMap, config: TrajectoryConfig, sink: ProblemSink): void {
  for (const [key, pair] of entries(map, ['trajectory'], sink)) {
    const value = pair.value as YamlNode | null;
    const path = ['trajectory', key];
    switch (key) {
      case 'rules':
        if (isEmpty(value ?? undefined)) break;
        if (!isMap(value)) sink.at(value, path, `rules must be a mapping of rule ids to settings, found ${describeNode(value)}`, pair);
        else readRules(value, config, sink);
        break;
      case 'volatileFields': {
        if (isEmpty(value ?? undefined)) break;
        if (!isMap(value)) {
          sink.at(value, path, `volatileFields must map tool names (or "*") to lists of argument fields, found ${describeNode(value)}`, pair);
          break;
        }
        const out: Record<string, string[]> = {};
        for (const [tool, p] of entries(value, path, sink)) {
          const list = stringList(p.value as YamlNode | null, [...path, tool], sink, p);
          if (list) out[tool] = list;
        }
        config.volatileFields = out;
        break;
      }
      case 'pollingTools':
      case 'thinkTools': {
        const list = stringList(value, path, sink, pair);
        if (list) config[key] = list;
        break;
      }
      default: {
        const hint = suggest(key, sectionKeys);
        sink.at(pair, path, `unknown field '${key}' in trajectory${hint ? ` (did you mean '${hint}'?)` : ''}; expected ${sectionKeys.join(', ')}`);
      }
    }
  }
}

/** The pairs of a mapping with their key text; non-text and duplicate keys are problems (the yaml parser reports duplicates). */
function entries(map: YAMLMap, path: ConfigPath, sink: ProblemSink): [string, Pair][] {
  const out: [string, Pair][] = [];
  for (const item of map.items) {
    const k = keyText(item as Pair);
    if (k === undefined) {
      sink.at(item as Pair, path, 'a key must be plain text');
      continue;
    }
    out.push([k, item as Pair]);
  }
  return out;
}

function stringList(node: YamlNode | null, path: ConfigPath, sink: ProblemSink, pair: Pair): string[] | undefined {
  if (isEmpty(node ?? undefined)) return [];
  if (isScalar(node) && typeof node.value === 'string') return [node.value];
  if (!isSeq(node)) {
    sink.at(node, path, `expected a list of names, found ${describeNode(node)}`, pair);
    return undefined;
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number') && String(item.value).trim() !== '') out.push(String(item.value));
    else sink.at(item as YamlNode, [...path, i], `expected a name, found ${describeNode(item as YamlNode)}`, pair);
  });
  return out;
}

function readRules(map: YAMLMap, config: TrajectoryConfig, sink: ProblemSink): void {
  for (const [id, pair] of entries(map, ['trajectory', 'rules'], sink)) {
    const path = ['trajectory', 'rules', id];
    if (!(ruleIds as readonly string[]).includes(id)) {
      const hint = suggest(id, ruleIds);
      sink.at(pair, path, `unknown rule '${id}'${hint ? ` (did you mean '${hint}'?)` : ''}; the rules are ${ruleIds.join(', ')}`);
      continue;
    }
    readRule(id as RuleId, pair, config, sink, path);
  }
}

function readRule(id: RuleId, pair: Pair, config: TrajectoryConfig, sink: ProblemSink, path: string[]): void {
  const target = config.rules[id] as unknown as Record<string, unknown> & { severity: FindingSeverity | 'off' };
  const value = pair.value as YamlNode | null;
  // Shorthands: `loop: off`, `loop: warning`, `loop: false`, `loop: true`, `loop:` (defaults).
  if (isEmpty(value ?? undefined)) return;
  if (isScalar(value)) {
    const v = value.value;
    if (typeof v === 'boolean') {
      if (!v) target.severity = 'off';
      return;
    }
    if (typeof v === 'string' && (severities as readonly string[]).includes(v)) {
      target.severity = v as FindingSeverity | 'off';
      return;
    }
    sink.at(value, path, `rule '${id}' takes a severity (${severities.join(', ')}), true/false, or a mapping of settings; found ${describeNode(value)}`, pair);
    return;
  }
  if (!isMap(value)) {
    sink.at(value, path, `rule '${id}' takes a mapping of settings, found ${describeNode(value)}`, pair);
    return;
  }
  const settings = ruleSettings[id];
  const given = new Set<string>();
  for (const [key, p] of entries(value, path, sink)) {
    const node = p.value as YamlNode | null;
    const fpath = [...path, key];
    if (key === 'severity') {
      if (isScalar(node) && typeof node.value === 'string' && (severities as readonly string[]).includes(node.value)) target.severity = node.value as FindingSeverity | 'off';
      else if (isScalar(node) && node.value === false) target.severity = 'off';
      else sink.at(node, fpath, `severity must be one of ${severities.join(', ')}, found ${describeNode(node)}`, p);
      continue;
    }
    const spec = settings[key];
    if (!spec) {
      const known = ['severity', ...Object.keys(settings)];
      const hint = suggest(key, known);
      sink.at(p, fpath, `unknown setting '${key}' for rule '${id}'${hint ? ` (did you mean '${hint}'?)` : ''}; it takes ${known.join(', ')}`);
      continue;
    }
    const v = readSetting(spec, node, fpath, sink, p);
    if (v !== undefined) {
      target[key] = v;
      given.add(key);
    }
  }
  crossCheck(id, target, given, value, path, sink);
}

function readSetting(spec: Setting, node: YamlNode | null, path: ConfigPath, sink: ProblemSink, pair: Pair): unknown {
  const name = String(path[path.length - 1]);
  const v = isScalar(node) ? node.value : undefined;
  switch (spec.kind) {
    case 'int':
    case 'number':
    case 'duration': {
      let n: number | undefined = typeof v === 'number' ? v : undefined;
      if (spec.kind === 'duration' && typeof v === 'string') {
        n = parseDuration(v);
        if (n === undefined) {
          sink.at(node, path, `${name} must be milliseconds or a duration such as 500ms, 90s, 10m, 1h30m; found ${describeNode(node)}`, pair);
          return undefined;
        }
      }
      if (n === undefined || !Number.isFinite(n)) {
        sink.at(node, path, `${name} must be ${spec.kind === 'int' ? 'a whole number' : 'a number'}, found ${describeNode(node)}`, pair);
        return undefined;
      }
      if (spec.kind === 'int' && !Number.isInteger(n)) {
        sink.at(node, path, `${name} must be a whole number, found ${n}`, pair);
        return undefined;
      }
      const min = spec.kind === 'duration' ? 0 : spec.min;
      const max = spec.kind === 'duration' ? undefined : spec.max;
      if (n < min || (max !== undefined && n > max)) {
        const range = max !== undefined ? `between ${min} and ${max}` : n < 0 ? 'zero or more (not negative)' : `at least ${min}`;
        sink.at(node, path, `${name} must be ${range}, found ${n}`, pair);
        return undefined;
      }
      return n;
    }
    case 'enum':
      if (typeof v === 'string' && spec.values.includes(v)) return v;
      sink.at(node, path, `${name} must be one of ${spec.values.join(', ')}, found ${describeNode(node)}`, pair);
      return undefined;
    case 'calls':
      return readCalls(node, path, sink, pair);
  }
}

function readCalls(node: YamlNode | null, path: ConfigPath, sink: ProblemSink, pair: Pair): ExpectedCall[] | undefined {
  if (!isSeq(node)) {
    sink.at(node, path, `calls must be a list of expected calls ({tool, args} or a tool name), found ${describeNode(node)}`, pair);
    return undefined;
  }
  const out: ExpectedCall[] = [];
  let ok = true;
  node.items.forEach((item, i) => {
    const ipath = [...path, i];
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
      out.push({ tool: item.value });
      return;
    }
    if (!isMap(item)) {
      ok = false;
      sink.at(item as YamlNode, ipath, `an expected call is {tool, args} or a tool name, found ${describeNode(item as YamlNode)}`, pair);
      return;
    }
    let tool: string | undefined;
    let args: JsonValue | undefined;
    for (const [k, p] of entries(item, ipath, sink)) {
      const v = p.value as YamlNode | null;
      if (k === 'tool') {
        if (isScalar(v) && typeof v.value === 'string' && v.value.trim() !== '') tool = v.value;
        else sink.at(v, [...ipath, k], `tool must be a tool name, found ${describeNode(v)}`, p);
      } else if (k === 'args' || k === 'arguments') {
        args = (v === null ? null : (v.toJSON() as JsonValue)) ?? null;
      } else {
        const hint = suggest(k, ['tool', 'args']);
        sink.at(p, [...ipath, k], `unknown field '${k}' of an expected call${hint ? ` (did you mean '${hint}'?)` : ''}; it takes tool and args`);
      }
    }
    if (tool === undefined) {
      ok = false;
      if (!item.items.some((p) => keyText(p as Pair) === 'tool')) sink.at(item, ipath, 'an expected call needs a tool', pair);
      return;
    }
    out.push(args === undefined ? { tool } : { tool, args });
  });
  // A reference with holes would give wrong findings: the whole list or nothing.
  return ok ? out : undefined;
}

/** Settings that only make sense together. */
function crossCheck(id: RuleId, target: Record<string, unknown>, given: ReadonlySet<string>, node: YAMLMap, path: string[], sink: ProblemSink): void {
  const defaults = defaultTrajectoryConfig().rules[id] as unknown as Record<string, unknown>;
  const at = (key: string): Pair | YAMLMap => (node.items.find((p) => keyText(p as Pair) === key) as Pair | undefined) ?? node;
  if (id === 'loop' && (target.minCycle as number) > (target.maxCycle as number)) {
    const key = given.has('minCycle') ? 'minCycle' : 'maxCycle';
    sink.at(at(key), [...path, key], `minCycle (${String(target.minCycle)}) must not be above maxCycle (${String(target.maxCycle)}); using the defaults ${String(defaults.minCycle)}–${String(defaults.maxCycle)}`);
    target.minCycle = defaults.minCycle;
    target.maxCycle = defaults.maxCycle;
  }
  if (id === 'repeated-call' && given.has('warnAt') && given.has('errorAt') && (target.errorAt as number) > 0 && (target.errorAt as number) < (target.warnAt as number)) {
    sink.at(at('errorAt'), [...path, 'errorAt'], `errorAt (${String(target.errorAt)}) must not be below warnAt (${String(target.warnAt)}); using ${String(target.warnAt)}`);
    target.errorAt = target.warnAt;
  }
}

/** `500ms`, `90s`, `10m`, `1h`, `1h30m`, `1.5h` → milliseconds; a bare number text is milliseconds. */
export function parseDuration(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    matched = re.lastIndex;
    while (t[re.lastIndex] === ' ') re.lastIndex++;
  }
  return matched > 0 && matched === t.length ? total : undefined;
}

// ---------------------------------------------------------------------------
// The JSON Schema

function settingSchema(spec: Setting, dflt: unknown): Schema {
  const withDefault = (s: Schema): Schema => (dflt === undefined ? s : { ...s, default: dflt });
  switch (spec.kind) {
    case 'int':
      return withDefault({ type: 'integer', minimum: spec.min, ...(spec.max !== undefined ? { maximum: spec.max } : {}), description: spec.description });
    case 'number':
      return withDefault({ type: 'number', minimum: spec.min, ...(spec.max !== undefined ? { maximum: spec.max } : {}), description: spec.description });
    case 'duration':
      return {
        description: spec.description,
        anyOf: [
          { type: 'number', minimum: 0 },
          { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)+$' },
        ],
      };
    case 'enum':
      return withDefault({ type: 'string', enum: [...spec.values], description: spec.description });
    case 'calls':
      return {
        type: 'array',
        description: spec.description,
        items: {
          anyOf: [
            { type: 'string', description: 'A tool name (any arguments).' },
            {
              type: 'object',
              properties: { tool: { type: 'string', description: 'The tool name.' }, args: { description: 'The expected arguments, compared per `arguments`; absent: any arguments.' } },
              required: ['tool'],
              additionalProperties: false,
            },
          ],
        },
      };
  }
}

function buildSchema(): Schema {
  const defaults = defaultTrajectoryConfig();
  const severity = { type: 'string', enum: [...severities], description: 'The severity of the rule’s findings, or off.' };
  const ruleProps: Schema = {};
  for (const id of ruleIds) {
    const own = ruleSettings[id];
    const d = defaults.rules[id] as unknown as Record<string, unknown>;
    const props: Schema = { severity: { ...severity, default: d.severity } };
    for (const [k, spec] of Object.entries(own)) props[k] = settingSchema(spec, d[k]);
    ruleProps[id] = {
      description: `${rules[id].summary} Default severity: ${rules[id].defaultSeverity}.`,
      anyOf: [
        { type: 'object', properties: props, additionalProperties: false },
        { type: 'string', enum: [...severities], description: 'Just the severity (or off).' },
        { type: 'boolean', description: 'false turns the rule off; true keeps its defaults.' },
        { type: 'null' },
      ],
    };
  }
  const names = { type: 'array', items: { type: 'string' } };
  return {
    type: 'object',
    description: 'Trajectory validator: rules and their settings (docs/trajectory-rules.md).',
    properties: {
      rules: { type: 'object', description: 'Settings per rule id.', properties: ruleProps, additionalProperties: false },
      volatileFields: {
        type: 'object',
        description: 'Per tool name ("*" for every tool): argument fields dropped before comparing calls, as dotted paths (`*` any key, `**` any depth; lists are crossed).',
        additionalProperties: { anyOf: [names, { type: 'string' }] },
        default: {},
      },
      pollingTools: { ...names, description: 'Tools that may repeat the same call (status checks, waits, scrolling): exempt from repeated-call, loop and no-progress. Replaces the default list.', default: [...defaults.pollingTools] },
      thinkTools: { ...names, description: 'Tools whose calls are thinking only: skipped when looking for repeats. Replaces the default list.', default: [...defaults.thinkTools] },
    },
    additionalProperties: false,
  };
}

/** JSON Schema (draft-07) of the `trajectory:` section, for YAML completion and validation in the editor. */
export const trajectoryConfigSchema: Readonly<Schema> = buildSchema();

/** The JSON Schema of the whole agentops.yaml (deploy sections from core/deploy/config, alerts and drift from core/monitor/config): schemas/agentops.schema.json. */
export function agentopsSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'agentops.yaml',
    description: 'Agent Ops workspace configuration: deploy environments (docs/deploy-config.md), the trajectory validator (docs/trajectory-rules.md), alerts and drift (docs/monitoring.md).',
    type: 'object',
    properties: { ...deployConfigSchemaProperties, trajectory: trajectoryConfigSchema, ...monitorConfigSchemaProperties },
    additionalProperties: true,
  };
}
