/**
 * Prompt rules for Python syntax trees (tree-sitter-python): message dicts, prompt keyword
 * arguments, LangChain templates and messages, and variables named like prompts.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt, MessageRole, PromptKind } from '../types';
import {
  LineIndex,
  PromptSink,
  TextPieceBuilder,
  cacheControlKeys,
  groupId,
  isPromptName,
  maxTokensKeys,
  messageClassRoles,
  modelKeys,
  normalizeRole,
  parseIntegerLiteral,
  promptArgumentKinds,
  visitNodes,
  applyFirstUse,
  type Piece,
  type PromptContext,
  Definitions,
  type TextPiece,
} from './common';
import { codeScan } from './placeholders';

const definitionNodes: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment']);
const ruleNodes: ReadonlySet<string> = new Set([...definitionNodes, 'keyword_argument', 'pair', 'call']);
/** `X.format(...)` and the like send the named prompt with its placeholders filled or trimmed. */
const passThroughMethods: ReadonlySet<string> = new Set(['format', 'format_map', 'strip']);
/** The enclosing call of a prompt is looked for up to these (a prompt in a def is not the def's caller's). */
const boundaries: ReadonlySet<string> = new Set(['module', 'block', 'function_definition', 'class_definition', 'lambda']);
const dedentFunctions: ReadonlySet<string> = new Set(['dedent', 'textwrap.dedent']);

export function detectPython(root: Node, source: string, resolveReferences = true): DetectedPrompt[] {
  const sink = new PromptSink(new LineIndex(source));
  const rules = new PythonRules(source, sink, resolveReferences);
  // Definitions first, so that uses above them resolve too.
  visitNodes(root, definitionNodes, (node) => rules.visit(node));
  visitNodes(root, ruleNodes, (node) => rules.visit(node));
  rules.resolveUses(root);
  return sink.result();
}

interface CallParts {
  name: string;
  /** `ChatPromptTemplate` in `ChatPromptTemplate.from_messages`. */
  owner: string | undefined;
  positional: Node[];
  keyword(name: string): Node | undefined;
}

class PythonRules {
  private readonly definitions = new Definitions();
  /** Whether a name of a prompt defined in this file stands for its text (not in definitions). */
  private resolving = false;

  constructor(
    private readonly source: string,
    private readonly sink: PromptSink,
    private readonly resolveReferences: boolean,
  ) {}

  visit(node: Node): void {
    switch (node.type) {
      case 'assignment':
      case 'augmented_assignment':
        return this.assignment(node);
      case 'keyword_argument':
        return this.keywordArgument(node);
      case 'pair':
        return this.pair(node);
      case 'call':
        return this.call(node);
    }
  }

  private assignment(node: Node): void {
    if (node.type === 'augmented_assignment' && node.childForFieldName('operator')?.text !== '+=') return;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const nameNode = left?.type === 'attribute' ? left.childForFieldName('attribute') : left;
    if (!right || nameNode?.type !== 'identifier' || !isPromptName(nameNode.text)) return;
    const pieces = this.literal(right);
    const prompt = pieces && this.emitLiteral(right, 'variable', {})?.added;
    if (pieces && prompt) this.definitions.add({ prompt, name: nameNode.text, nameStart: nameNode.startIndex, pieces });
  }

  /** Named prompts take model, limits and role from their first use in a call. */
  resolveUses(root: Node): void {
    if (this.definitions.all.length === 0) return;
    const names = new Set(this.definitions.all.map((d) => d.name));
    const uses = new Map<string, Node[]>();
    visitNodes(root, new Set(['identifier']), (n) => {
      if (names.has(n.text)) uses.set(n.text, [...(uses.get(n.text) ?? []), n]);
    });
    for (const definition of this.definitions.all) {
      applyFirstUse(definition, uses.get(definition.name) ?? [], (use) => this.useContext(use));
    }
  }

  /** The context of a name used as a value: `X`, `self.X`, `X.format(...)`, `X + "..."`. */
  private useContext(use: Node): PromptContext & { useRole?: MessageRole } {
    let n = use;
    for (let p = n.parent; p; p = n.parent) {
      const through =
        p.type === 'attribute' ||
        p.type === 'parenthesized_expression' ||
        p.type === 'binary_operator' ||
        (p.type === 'call' && p.childForFieldName('function')?.startIndex === n.startIndex);
      if (!through) break;
      n = p;
    }
    const parent = n.parent;
    let useRole: MessageRole | undefined;
    let message: Node | undefined;
    if (parent?.type === 'pair' && parent.parent?.type === 'dictionary') {
      const key = this.keyOf(parent);
      const role = key === 'content' ? this.entry(parent.parent, 'role') : undefined;
      useRole = role ? normalizeRole(this.staticString(role)) : key === undefined ? undefined : promptArgumentKinds.get(key)?.role;
      message = parent.parent;
    } else if (parent?.type === 'keyword_argument') {
      useRole = promptArgumentKinds.get(parent.childForFieldName('name')?.text ?? '')?.role;
    }
    const context: PromptContext & { useRole?: MessageRole } = this.context(n, 'variable', message);
    if (useRole !== undefined) context.useRole = useRole;
    return context;
  }

  private keywordArgument(node: Node): void {
    const name = node.childForFieldName('name')?.text;
    const value = node.childForFieldName('value');
    if (name === undefined || !value) return;
    const known = promptArgumentKinds.get(name);
    if (known) return this.emit(value, known.kind, known.role);
    const call = node.parent?.parent;
    // The Responses API's `input` is the user prompt; elsewhere `input=` means anything.
    if (name === 'input' && call?.type === 'call' && /\bresponses\.(?:create|stream|parse)$/.test(compact(call.childForFieldName('function')))) {
      return this.emit(value, 'prompt', 'user');
    }
    if (isPromptName(name)) this.emit(value, 'variable', undefined);
  }

  private pair(node: Node): void {
    const key = this.keyOf(node);
    const value = node.childForFieldName('value');
    const dict = node.parent;
    if (key === undefined || !value || dict?.type !== 'dictionary') return;
    if (key === 'content') {
      const role = this.entry(dict, 'role');
      if (role) this.emit(value, 'message', normalizeRole(this.staticString(role)), dict);
      return;
    }
    const known = promptArgumentKinds.get(key);
    if (known) return this.emit(value, known.kind, known.role, dict);
    if (isPromptName(key)) this.emit(value, 'variable', undefined, dict);
  }

  private call(node: Node): void {
    const call = this.callParts(node);
    if (!call) return;
    const first = call.positional[0];
    if (call.name === 'from_messages') {
      const list = first ?? call.keyword('messages');
      for (const item of list && isSequence(unwrap(list)) ? elements(unwrap(list)) : []) {
        if (!isSequence(item)) continue;
        const [roleNode, content] = elements(item);
        const role = roleNode && this.staticString(roleNode);
        if (content && role !== undefined && role !== 'placeholder') this.emit(content, 'template', normalizeRole(role));
      }
    } else if (call.name === 'from_template') {
      const role = call.owner === 'ChatPromptTemplate' ? 'user' : call.owner === undefined ? undefined : messageClassRoles.get(call.owner);
      const template = first ?? call.keyword('template');
      if (template) this.emit(template, 'template', role);
    } else if (messageClassRoles.has(call.name)) {
      const content = first ?? call.keyword('content');
      if (content) this.emit(content, 'message', messageClassRoles.get(call.name));
    } else if (call.name === 'ChatMessage' || call.name === 'dict') {
      const role = call.keyword('role');
      const content = call.keyword('content') ?? (call.name === 'ChatMessage' ? first : undefined);
      if (role && content) this.emit(content, 'message', normalizeRole(this.staticString(role)), node);
    } else if (call.name.endsWith('PromptTemplate')) {
      const template = call.keyword('template') ?? first;
      if (template) this.emit(template, 'template', undefined);
    }
  }

  /** A literal, or a list of literals and `{"type": "text", "text": …}` content blocks. */
  private emit(value: Node, kind: PromptKind, role: MessageRole | undefined, message?: Node): void {
    const node = unwrap(value);
    if (this.emitLiteral(node, kind, { role }, message)) return;
    if (!isSequence(node)) return;
    for (const item of elements(node)) {
      if (item.type === 'dictionary') {
        const text = this.entry(item, 'text');
        const type = this.entry(item, 'type');
        const typeName = type && this.staticString(type);
        if (text && (type === undefined || typeName?.includes('text'))) this.emitLiteral(text, kind, { role }, message ?? item);
      } else {
        this.emitLiteral(item, kind, { role }, message);
      }
    }
  }

  /** Undefined when `value` is no literal; `added` is unset when the literal was already found. */
  private emitLiteral(value: Node, kind: PromptKind, context: PromptContext, message?: Node): { added?: DetectedPrompt } | undefined {
    const node = unwrap(value);
    this.resolving = this.resolveReferences && kind !== 'variable';
    const pieces = this.literal(node);
    this.resolving = false;
    if (!pieces) return undefined;
    const added = this.sink.add(kind, node, pieces, { ...this.context(node, kind, message), ...definedOnly(context) });
    return added ? { added } : {};
  }

  // ---- literals ----

  /** Pieces of a literal expression, or undefined when `node` is not one. */
  literal(value: Node): Piece[] | undefined {
    const node = unwrap(value);
    switch (node.type) {
      case 'string':
        return this.stringPieces(node);
      case 'concatenated_string':
        return node.namedChildren.filter(isNode).flatMap((s) => (s.type === 'string' ? this.stringPieces(s) : []));
      case 'binary_operator': {
        if (node.childForFieldName('operator')?.text !== '+') return undefined;
        const operands = plusOperands(node);
        const parts = operands.map((o) => this.literal(o));
        if (!parts.some((p) => p !== undefined)) return undefined;
        return operands.flatMap((o, i) => parts[i] ?? [hole(o)]);
      }
      case 'call':
        return this.callLiteral(node) ?? this.reference(node);
      default:
        return this.reference(node);
    }
  }

  /** `SYSTEM_PROMPT`, `self.SYSTEM_PROMPT`, `TEMPLATE.format(...)`: a prompt defined in this file. */
  private reference(node: Node): Piece[] | undefined {
    if (!this.resolving) return undefined;
    let n = node;
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type !== 'attribute' || !passThroughMethods.has(fn.childForFieldName('attribute')?.text ?? '')) return undefined;
      n = unwrap(fn.childForFieldName('object') ?? fn);
    }
    const name = n.type === 'identifier' ? n : n.type === 'attribute' ? n.childForFieldName('attribute') : null;
    return name ? this.definitions.get(name.text)?.pieces.slice() : undefined;
  }

  /** `"\n".join([...])` and `textwrap.dedent("""...""")`: literals the program sends after one call. */
  private callLiteral(node: Node): Piece[] | undefined {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || args?.type !== 'argument_list') return undefined;
    const argList = args.namedChildren.filter(isNode).filter((c) => c.type !== 'comment');
    const only = argList.length === 1 ? unwrap(argList[0] as Node) : undefined;
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join' && only && isSequence(only)) {
      const separator = this.literal(fn.childForFieldName('object') ?? fn);
      if (!separator || separator.some((p) => p.kind === 'hole')) return undefined;
      const sep = separator.map((p) => (p.kind === 'text' ? { ...p, scan: undefined } : p));
      return elements(only).flatMap((item, i) => [...(i > 0 ? sep : []), ...(this.literal(item) ?? [hole(item)])]);
    }
    if (dedentFunctions.has(compact(fn)) && only) {
      const pieces = this.literal(only);
      return pieces && dedent(pieces);
    }
    return undefined;
  }

  private stringPieces(node: Node): Piece[] {
    const open = node.child(0);
    const close = node.child(node.childCount - 1);
    if (!open || open.type !== 'string_start') return [];
    const prefix = (/^[A-Za-z]*/.exec(open.text)?.[0] ?? '').toLowerCase();
    const mode: PyMode = { raw: prefix.includes('r'), format: prefix.includes('f') || prefix.includes('t'), bytes: prefix.includes('b') };
    const end = close?.type === 'string_end' ? close.startIndex : node.endIndex;
    const pieces: Piece[] = [];
    let at = open.endIndex;
    for (const child of node.namedChildren) {
      if (child?.type !== 'interpolation') continue;
      pieces.push(decodePython(this.source, at, child.startIndex, mode));
      const expression = child.childForFieldName('expression');
      pieces.push({ kind: 'hole', name: (expression ?? child).text.trim(), syntax: '{x}', start: child.startIndex, end: child.endIndex });
      at = child.endIndex;
    }
    pieces.push(decodePython(this.source, at, end, mode));
    return pieces;
  }

  /** The text of a literal without placeholders or holes (keys, roles, model names). */
  staticString(node: Node): string | undefined {
    const pieces = this.literal(node);
    if (!pieces || pieces.some((p) => p.kind === 'hole')) return undefined;
    return pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  }

  // ---- surroundings ----

  private keyOf(pair: Node): string | undefined {
    const key = pair.childForFieldName('key');
    return key ? this.staticString(key) : undefined;
  }

  private entry(dict: Node, name: string): Node | undefined {
    for (const pair of dict.namedChildren) {
      if (pair?.type === 'pair' && this.keyOf(pair) === name) return pair.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }

  private callParts(node: Node): CallParts | undefined {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || args?.type !== 'argument_list') return undefined;
    const name = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.text;
    const object = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
    const owner = object ? (object.type === 'attribute' ? object.childForFieldName('attribute')?.text : object.text) : undefined;
    const children = args.namedChildren.filter(isNode);
    const keywords = new Map<string, Node>();
    for (const k of children) {
      const v = k.type === 'keyword_argument' ? k.childForFieldName('value') : null;
      if (v) keywords.set(k.childForFieldName('name')?.text ?? '', v);
    }
    const positional = children.filter((c) => !['keyword_argument', 'comment', 'list_splat', 'dictionary_splat'].includes(c.type));
    return name === undefined ? undefined : { name, owner, positional, keyword: (k) => keywords.get(k) };
  }

  /**
   * Model, max tokens and cache control from the calls around the prompt (nearest first), and a
   * group id shared by the prompts of one call (or of one messages list outside any call).
   */
  private context(literal: Node, kind: PromptKind, message: Node | undefined): PromptContext {
    const context: PromptContext = {};
    let groupCall: Node | undefined;
    let list: Node | undefined;
    for (let n = literal.parent; n && !boundaries.has(n.type); n = n.parent) {
      if ((n.type === 'list' || n.type === 'tuple') && !list) list = n;
      const args = n.type === 'call' ? n.childForFieldName('arguments') : null;
      if (!args || literal.startIndex < args.startIndex || literal.endIndex > args.endIndex) continue;
      const parts = this.callParts(n);
      if (!groupCall && parts && !messageClassRoles.has(parts.name) && parts.name !== 'ChatMessage' && parts.name !== 'dict') groupCall = n;
      if (context.model === undefined) {
        const model = this.setting(args, modelKeys);
        if (model) context.model = this.modelName(model);
      }
      if (context.maxOutputTokens === undefined) {
        const max = this.setting(args, maxTokensKeys);
        if (max?.type === 'integer') context.maxOutputTokens = parseIntegerLiteral(max.text);
      }
    }
    const scope = groupCall?.childForFieldName('arguments') ?? message;
    if (scope && this.hasKey(scope, cacheControlKeys)) context.cacheControl = true;
    if (message && this.hasKey(message, cacheControlKeys)) context.cacheControl = true;
    if (groupCall) context.group = groupId(this.sink.lines, groupCall);
    else if (list && (kind === 'message' || kind === 'template')) context.group = groupId(this.sink.lines, list);
    return context;
  }

  /** A keyword argument or dict key among the call's arguments and nested config dicts. */
  private setting(node: Node, keys: ReadonlySet<string>): Node | undefined {
    for (const child of node.namedChildren) {
      if (!child) continue;
      let key: string | undefined;
      let value: Node | null = null;
      if (child.type === 'keyword_argument') {
        key = child.childForFieldName('name')?.text;
        value = child.childForFieldName('value');
      } else if (child.type === 'pair') {
        key = this.keyOf(child);
        value = child.childForFieldName('value');
      } else if (child.type === 'dictionary_splat' || child.type === 'dictionary') {
        const found = this.setting(child, keys);
        if (found) return found;
      }
      if (key !== undefined && value && keys.has(key)) return value;
      if (value?.type === 'dictionary') {
        const found = this.setting(value, keys);
        if (found) return found;
      }
    }
    return undefined;
  }

  private hasKey(node: Node, keys: ReadonlySet<string>): boolean {
    let found = false;
    visitNodes(node, new Set(['keyword_argument', 'pair']), (n) => {
      const key = n.type === 'pair' ? this.keyOf(n) : n.childForFieldName('name')?.text;
      if (key !== undefined && keys.has(key)) found = true;
    });
    return found;
  }

  /** `"gpt-4o"`, or the first argument of a provider call such as `openai("gpt-4o")`. */
  private modelName(node: Node): string | undefined {
    const direct = this.staticString(node);
    if (direct !== undefined) return direct;
    const first = node.type === 'call' ? this.callParts(node)?.positional[0] : undefined;
    return first && this.staticString(first);
  }
}

// ---- helpers ----

interface PyMode {
  raw: boolean;
  format: boolean;
  bytes: boolean;
}

const simpleEscapes: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Decodes `source[start, end)` of a Python string body as Python does. `\N{…}` is kept as written. */
function decodePython(source: string, start: number, end: number, mode: PyMode): TextPiece {
  const out = new TextPieceBuilder();
  let i = start;
  while (i < end) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '\r' && next === '\n') {
      out.push('\n', i, i + 2); // the source's line ending, not part of the value
      i += 2;
    } else if (mode.format && (c === '{' || c === '}') && next === c) {
      out.push(c, i, i + 2);
      i += 2;
    } else if (c === '\\' && !mode.raw && i + 1 < end) {
      i = decodeEscape(source, i, end, mode, out);
    } else {
      out.push(c, i, i + 1);
      i += 1;
    }
  }
  return out.build(mode.format ? undefined : codeScan);
}

function decodeEscape(source: string, i: number, end: number, mode: PyMode, out: TextPieceBuilder): number {
  const e = source[i + 1] as string;
  if (e === '\n') return i + 2; // line continuation
  if (e === '\r') return source[i + 2] === '\n' ? i + 3 : i + 2;
  const simple = simpleEscapes[e];
  if (simple !== undefined) {
    out.push(simple, i, i + 2);
    return i + 2;
  }
  const hex = e === 'x' ? 2 : e === 'u' && !mode.bytes ? 4 : e === 'U' && !mode.bytes ? 8 : 0;
  const digits = hex ? source.slice(i + 2, Math.min(end, i + 2 + hex)) : '';
  if (hex && digits.length === hex && /^[0-9a-fA-F]+$/.test(digits)) {
    const code = parseInt(digits, 16);
    if (code <= 0x10ffff) {
      out.push(String.fromCodePoint(code), i, i + 2 + hex);
      return i + 2 + hex;
    }
  }
  const octal = /^[0-7]{1,3}/.exec(source.slice(i + 1, Math.min(end, i + 4)))?.[0];
  if (octal) {
    out.push(String.fromCharCode(parseInt(octal, 8)), i, i + 1 + octal.length);
    return i + 1 + octal.length;
  }
  out.push('\\', i, i + 1); // unknown escapes (and \N{…}) keep their backslash, as in Python
  return i + 1;
}

/** textwrap.dedent: removes the whitespace prefix common to all non-blank lines. */
function dedent(pieces: Piece[]): Piece[] {
  const texts = pieces.map((p) => (p.kind === 'text' ? p.text : '\0'));
  const lines = texts.join('').split('\n');
  let margin: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (margin === undefined || !indent.startsWith(margin)) {
      let k = 0;
      while (margin !== undefined && k < margin.length && k < indent.length && margin[k] === indent[k]) k++;
      margin = margin === undefined ? indent : margin.slice(0, k);
    }
  }
  if (!margin) return pieces;
  // Drop `margin.length` characters after every line start (and whitespace-only lines entirely).
  let atLineStart = true;
  let dropLeft = margin.length;
  return pieces.map((p) => {
    if (p.kind === 'hole') {
      atLineStart = false;
      return p;
    }
    const b = new TextPieceBuilder();
    for (let i = 0; i < p.text.length; i++) {
      const ch = p.text[i] as string;
      if (ch === '\n') {
        atLineStart = true;
        dropLeft = margin.length;
      } else if (atLineStart && (ch === ' ' || ch === '\t') && dropLeft > 0) {
        dropLeft--;
        continue;
      } else {
        atLineStart = false;
      }
      b.push(ch, p.starts[i] ?? 0, p.ends[i] ?? 0);
    }
    return b.build(p.scan);
  });
}

function hole(node: Node): Piece {
  return { kind: 'hole', name: node.text, syntax: '{x}', start: node.startIndex, end: node.endIndex };
}

function plusOperands(node: Node): Node[] {
  const n = unwrap(node);
  if (n.type !== 'binary_operator' || n.childForFieldName('operator')?.text !== '+') return [n];
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  return [...(left ? plusOperands(left) : []), ...(right ? plusOperands(right) : [])];
}

function unwrap(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!inner) break;
    n = inner;
  }
  return n;
}

function isSequence(node: Node): boolean {
  return node.type === 'list' || node.type === 'tuple';
}

function elements(node: Node): Node[] {
  return node.namedChildren.filter(isNode).filter((c) => c.type !== 'comment').map(unwrap);
}

function isNode(node: Node | null): node is Node {
  return node !== null;
}

function compact(node: Node | null): string {
  return node ? node.text.replace(/\s+/g, '') : '';
}

function definedOnly(context: PromptContext): PromptContext {
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)) as PromptContext;
}
