/**
 * What the Python and TypeScript rules share: offsets to positions, decoded literal pieces, and the
 * sink that turns pieces into DetectedPrompts (placeholders removed, each with its document range).
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt, MessageRole, Placeholder, PlaceholderSyntax, Position, PromptKind, Range } from '../types';
import { scanPlaceholders, type ScanOptions } from './placeholders';

/** Maps UTF-16 offsets to 0-based positions; CRLF, LF and lone CR end a line, as in VS Code. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - (this.starts[lo] ?? 0) };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/**
 * Decoded static text. `starts[i]`/`ends[i]` are the document offsets of the source characters
 * (an escape sequence, a `{{`) that produced `text[i]`, so placeholders found in decoded text
 * get exact document ranges.
 */
export interface TextPiece {
  kind: 'text';
  text: string;
  starts: number[];
  ends: number[];
  /** Which plain-text placeholders are looked for in it (none in f-strings, whose braces are syntax). */
  scan: ScanOptions | undefined;
}

/** A dynamic part: an interpolation, or a non-literal operand of a `+` chain. */
export interface HolePiece {
  kind: 'hole';
  name: string;
  syntax: PlaceholderSyntax;
  start: number;
  end: number;
}

export type Piece = TextPiece | HolePiece;

/** Accumulates one TextPiece character by character while decoding a literal. */
export class TextPieceBuilder {
  private text = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  push(chars: string, start: number, end: number): void {
    this.text += chars;
    for (let i = 0; i < chars.length; i++) {
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  build(scan: ScanOptions | undefined): TextPiece {
    return { kind: 'text', text: this.text, starts: this.starts, ends: this.ends, scan };
  }
}

/** The pieces' text with one `\0` per hole, so that indentation rules see where holes stand. */
export function flatText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (p.kind === 'text' ? p.text : '\0')).join('');
}

/** The pieces with the characters of `flatText(pieces)` whose `keep` is false removed (for dedenting). */
export function keepChars(pieces: readonly Piece[], keep: readonly boolean[]): Piece[] {
  let at = 0;
  return pieces.map((p) => {
    if (p.kind === 'hole') {
      at += 1;
      return p;
    }
    const b = new TextPieceBuilder();
    for (let i = 0; i < p.text.length; i++, at++) {
      if (keep[at]) b.push(p.text[i] as string, p.starts[i] ?? 0, p.ends[i] ?? 0);
    }
    return b.build(p.scan);
  });
}

/** Extra facts about a prompt that come from its surroundings (the call, the message). */
export interface PromptContext {
  role?: MessageRole;
  model?: string;
  maxOutputTokens?: number;
  cacheControl?: boolean;
  group?: string;
}

/** Collects prompts once per literal, in document order. */
export class PromptSink {
  private readonly found = new Map<string, DetectedPrompt>();

  constructor(readonly lines: LineIndex) {}

  has(node: Node): boolean {
    return this.found.has(`${node.startIndex}:${node.endIndex}`);
  }

  add(kind: PromptKind, node: Node, pieces: readonly Piece[], context: PromptContext): DetectedPrompt | undefined {
    const key = `${node.startIndex}:${node.endIndex}`;
    if (this.found.has(key)) return undefined;
    const { text, placeholders } = joinPieces(pieces, this.lines);
    const prompt: DetectedPrompt = { kind, range: this.lines.range(node.startIndex, node.endIndex), text, placeholders };
    if (context.role !== undefined) prompt.role = context.role;
    if (context.model !== undefined) prompt.model = context.model;
    if (context.maxOutputTokens !== undefined) prompt.maxOutputTokens = context.maxOutputTokens;
    if (context.cacheControl) prompt.cacheControl = true;
    if (context.group !== undefined) prompt.group = context.group;
    this.found.set(key, prompt);
    return prompt;
  }

  result(): DetectedPrompt[] {
    return [...this.found.values()].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
  }
}

/** Static text with placeholders removed, and the placeholders with their document ranges. */
export function joinPieces(pieces: readonly Piece[], lines: LineIndex): { text: string; placeholders: Placeholder[] } {
  let text = '';
  const placeholders: Placeholder[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'hole') {
      placeholders.push({ name: piece.name, syntax: piece.syntax, range: lines.range(piece.start, piece.end) });
      continue;
    }
    let at = 0;
    for (const m of piece.scan ? scanPlaceholders(piece.text, piece.scan) : []) {
      text += piece.text.slice(at, m.start);
      const start = piece.starts[m.start] ?? 0;
      const end = piece.ends[m.end - 1] ?? start;
      placeholders.push({ name: m.name, syntax: m.syntax, range: lines.range(start, end) });
      at = m.end;
    }
    text += piece.text.slice(at);
  }
  return { text, placeholders };
}

/** Chat roles as SDKs spell them, mapped to the contract's roles. */
export function normalizeRole(value: string | undefined): MessageRole | undefined {
  switch (value?.toLowerCase()) {
    case 'system':
      return 'system';
    case 'developer':
      return 'developer';
    case 'user':
    case 'human':
      return 'user';
    case 'assistant':
    case 'ai':
    case 'model':
      return 'assistant';
    case 'tool':
    case 'function':
      return 'tool';
    default:
      return undefined;
  }
}

/** LangChain message classes (Python and JS) and the role they stand for. */
export const messageClassRoles: ReadonlyMap<string, MessageRole> = new Map([
  ['SystemMessage', 'system'],
  ['HumanMessage', 'user'],
  ['AIMessage', 'assistant'],
  ['ToolMessage', 'tool'],
  ['FunctionMessage', 'tool'],
  ['SystemMessagePromptTemplate', 'system'],
  ['HumanMessagePromptTemplate', 'user'],
  ['AIMessagePromptTemplate', 'assistant'],
]);

/** Argument or property names whose literal value is a prompt of that kind. */
export const promptArgumentKinds: ReadonlyMap<string, { kind: PromptKind; role?: MessageRole }> = new Map([
  ['system', { kind: 'system', role: 'system' }],
  ['system_prompt', { kind: 'system', role: 'system' }],
  ['systemPrompt', { kind: 'system', role: 'system' }],
  ['system_message', { kind: 'system', role: 'system' }],
  ['systemMessage', { kind: 'system', role: 'system' }],
  ['system_instruction', { kind: 'system', role: 'system' }],
  ['systemInstruction', { kind: 'system', role: 'system' }],
  ['instructions', { kind: 'instructions', role: 'system' }],
  ['prompt', { kind: 'prompt', role: 'user' }],
]);

/** `*_PROMPT`, `*_TEMPLATE`, `*prompt`, `*instructions` (and camelCase `fooTemplate`). */
export function isPromptName(name: string): boolean {
  return /(?:prompt|instructions|_template)$/i.test(name) || /[a-z0-9]Template$/.test(name);
}

export const modelKeys: ReadonlySet<string> = new Set(['model', 'model_name', 'modelName', 'model_id', 'modelId']);
export const maxTokensKeys: ReadonlySet<string> = new Set([
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'max_new_tokens',
  'maxTokens',
  'maxOutputTokens',
  'maxCompletionTokens',
]);
export const cacheControlKeys: ReadonlySet<string> = new Set(['cache_control', 'cacheControl']);

/** An integer literal such as `400` or `1_000`; undefined for anything else. */
export function parseIntegerLiteral(text: string): number | undefined {
  const n = Number(text.replace(/_/g, ''));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export function isNode(node: Node | null): node is Node {
  return node !== null;
}

/** Source text without white space, for matching callees such as `textwrap.dedent`. */
export function compact(node: Node | null): string {
  return node ? node.text.replace(/\s+/g, '') : '';
}

/** Visits every node whose type is in `types`, depth first, without allocating the others. */
export function visitNodes(root: Node, types: ReadonlySet<string>, visit: (node: Node) => void): void {
  const cursor = root.walk();
  try {
    for (;;) {
      if (types.has(cursor.nodeType)) visit(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** A prompt assigned to a name: its uses in calls tell its model, max tokens and role. */
export interface PromptDefinition {
  prompt: DetectedPrompt;
  name: string;
  /** Offset of the defining name, which is not a use. */
  nameStart: number;
  pieces: readonly Piece[];
}

/**
 * Named prompts of one file, so that `{"role": "system", "content": SYSTEM_PROMPT}` counts in its
 * call. A name defined twice with different text is not resolved.
 */
export class Definitions {
  readonly all: PromptDefinition[] = [];
  private readonly byName = new Map<string, PromptDefinition | null>();

  add(definition: PromptDefinition): void {
    this.all.push(definition);
    const known = this.byName.get(definition.name);
    if (known === undefined) this.byName.set(definition.name, definition);
    else if (known && known.prompt.text !== definition.prompt.text) this.byName.set(definition.name, null);
  }

  get(name: string): PromptDefinition | undefined {
    return this.byName.get(name) ?? undefined;
  }
}

/**
 * Fills a named prompt's model, max tokens, cache control and role from its first use in a call
 * that names a model or a limit (`messages=[{"role": "system", "content": SYSTEM_PROMPT}]`).
 */
export function applyFirstUse(
  definition: PromptDefinition,
  uses: readonly Node[],
  contextOf: (use: Node) => PromptContext & { useRole?: MessageRole },
): void {
  const { prompt } = definition;
  if (prompt.model !== undefined || prompt.maxOutputTokens !== undefined) return;
  for (const use of uses) {
    if (use.startIndex === definition.nameStart) continue;
    const context = contextOf(use);
    if (context.model === undefined && context.maxOutputTokens === undefined) continue;
    if (context.model !== undefined) prompt.model = context.model;
    if (context.maxOutputTokens !== undefined) prompt.maxOutputTokens = context.maxOutputTokens;
    if (context.cacheControl) prompt.cacheControl = true;
    if (context.useRole !== undefined && prompt.role === undefined) prompt.role = context.useRole;
    return;
  }
}

export function groupId(lines: LineIndex, node: Node): string {
  const p = lines.position(node.startIndex);
  return `${p.line}:${p.character}`;
}
