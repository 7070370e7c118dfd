/**
 * Prompt rules for Python syntax trees (tree-sitter-python): message dicts, prompt keyword
 * arguments, LangChain templates and messages, and variables named like prompts.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt } from '../types';
import {
  TextPieceBuilder,
  compact,
  flatText,
  isNode,
  isPromptName,
  keepChars,
  messageClassRoles,
  normalizeRole,
  promptArgumentKinds,
  type Piece,
  type TextPiece,
} from './common';
import { codeScan } from './placeholders';
import { PromptRules, type CallParts, type Syntax } from './rules';

const definitionNodes: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment']);

const syntax: Syntax = {
  definitions: definitionNodes,
  rules: new Set([...definitionNodes, 'keyword_argument', 'pair', 'call']),
  boundaries: new Set(['module', 'block', 'function_definition', 'class_definition', 'lambda']),
  wrappers: new Set(['parenthesized_expression']),
  names: new Set(['identifier']),
  call: 'call',
  member: 'attribute',
  memberName: 'attribute',
  binary: 'binary_operator',
  dictionary: 'dictionary',
  sequences: new Set(['list', 'tuple']),
  integer: 'integer',
  entries: new Set(['keyword_argument', 'pair']),
  settingGroups: new Set(['dictionary', 'dictionary_splat']),
  passThroughMethods: new Set(['format', 'format_map', 'strip']),
  holeSyntax: '{x}',
  messageCalls: new Set(['ChatMessage', 'dict']),
};
const dedentFunctions: ReadonlySet<string> = new Set(['dedent', 'textwrap.dedent']);

export function detectPython(root: Node, source: string, resolveReferences = true): DetectedPrompt[] {
  return new PythonRules(syntax, source, resolveReferences).detect(root);
}

interface PythonCallParts extends CallParts {
  keyword(name: string): Node | undefined;
}

class PythonRules extends PromptRules {
  protected override visit(node: Node): void {
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

  private call(node: Node): void {
    const call = this.callParts(node);
    if (!call) return;
    const first = call.positional[0];
    if (call.name === 'from_messages') {
      this.messageTuples(first ?? call.keyword('messages'));
    } else if (call.name === 'from_template') {
      const template = first ?? call.keyword('template');
      if (template) this.emit(template, 'template', this.templateRole(call.owner));
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

  // ---- literals ----

  protected override stringLiteral(node: Node): Piece[] | undefined {
    if (node.type === 'string') return this.stringPieces(node);
    if (node.type !== 'concatenated_string') return undefined;
    return node.namedChildren.filter(isNode).flatMap((s) => (s.type === 'string' ? this.stringPieces(s) : []));
  }

  /** `"\n".join([...])` and `textwrap.dedent("""...""")`: literals the program sends after one call. */
  protected override callLiteral(node: Node): Piece[] | undefined {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || args?.type !== 'argument_list') return undefined;
    const argList = this.elements(args);
    const only = argList.length === 1 ? argList[0] : undefined;
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join' && only && this.isSequence(only)) {
      return this.joined(this.elements(only), this.literal(fn.childForFieldName('object') ?? fn));
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

  // ---- surroundings ----

  protected override keyName(key: Node): string | undefined {
    return this.staticString(key);
  }

  /** `system=X` passes X as the system prompt. */
  protected override argumentName(parent: Node): string | undefined {
    return parent.type === 'keyword_argument' ? parent.childForFieldName('name')?.text : undefined;
  }

  protected override entryKey(node: Node): string | undefined {
    return node.type === 'keyword_argument' ? node.childForFieldName('name')?.text : super.entryKey(node);
  }

  protected override callParts(node: Node): PythonCallParts | undefined {
    if (node.type !== 'call') return undefined;
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || args?.type !== 'argument_list') return undefined;
    const callee = this.callee(fn);
    if (!callee) return undefined;
    const children = args.namedChildren.filter(isNode);
    const keywords = new Map<string, Node>();
    for (const k of children) {
      const v = k.type === 'keyword_argument' ? k.childForFieldName('value') : null;
      if (v) keywords.set(k.childForFieldName('name')?.text ?? '', v);
    }
    const positional = children.filter((c) => !['keyword_argument', 'comment', 'list_splat', 'dictionary_splat'].includes(c.type));
    return { ...callee, args, positional, keyword: (k) => keywords.get(k) };
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
  const whole = flatText(pieces);
  let margin: string | undefined;
  for (const line of whole.split('\n')) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (margin === undefined || !indent.startsWith(margin)) {
      let k = 0;
      while (margin !== undefined && k < margin.length && k < indent.length && margin[k] === indent[k]) k++;
      margin = margin === undefined ? indent : margin.slice(0, k);
    }
  }
  if (!margin) return pieces;
  // Drop up to `margin.length` blanks after every line start (whitespace-only lines may be shorter).
  const keep: boolean[] = [];
  let dropLeft = margin.length;
  for (let k = 0; k < whole.length; k++) {
    const ch = whole[k] as string;
    const drop = dropLeft > 0 && (ch === ' ' || ch === '\t');
    keep.push(!drop);
    dropLeft = ch === '\n' ? margin.length : drop ? dropLeft - 1 : 0; // text or a hole ends the indentation
  }
  return keepChars(pieces, keep);
}
