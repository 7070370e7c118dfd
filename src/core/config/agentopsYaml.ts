/**
 * agentops.yaml, the workspace configuration: parsed once with the `yaml` package (keeping every
 * node's position), so each section's validator can point at the exact line, column and field
 * of a problem. This module knows no section: `trajectory:` is validated by
 * core/trajectory/config.ts, the deploy sections (agent, environments, …) by their own module.
 * Unknown top-level sections are never a problem here.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type Pair } from 'yaml';

/** A problem in agentops.yaml. `line` and `column` are 1-based; `field` is a dotted path (`trajectory.rules.loop.minRepeats`). */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export type ConfigPath = readonly (string | number)[];

export interface AgentopsYaml {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Syntax problems of the whole file (a broken line anywhere), and a top level that is not a mapping. */
  problems: ConfigProblem[];
}

/** Parses agentops.yaml. Never throws: a syntax error is a problem, and what could be read is kept. */
export function parseAgentopsYaml(text: string, file: string): AgentopsYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    problems.push({ file, line: at.line, column: at.col, field: '', message: yamlMessage(e.message) });
  }
  const top = doc.contents;
  if (top !== null && !isMap(top) && !(isScalar(top) && top.value === null)) {
    const at = positionOf({ lineCounter }, top);
    problems.push({ file, ...at, field: '', message: 'agentops.yaml must be a mapping of sections (agent:, environments:, trajectory:, …)' });
  }
  return { file, doc, lineCounter, problems };
}

/** The yaml package's message without its position suffix and code excerpt. */
function yamlMessage(m: string): string {
  const first = m.split('\n')[0] ?? m;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim() || 'invalid YAML';
}

/** The top-level section `key` (its value node), or undefined when absent. */
export function sectionOf(y: AgentopsYaml, key: string): { pair: Pair; value: YamlNode | undefined } | undefined {
  const top = y.doc.contents;
  if (!isMap(top)) return undefined;
  for (const item of top.items) {
    if (isPair(item) && keyText(item) === key) return { pair: item, value: (item.value ?? undefined) as YamlNode | undefined };
  }
  return undefined;
}

/** The text of a pair's key (scalars only; anything else is reported by validators as a bad key). */
export function keyText(p: Pair): string | undefined {
  const k = p.key;
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  if (typeof k === 'string' || typeof k === 'number') return String(k);
  return undefined;
}

/** 1-based line and column where a node (or a pair's key) starts. */
export function positionOf(y: Pick<AgentopsYaml, 'lineCounter'>, node: YamlNode | Pair | null | undefined, fallback?: YamlNode | Pair): { line: number; column: number } {
  const target = isPair(node) ? (node.key as YamlNode | null) : node;
  const range = (target as { range?: [number, number, number] } | null | undefined)?.range;
  if (range) {
    const p = y.lineCounter.linePos(range[0]);
    return { line: p.line, column: p.col };
  }
  if (fallback) return positionOf(y, fallback);
  return { line: 1, column: 1 };
}

/** `trajectory.rules.expected-trajectory.calls[2].tool` */
export function fieldPath(path: ConfigPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** What kind of YAML value a node holds, for messages ("expected a number, found a list"). */
export function describeNode(node: YamlNode | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v)}`;
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return `the number ${v}`;
  }
  return 'another kind of value';
}

/** The closest of `options` to `word` (edit distance ≤ 2, or the same ignoring case and separators), for "did you mean". */
export function suggest(word: string, options: readonly string[]): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    if (squash(o) === squash(word)) return o;
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Collects problems of one section, each at its node. */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly y: AgentopsYaml) {}

  at(node: YamlNode | Pair | null | undefined, path: ConfigPath, message: string, fallback?: YamlNode | Pair): void {
    this.problems.push({ file: this.y.file, ...positionOf(this.y, node, fallback), field: fieldPath(path), message });
  }
}

/** JSON Schema pieces shared by the agentops.yaml sections (deploy, alerts). */
export type Schema = { [key: string]: unknown };

/** A duration field: a number of milliseconds, or text such as 30s, 5m, 1h 30m. */
export const durationSchema = (description: string): Schema => ({
  description,
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)+$' },
  ],
});

/** An absolute http(s) URL (webhooks, Alertmanager). */
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
