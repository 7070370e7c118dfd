/**
 * Prompt rules for TypeScript, TSX, JavaScript and JSX syntax trees: message objects, `system` /
 * `instructions` / `prompt` properties (OpenAI, Anthropic, Vercel AI SDK), LangChain.js templates and
 * messages, and variables named like prompts.
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
import { codeScan, type ScanOptions } from './placeholders';

// `${` in a template's static text can only be an escaped, deliberately literal `\${`.
const templateScan: ScanOptions = { mustache: true, single: true };

const definitionNodes: ReadonlySet<string> = new Set([
  'variable_declarator',
  'public_field_definition',
  'assignment_expression',
  'augmented_assignment_expression',
]);
/** `X.trim()` sends the named prompt trimmed; close enough for counting. */
const passThroughMethods: ReadonlySet<string> = new Set(['trim', 'trimEnd', 'trimStart']);
const ruleNodes: ReadonlySet<string> = new Set([
  ...definitionNodes,
  'pair',
  'call_expression',
  'new_expression',
  'jsx_attribute',
]);
/** The enclosing call of a prompt is looked for up to these. */
const boundaries: ReadonlySet<string> = new Set([
  'program',
  'statement_block',
  'class_body',
  'arrow_function',
  'function_expression',
  'function',
  'function_declaration',
  'generator_function_declaration',
  'method_definition',
]);
const wrappers: ReadonlySet<string> = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression']);
const dedentTags: ReadonlySet<string> = new Set(['dedent', 'outdent', 'stripIndent']);

export function detectTypeScript(root: Node, source: string, resolveReferences = true): DetectedPrompt[] {
  const sink = new PromptSink(new LineIndex(source));
  const rules = new TypeScriptRules(source, sink, resolveReferences);
  // Definitions first, so that uses above them resolve too.
  visitNodes(root, definitionNodes, (node) => rules.visit(node));
  visitNodes(root, ruleNodes, (node) => rules.visit(node));
  rules.resolveUses(root);
  return sink.result();
}

interface CallParts {
  name: string;
  /** `ChatPromptTemplate` in `ChatPromptTemplate.fromMessages`. */
  owner: string | undefined;
  args: Node[];
  argsNode: Node;
}

class TypeScriptRules {
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
      case 'variable_declarator':
      case 'public_field_definition':
        return this.declaration(node.childForFieldName('name'), node.childForFieldName('value'));
      case 'assignment_expression':
        return this.declaration(node.childForFieldName('left'), node.childForFieldName('right'));
      case 'augmented_assignment_expression':
        if (node.childForFieldName('operator')?.text === '+=') this.declaration(node.childForFieldName('left'), node.childForFieldName('right'));
        return;
      case 'pair':
        return this.pair(node);
      case 'call_expression':
      case 'new_expression':
        return this.call(node);
      case 'jsx_attribute':
        return this.jsxAttribute(node);
    }
  }

  private declaration(target: Node | null, value: Node | null): void {
    const nameNode = target?.type === 'member_expression' ? target.childForFieldName('property') : target;
    if (!value || !nameNode || !/identifier$/.test(nameNode.type) || !isPromptName(nameNode.text)) return;
    const pieces = this.literal(value);
    const prompt = pieces && this.emitLiteral(value, 'variable', {})?.added;
    if (pieces && prompt) this.definitions.add({ prompt, name: nameNode.text, nameStart: nameNode.startIndex, pieces });
  }

  /** Named prompts take model, limits and role from their first use in a call. */
  resolveUses(root: Node): void {
    if (this.definitions.all.length === 0) return;
    const names = new Set(this.definitions.all.map((d) => d.name));
    const uses = new Map<string, Node[]>();
    visitNodes(root, new Set(['identifier', 'property_identifier', 'private_property_identifier']), (n) => {
      // Object keys (`{ systemPrompt: … }`) are not uses; `this.systemPrompt` is.
      if (names.has(n.text) && !(n.type === 'property_identifier' && n.parent?.type === 'pair')) uses.set(n.text, [...(uses.get(n.text) ?? []), n]);
    });
    for (const definition of this.definitions.all) {
      applyFirstUse(definition, uses.get(definition.name) ?? [], (use) => this.useContext(use));
    }
  }

  /** The context of a name used as a value: `X`, `this.x`, `X.replace(...)`, `X + '...'`. */
  private useContext(use: Node): PromptContext & { useRole?: MessageRole } {
    let n = use;
    for (let p = n.parent; p; p = n.parent) {
      const through =
        p.type === 'member_expression' ||
        wrappers.has(p.type) ||
        p.type === 'binary_expression' ||
        (p.type === 'call_expression' && p.childForFieldName('function')?.startIndex === n.startIndex);
      if (!through) break;
      n = p;
    }
    const parent = n.parent;
    let useRole: MessageRole | undefined;
    let message: Node | undefined;
    if (parent?.type === 'pair' && parent.parent?.type === 'object') {
      const key = this.keyOf(parent);
      const role = key === 'content' ? this.entry(parent.parent, 'role') : undefined;
      useRole = role ? normalizeRole(this.staticString(role)) : key === undefined ? undefined : promptArgumentKinds.get(key)?.role;
      message = parent.parent;
    } else if (parent?.type === 'shorthand_property_identifier') {
      useRole = promptArgumentKinds.get(parent.text)?.role;
    }
    const context: PromptContext & { useRole?: MessageRole } = this.context(n, 'variable', message);
    if (useRole !== undefined) context.useRole = useRole;
    return context;
  }

  private pair(node: Node): void {
    const key = this.keyOf(node);
    const value = node.childForFieldName('value');
    const object = node.parent;
    if (key === undefined || !value || object?.type !== 'object') return;
    if (key === 'content') {
      const role = this.entry(object, 'role');
      if (role) this.emit(value, 'message', normalizeRole(this.staticString(role)), object);
      return;
    }
    const known = promptArgumentKinds.get(key);
    if (known) return this.emit(value, known.kind, known.role, object);
    if (key === 'template' && this.enclosingCall(object)?.name.endsWith('PromptTemplate')) return this.emit(value, 'template', undefined);
    if (isPromptName(key)) this.emit(value, 'variable', undefined, object);
  }

  private jsxAttribute(node: Node): void {
    const [name, value] = node.namedChildren;
    const known = name && promptArgumentKinds.get(name.text);
    if (!known || !value) return;
    if (value.type === 'string') {
      // JSX attribute strings have no escapes.
      const piece = decodeJs(this.source, value.startIndex + 1, value.endIndex - 1, true);
      this.sink.add(known.kind, value, [piece], { role: known.role, ...this.context(value, known.kind, undefined) });
    } else if (value.type === 'jsx_expression') {
      const inner = value.namedChildren.find((c) => c !== null && c.type !== 'comment');
      if (inner) this.emit(inner, known.kind, known.role);
    }
  }

  private call(node: Node): void {
    const call = this.callParts(node);
    if (!call) return;
    const first = call.args[0];
    if (call.name === 'fromMessages') {
      const list = first && unwrap(first);
      for (const item of list?.type === 'array' ? elements(list) : []) {
        if (item.type !== 'array') continue;
        const [roleNode, content] = elements(item);
        const role = roleNode && this.staticString(roleNode);
        if (content && role !== undefined && role !== 'placeholder') this.emit(content, 'template', normalizeRole(role));
      }
    } else if (call.name === 'fromTemplate') {
      const role = call.owner === 'ChatPromptTemplate' ? 'user' : call.owner === undefined ? undefined : messageClassRoles.get(call.owner);
      if (first) this.emit(first, 'template', role);
    } else if (messageClassRoles.has(call.name) && first) {
      const arg = unwrap(first);
      const content = arg.type === 'object' ? this.entry(arg, 'content') : arg;
      if (content) this.emit(content, 'message', messageClassRoles.get(call.name), arg.type === 'object' ? arg : undefined);
    } else if (call.name.endsWith('PromptTemplate') && first && unwrap(first).type !== 'object') {
      this.emit(first, 'template', undefined);
    }
  }

  /** A literal, or an array of literals and `{ type: 'text', text: … }` content parts. */
  private emit(value: Node, kind: PromptKind, role: MessageRole | undefined, message?: Node): void {
    const node = unwrap(value);
    if (this.emitLiteral(node, kind, { role }, message)) return;
    if (node.type !== 'array') return;
    for (const item of elements(node)) {
      if (item.type === 'object') {
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
    const extra = context.role === undefined ? {} : { role: context.role };
    const added = this.sink.add(kind, node, pieces, { ...this.context(node, kind, message), ...extra });
    return added ? { added } : {};
  }

  // ---- literals ----

  /** Pieces of a literal expression, or undefined when `node` is not one. */
  literal(value: Node): Piece[] | undefined {
    const node = unwrap(value);
    switch (node.type) {
      case 'string':
        return [decodeJs(this.source, node.startIndex + 1, node.endIndex - 1, false)];
      case 'template_string':
        return this.templatePieces(node, false);
      case 'binary_expression': {
        if (node.childForFieldName('operator')?.text !== '+') return undefined;
        const operands = plusOperands(node);
        const parts = operands.map((o) => this.literal(o));
        if (!parts.some((p) => p !== undefined)) return undefined;
        return operands.flatMap((o, i) => parts[i] ?? [hole(o)]);
      }
      case 'call_expression':
        return this.callLiteral(node) ?? this.reference(node);
      default:
        return this.reference(node);
    }
  }

  /** `systemPrompt`, `this.systemPrompt`, `SYSTEM_PROMPT.trim()`: a prompt defined in this file. */
  private reference(node: Node): Piece[] | undefined {
    if (!this.resolving) return undefined;
    let n = node;
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      if (fn?.type !== 'member_expression' || !passThroughMethods.has(fn.childForFieldName('property')?.text ?? '')) return undefined;
      n = unwrap(fn.childForFieldName('object') ?? fn);
    }
    const name = n.type === 'identifier' ? n : n.type === 'member_expression' ? n.childForFieldName('property') : null;
    return name ? this.definitions.get(name.text)?.pieces.slice() : undefined;
  }

  /** String.raw`…`, dedent`…` and `[...].join(sep)`: literals the program sends after one call. */
  private callLiteral(node: Node): Piece[] | undefined {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || !args) return undefined;
    if (args.type === 'template_string') {
      const tag = fn.text.replace(/\s+/g, '');
      if (tag === 'String.raw') return this.templatePieces(args, true);
      if (dedentTags.has(tag)) return dedentTemplate(this.templatePieces(args, false));
      return undefined;
    }
    if (fn.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'join') return undefined;
    const array = unwrap(fn.childForFieldName('object') ?? fn);
    const argList = elements(args);
    if (array.type !== 'array' || argList.length > 1) return undefined;
    const separator = argList[0] ? this.literal(argList[0]) : [textOf(',')];
    if (!separator || separator.some((p) => p.kind === 'hole')) return undefined;
    const sep = separator.map((p) => (p.kind === 'text' ? { ...p, scan: undefined } : p));
    return elements(array).flatMap((item, i) => [...(i > 0 ? sep : []), ...(this.literal(item) ?? [hole(item)])]);
  }

  private templatePieces(node: Node, raw: boolean): Piece[] {
    const pieces: Piece[] = [];
    let at = node.startIndex + 1;
    for (const child of node.namedChildren) {
      if (child?.type !== 'template_substitution') continue;
      pieces.push(decodeJs(this.source, at, child.startIndex, raw, templateScan));
      const name = this.source.slice(child.startIndex + 2, child.endIndex - 1).trim();
      pieces.push({ kind: 'hole', name, syntax: '${x}', start: child.startIndex, end: child.endIndex });
      at = child.endIndex;
    }
    pieces.push(decodeJs(this.source, at, Math.max(at, node.endIndex - 1), raw, templateScan));
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
    if (!key) return undefined;
    return key.type === 'property_identifier' ? key.text : key.type === 'string' ? this.staticString(key) : undefined;
  }

  private entry(object: Node, name: string): Node | undefined {
    for (const pair of object.namedChildren) {
      if (pair?.type === 'pair' && this.keyOf(pair) === name) return pair.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }

  private callParts(node: Node): CallParts | undefined {
    const fn = node.childForFieldName(node.type === 'new_expression' ? 'constructor' : 'function');
    const argsNode = node.childForFieldName('arguments');
    if (!fn || argsNode?.type !== 'arguments') return undefined;
    const name = fn.type === 'member_expression' ? fn.childForFieldName('property')?.text : fn.text;
    const object = fn.type === 'member_expression' ? fn.childForFieldName('object') : null;
    const owner = object ? (object.type === 'member_expression' ? object.childForFieldName('property')?.text : object.text) : undefined;
    return name === undefined ? undefined : { name, owner, args: elements(argsNode), argsNode };
  }

  private enclosingCall(node: Node): CallParts | undefined {
    const args = node.parent;
    const call = args?.type === 'arguments' ? args.parent : null;
    return call ? this.callParts(call) : undefined;
  }

  /**
   * Model, max tokens and cache control from the calls around the prompt (nearest first), and a
   * group id shared by the prompts of one call (or of one messages array outside any call).
   */
  private context(literal: Node, kind: PromptKind, message: Node | undefined): PromptContext {
    const context: PromptContext = {};
    let groupCall: CallParts | undefined;
    let groupNode: Node | undefined;
    let list: Node | undefined;
    for (let n = literal.parent; n && !boundaries.has(n.type); n = n.parent) {
      if (n.type === 'array' && !list) list = n;
      if (n.type !== 'call_expression' && n.type !== 'new_expression') continue;
      const parts = this.callParts(n);
      if (!parts || literal.startIndex < parts.argsNode.startIndex || literal.endIndex > parts.argsNode.endIndex) continue;
      if (!groupCall && !messageClassRoles.has(parts.name)) {
        groupCall = parts;
        groupNode = n;
      }
      if (context.model === undefined) {
        const model = this.setting(parts.argsNode, modelKeys);
        if (model) context.model = this.modelName(model);
      }
      if (context.maxOutputTokens === undefined) {
        const max = this.setting(parts.argsNode, maxTokensKeys);
        if (max?.type === 'number') context.maxOutputTokens = parseIntegerLiteral(max.text);
      }
    }
    const scope = groupCall?.argsNode ?? message;
    if ((scope && this.hasKey(scope, cacheControlKeys)) || (message && this.hasKey(message, cacheControlKeys))) context.cacheControl = true;
    if (groupNode) context.group = groupId(this.sink.lines, groupNode);
    else if (list && (kind === 'message' || kind === 'template')) context.group = groupId(this.sink.lines, list);
    return context;
  }

  /** A property among the call's object arguments and nested option objects (not arrays, not calls). */
  private setting(node: Node, keys: ReadonlySet<string>): Node | undefined {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'object') {
        const found = this.setting(child, keys);
        if (found) return found;
      } else if (child.type === 'pair') {
        const key = this.keyOf(child);
        const value = child.childForFieldName('value');
        if (!value) continue;
        if (key !== undefined && keys.has(key)) return unwrap(value);
        if (value.type === 'object') {
          const found = this.setting(value, keys);
          if (found) return found;
        }
      }
    }
    return undefined;
  }

  private hasKey(node: Node, keys: ReadonlySet<string>): boolean {
    let found = false;
    visitNodes(node, new Set(['pair']), (n) => {
      const key = this.keyOf(n);
      if (key !== undefined && keys.has(key)) found = true;
    });
    return found;
  }

  /** `'gpt-4o'`, or the first argument of a provider call such as `openai('gpt-4o-mini')`. */
  private modelName(node: Node): string | undefined {
    const direct = this.staticString(node);
    if (direct !== undefined) return direct;
    const first = node.type === 'call_expression' ? this.callParts(node)?.args[0] : undefined;
    return first && this.staticString(first);
  }
}

// ---- helpers ----

const simpleEscapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
const lineTerminators = '\n\r\u2028\u2029';

/** Decodes `source[start, end)` of a JS string or template body; `raw` keeps escapes (String.raw, JSX). */
function decodeJs(source: string, start: number, end: number, raw: boolean, scan: ScanOptions = codeScan): TextPiece {
  const out = new TextPieceBuilder();
  let i = start;
  while (i < end) {
    const c = source[i] as string;
    if (c === '\r' && source[i + 1] === '\n') {
      out.push('\n', i, i + 2); // templates normalise CRLF, even raw ones
      i += 2;
    } else if (c === '\\' && !raw && i + 1 < end) {
      i = decodeEscape(source, i, end, out);
    } else {
      out.push(c, i, i + 1);
      i += 1;
    }
  }
  return out.build(scan);
}

function decodeEscape(source: string, i: number, end: number, out: TextPieceBuilder): number {
  const e = source[i + 1] as string;
  if (lineTerminators.includes(e)) return e === '\r' && source[i + 2] === '\n' ? i + 3 : i + 2; // line continuation
  const simple = simpleEscapes[e];
  if (simple !== undefined) {
    out.push(simple, i, i + 2);
    return i + 2;
  }
  const rest = source.slice(i + 2, end);
  const unicode = e === 'x' ? /^[0-9a-fA-F]{2}/.exec(rest) : e === 'u' ? (/^\{([0-9a-fA-F]{1,6})\}/.exec(rest) ?? /^[0-9a-fA-F]{4}/.exec(rest)) : null;
  const code = unicode ? parseInt(unicode[1] ?? unicode[0], 16) : undefined;
  if (unicode && code !== undefined && code <= 0x10ffff) {
    out.push(String.fromCodePoint(code), i, i + 2 + unicode[0].length);
    return i + 2 + unicode[0].length;
  }
  const octal = /^[0-7]{1,3}/.exec(source.slice(i + 1, Math.min(end, i + 4)))?.[0];
  if (octal) {
    const value = parseInt(octal, 8) > 255 ? octal.slice(0, 2) : octal; // legacy octal tops out at \377
    out.push(String.fromCharCode(parseInt(value, 8)), i, i + 1 + value.length);
    return i + 1 + value.length;
  }
  const ch = String.fromCodePoint(source.codePointAt(i + 1) ?? 0); // `\'`, `\``, `\$`, `\q` → the character
  out.push(ch, i, i + 1 + ch.length);
  return i + 1 + ch.length;
}

/** The `dedent` tag: strips the common indentation and the first and last line breaks. */
function dedentTemplate(pieces: Piece[]): Piece[] {
  const whole = pieces.map((p) => (p.kind === 'text' ? p.text : '\0')).join('');
  const lines = whole.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const margin = indents.length ? Math.min(...indents) : 0;
  const keep: boolean[] = [];
  let column = 0;
  for (let k = 0; k < whole.length; k++) {
    const ch = whole[k] as string;
    keep.push(ch === '\n' || column >= margin || (ch !== ' ' && ch !== '\t'));
    column = ch === '\n' ? 0 : column + 1;
  }
  // Leading and trailing line break (with the indentation before the closing backtick) go too.
  const first = whole.indexOf('\n');
  if (first >= 0 && whole.slice(0, first).trim() === '') for (let k = 0; k <= first; k++) keep[k] = false;
  const last = whole.lastIndexOf('\n');
  if (last > first && whole.slice(last).trim() === '') for (let k = last; k < whole.length; k++) keep[k] = false;
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

function textOf(text: string): TextPiece {
  const b = new TextPieceBuilder();
  b.push(text, 0, 0);
  return b.build(undefined);
}

function hole(node: Node): Piece {
  return { kind: 'hole', name: node.text, syntax: '${x}', start: node.startIndex, end: node.endIndex };
}

function plusOperands(node: Node): Node[] {
  const n = unwrap(node);
  if (n.type !== 'binary_expression' || n.childForFieldName('operator')?.text !== '+') return [n];
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  return [...(left ? plusOperands(left) : []), ...(right ? plusOperands(right) : [])];
}

function unwrap(node: Node): Node {
  let n = node;
  while (wrappers.has(n.type)) {
    const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!inner) break;
    n = inner;
  }
  return n;
}

function elements(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment').map(unwrap);
}
