/**
 * Prompt files: `.prompty`, GitHub Models `*.prompt.yml`, Jinja templates, and Markdown or text files
 * under a `prompts` folder. Reading never throws on malformed content: it returns what it can read.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Document } from 'yaml';
import type { DetectedPrompt, MessageRole } from '../types';
import { LineIndex, normalizeRole, parseIntegerLiteral } from './common';
import { globToRegExp } from './glob';
import { placeholdersIn, scanPlaceholders, stripPlaceholders, type ScanOptions } from './placeholders';

type FileFormat = 'prompty' | 'github' | 'jinja' | 'text';

export interface PromptFileOptions {
  /** Read the file as a whole-file text prompt even when its name is not a prompt file's (a user glob matched it). */
  force?: boolean;
}

const jinjaScan: ScanOptions = { mustache: true, jinja: true };
const textScan: ScanOptions = { mustache: true, single: true };

function formatOf(fileName: string): FileFormat | undefined {
  const normalized = fileName.replace(/\\/g, '/');
  const base = (normalized.split('/').pop() ?? '').toLowerCase();
  if (base.endsWith('.prompty')) return 'prompty';
  if (base.endsWith('.prompt.yml') || base.endsWith('.prompt.yaml')) return 'github';
  if (/\.(?:j2|jinja2?)$/.test(base)) return 'jinja';
  const folders = normalized.split('/').slice(0, -1);
  if (/\.(?:md|txt)$/.test(base) && folders.some((s) => s.toLowerCase() === 'prompts')) return 'text';
  return undefined;
}

/**
 * Whether a workspace-relative path is a prompt file: by name, or by one of the user's globs
 * (relative to the workspace root).
 */
export function isPromptFile(relativePath: string, extraGlobs: readonly string[] = []): boolean {
  const normalized = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
  return formatOf(normalized) !== undefined || extraGlobs.some((g) => globToRegExp(g).test(normalized));
}

/**
 * The prompts of a prompt file, or undefined when `fileName` (preferably workspace-relative, since a
 * `prompts` folder anywhere in it counts) is not a prompt file by name and `options.force` is not set.
 */
export function detectPromptFile(fileName: string, source: string, options: PromptFileOptions = {}): DetectedPrompt[] | undefined {
  const format = formatOf(fileName) ?? (options.force ? (/\.(?:j2|jinja2?)$/i.test(fileName) ? 'jinja' : 'text') : undefined);
  const lines = new LineIndex(source);
  switch (format) {
    case 'prompty':
      return readPrompty(source, lines);
    case 'github':
      return readGitHubPrompt(source, lines);
    case 'jinja':
      return [wholeFile(source, lines, jinjaScan)];
    case 'text':
      return [wholeFile(source, lines, textScan)];
    default:
      return undefined;
  }
}

function wholeFile(source: string, lines: LineIndex, scan: ScanOptions): DetectedPrompt {
  return { kind: 'file', range: lines.range(0, source.length), ...placeholdersIn(source, 0, lines, scan) };
}

// ---- .prompty ----

const roleLine = /^[ \t]*#?[ \t]*(system|user|assistant|developer|function|tool)[ \t]*:[ \t]*$/i;

function readPrompty(source: string, lines: LineIndex): DetectedPrompt[] {
  const { frontMatter, bodyStart } = splitFrontMatter(source);
  const settings = frontMatter === undefined ? {} : promptySettings(frontMatter);
  // Sections: [contentStart, contentEnd, role]; text before the first role line has no role.
  const sections: { start: number; end: number; role: MessageRole | undefined }[] = [{ start: bodyStart, end: source.length, role: undefined }];
  const lineRe = /[^\r\n]*(?:\r\n|\r|\n|$)/g;
  lineRe.lastIndex = bodyStart;
  for (let m = lineRe.exec(source); m && m[0] !== ''; m = lineRe.exec(source)) {
    const role = roleLine.exec(m[0].replace(/[\r\n]+$/, ''))?.[1];
    if (role === undefined) continue;
    const last = sections[sections.length - 1];
    if (last) last.end = m.index;
    sections.push({ start: m.index + m[0].length, end: source.length, role: normalizeRole(role) });
  }
  const group = '0:0';
  const prompts: DetectedPrompt[] = [];
  for (const s of sections) {
    // The runtime strips each message; so does the text and its range.
    const raw = source.slice(s.start, s.end);
    const lead = raw.length - raw.trimStart().length;
    const content = raw.trim();
    if (content === '') continue;
    const start = s.start + lead;
    const prompt: DetectedPrompt = {
      kind: 'file',
      range: lines.range(start, start + content.length),
      ...placeholdersIn(content, start, lines, jinjaScan),
      ...settings,
      group,
    };
    if (s.role) prompt.role = s.role;
    prompts.push(prompt);
  }
  return prompts;
}

function splitFrontMatter(source: string): { frontMatter: string | undefined; bodyStart: number } {
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(source);
  if (!open) return { frontMatter: undefined, bodyStart: 0 };
  const close = /^---[ \t]*(?:\r?\n|$)/m;
  const rest = source.slice(open[0].length);
  const m = close.exec(rest);
  if (!m) return { frontMatter: undefined, bodyStart: 0 };
  return { frontMatter: rest.slice(0, m.index), bodyStart: open[0].length + m.index + m[0].length };
}

function promptySettings(yamlText: string): { model?: string; maxOutputTokens?: number } {
  let data: unknown;
  try {
    data = parse(yamlText);
  } catch {
    return {};
  }
  const model = field(data, 'model');
  const configuration = field(model, 'configuration');
  const name = [field(configuration, 'name'), field(configuration, 'azure_deployment'), field(configuration, 'model'), field(model, 'id'), model].find(
    (v) => typeof v === 'string',
  );
  const parameters = field(model, 'parameters');
  const max = [field(parameters, 'max_tokens'), field(parameters, 'max_completion_tokens'), field(parameters, 'max_output_tokens')].find(
    (v) => typeof v === 'number',
  );
  const out: { model?: string; maxOutputTokens?: number } = {};
  if (typeof name === 'string') out.model = name;
  if (typeof max === 'number' && Number.isSafeInteger(max)) out.maxOutputTokens = max;
  return out;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

// ---- GitHub Models *.prompt.yml ----

function readGitHubPrompt(source: string, lines: LineIndex): DetectedPrompt[] {
  let doc: Document;
  try {
    doc = parseDocument(source, { prettyErrors: false });
  } catch {
    return [];
  }
  const settings: { model?: string; maxOutputTokens?: number } = {};
  const model = scalarValue(doc.get('model', true));
  if (typeof model === 'string') settings.model = model;
  const max = scalarValue(doc.getIn(['modelParameters', 'max_tokens'], true)) ?? scalarValue(doc.getIn(['modelParameters', 'max_completion_tokens'], true));
  const maxTokens = typeof max === 'number' ? max : typeof max === 'string' ? parseIntegerLiteral(max) : undefined;
  if (maxTokens !== undefined && Number.isSafeInteger(maxTokens)) settings.maxOutputTokens = maxTokens;
  const messages = doc.get('messages', true);
  if (!isSeq(messages)) return [];
  const group = messages.range ? `${lines.position(messages.range[0]).line}:${lines.position(messages.range[0]).character}` : undefined;
  const prompts: DetectedPrompt[] = [];
  for (const item of messages.items) {
    if (!isMap(item)) continue;
    const content = item.get('content', true);
    if (!isScalar(content) || !content.range || content.value === null || content.value === undefined) continue;
    const text = String(content.value);
    const [start, valueEnd] = content.range;
    // Block scalars' ranges run past their last line break; the scalar ends with its last line.
    const end = content.type === 'BLOCK_LITERAL' || content.type === 'BLOCK_FOLDED' ? start + source.slice(start, valueEnd).trimEnd().length : valueEnd;
    const prompt: DetectedPrompt = { kind: 'file', range: lines.range(start, end), ...scalarPlaceholders(text, source, start, end, lines), ...settings };
    if (group !== undefined) prompt.group = group;
    const role = normalizeRole(String(scalarValue(item.get('role', true)) ?? ''));
    if (role) prompt.role = role;
    prompts.push(prompt);
  }
  return prompts;
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

/**
 * Placeholders of a parsed YAML value, located in the scalar's source: each placeholder is looked up,
 * in order, as written (YAML escapes and folding rarely touch `{{x}}`); if absent, the scalar's range.
 */
function scalarPlaceholders(
  value: string,
  source: string,
  start: number,
  end: number,
  lines: LineIndex,
): Pick<DetectedPrompt, 'text' | 'placeholders'> {
  const matches = scanPlaceholders(value, jinjaScan);
  let from = start;
  const placeholders = matches.map((m) => {
    const written = value.slice(m.start, m.end);
    const at = source.indexOf(written, from);
    const found = at >= 0 && at + written.length <= end;
    if (found) from = at + written.length;
    return { name: m.name, syntax: m.syntax, range: found ? lines.range(at, at + written.length) : lines.range(start, end) };
  });
  return { text: stripPlaceholders(value, matches), placeholders };
}
