/**
 * Prompt rules for TypeScript, TSX, JavaScript and JSX syntax trees: message objects, `system` /
 * `instructions` / `prompt` properties (OpenAI, Anthropic, Vercel AI SDK), LangChain.js templates and
 * messages, and variables named like prompts.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt } from '../types';
import { TextPieceBuilder, compact, flatText, keepChars, messageClassRoles, promptArgumentKinds, type Piece, type TextPiece } from './common';
import { codeScan, type ScanOptions } from './placeholders';
import { PromptRules, type CallParts, type Syntax } from './rules';

// `${` in a template's static text can only be an escaped, deliberately literal `\${`.
const templateScan: ScanOptions = { mustache: true, single: true };

const definitionNodes: ReadonlySet<string> = new Set([
  'variable_declarator',
  'public_field_definition',
  'assignment_expression',
  'augmented_assignment_expression',
]);

const syntax: Syntax = {
  definitions: definitionNodes,
  rules: new Set([...definitionNodes, 'pair', 'call_expression', 'new_expression', 'jsx_attribute']),
  boundaries: new Set([
    'program',
    'statement_block',
    'class_body',
    'arrow_function',
    'function_expression',
    'function',
    'function_declaration',
    'generator_function_declaration',
    'method_definition',
  ]),
  wrappers: new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression']),
  names: new Set(['identifier', 'property_identifier', 'private_property_identifier']),
  call: 'call_expression',
  member: 'member_expression',
  memberName: 'property',
  binary: 'binary_expression',
  dictionary: 'object',
  sequences: new Set(['array']),
  integer: 'number',
  entries: new Set(['pair']),
  settingGroups: new Set(['object']),
  // `X.trim()` sends the named prompt trimmed; close enough for counting.
  passThroughMethods: new Set(['trim', 'trimEnd', 'trimStart']),
  holeSyntax: '${x}',
  messageCalls: new Set(),
};
const dedentTags: ReadonlySet<string> = new Set(['dedent', 'outdent', 'stripIndent']);

export function detectTypeScript(root: Node, source: string, resolveReferences = true): DetectedPrompt[] {
  return new TypeScriptRules(syntax, source, resolveReferences).detect(root);
}

class TypeScriptRules extends PromptRules {
  protected override visit(node: Node): void {
    switch (node.type) {
      case 'variable_declarator':
      case 'public_field_definition':
        return this.declaration(node.childForFieldName('name'), node.childForFieldName('value'));
      case 'assignment_expression':
      case 'augmented_assignment_expression':
        return this.assignment(node);
      case 'pair':
        return this.pair(node);
      case 'call_expression':
      case 'new_expression':
        return this.call(node);
      case 'jsx_attribute':
        return this.jsxAttribute(node);
    }
  }

  /** Object keys (`{ systemPrompt: … }`) are not uses; `this.systemPrompt` is. */
  protected override isUse(name: Node): boolean {
    return !(name.type === 'property_identifier' && name.parent?.type === 'pair');
  }

  /** `new PromptTemplate({ template: … })`. */
  protected override isTemplateOptions(object: Node): boolean {
    const call = object.parent?.type === 'arguments' ? object.parent.parent : null;
    return call ? this.callParts(call)?.name.endsWith('PromptTemplate') === true : false;
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
    const first = call.positional[0];
    if (call.name === 'fromMessages') {
      this.messageTuples(first);
    } else if (call.name === 'fromTemplate') {
      if (first) this.emit(first, 'template', this.templateRole(call.owner));
    } else if (messageClassRoles.has(call.name) && first) {
      const arg = this.unwrap(first);
      const content = arg.type === 'object' ? this.entry(arg, 'content') : arg;
      if (content) this.emit(content, 'message', messageClassRoles.get(call.name), arg.type === 'object' ? arg : undefined);
    } else if (call.name.endsWith('PromptTemplate') && first && this.unwrap(first).type !== 'object') {
      this.emit(first, 'template', undefined);
    }
  }

  // ---- literals ----

  protected override stringLiteral(node: Node): Piece[] | undefined {
    if (node.type === 'string') return [decodeJs(this.source, node.startIndex + 1, node.endIndex - 1, false)];
    if (node.type === 'template_string') return this.templatePieces(node, false);
    return undefined;
  }

  /** String.raw`…`, dedent`…` and `[...].join(sep)`: literals the program sends after one call. */
  protected override callLiteral(node: Node): Piece[] | undefined {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn || !args) return undefined;
    if (args.type === 'template_string') {
      const tag = compact(fn);
      if (tag === 'String.raw') return this.templatePieces(args, true);
      if (dedentTags.has(tag)) return dedentTemplate(this.templatePieces(args, false));
      return undefined;
    }
    if (fn.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'join') return undefined;
    const array = this.unwrap(fn.childForFieldName('object') ?? fn);
    const argList = this.elements(args);
    if (array.type !== 'array' || argList.length > 1) return undefined;
    return this.joined(this.elements(array), argList[0] ? this.literal(argList[0]) : [textOf(',')]);
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

  // ---- surroundings ----

  protected override keyName(key: Node): string | undefined {
    return key.type === 'property_identifier' ? key.text : key.type === 'string' ? this.staticString(key) : undefined;
  }

  /** `{ system }` passes the variable `system` as the system prompt. */
  protected override argumentName(parent: Node): string | undefined {
    return parent.type === 'shorthand_property_identifier' ? parent.text : undefined;
  }

  protected override callParts(node: Node): CallParts | undefined {
    if (node.type !== 'call_expression' && node.type !== 'new_expression') return undefined;
    const fn = node.childForFieldName(node.type === 'new_expression' ? 'constructor' : 'function');
    const args = node.childForFieldName('arguments');
    if (!fn || args?.type !== 'arguments') return undefined;
    const callee = this.callee(fn);
    return callee && { ...callee, args, positional: this.elements(args) };
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
  const whole = flatText(pieces);
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
  return keepChars(pieces, keep);
}

function textOf(text: string): TextPiece {
  const b = new TextPieceBuilder();
  b.push(text, 0, 0);
  return b.build(undefined);
}
