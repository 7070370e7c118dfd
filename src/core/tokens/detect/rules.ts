/**
 * The prompt rules every language shares: named prompts and their uses, message dicts/objects,
 * literals built with `+` and `join`, and the calls around a prompt (model, max tokens, group).
 * A language supplies its node-type names (Syntax) and what its grammar shapes differently:
 * string literals, call arguments, and its own rules (keyword arguments, JSX).
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt, MessageRole, PlaceholderSyntax, PromptKind } from '../types';
import {
  Definitions,
  LineIndex,
  PromptSink,
  applyFirstUse,
  cacheControlKeys,
  groupId,
  isNode,
  isPromptName,
  maxTokensKeys,
  messageClassRoles,
  modelKeys,
  normalizeRole,
  parseIntegerLiteral,
  promptArgumentKinds,
  visitNodes,
  type Piece,
  type PromptContext,
} from './common';

/** A grammar's names for the node types and fields the shared rules look at. */
export interface Syntax {
  /** Nodes that may define a named prompt; visited first, so that uses above a definition resolve. */
  definitions: ReadonlySet<string>;
  /** Every node type `visit` handles, definitions included. */
  rules: ReadonlySet<string>;
  /** The enclosing call of a prompt is looked for up to these (a prompt in a function is not its caller's). */
  boundaries: ReadonlySet<string>;
  /** Expressions that stand for their only child: parentheses, type assertions. */
  wrappers: ReadonlySet<string>;
  /** Node types of a name that may refer to a named prompt. */
  names: ReadonlySet<string>;
  call: string;
  /** `a.b`, and the field holding `b`. */
  member: string;
  memberName: string;
  binary: string;
  /** Dict or object literal, whose `pair`s are `key: value`. */
  dictionary: string;
  /** List, tuple or array literals. */
  sequences: ReadonlySet<string>;
  integer: string;
  /** `key: value` nodes whose key `entryKey` reads, searched for settings such as cache control. */
  entries: ReadonlySet<string>;
  /** Argument nodes whose entries are settings of the call itself (`**{...}`, `{...}`). */
  settingGroups: ReadonlySet<string>;
  /** `X.method(...)` still sends the named prompt X, with its placeholders filled or trimmed. */
  passThroughMethods: ReadonlySet<string>;
  holeSyntax: PlaceholderSyntax;
  /** Calls that build one message (besides LangChain's message classes), so they do not group prompts. */
  messageCalls: ReadonlySet<string>;
}

export interface CallParts {
  name: string;
  /** `ChatPromptTemplate` in `ChatPromptTemplate.from_messages`. */
  owner: string | undefined;
  /** The argument list, where settings such as the model are looked for. */
  args: Node;
  positional: Node[];
}

type UseContext = PromptContext & { useRole?: MessageRole };

export abstract class PromptRules {
  protected readonly sink: PromptSink;
  private readonly definitions = new Definitions();
  /** Whether a name of a prompt defined in this file stands for its text (not in definitions). */
  private resolving = false;

  constructor(
    protected readonly syntax: Syntax,
    protected readonly source: string,
    private readonly resolveReferences: boolean,
  ) {
    this.sink = new PromptSink(new LineIndex(source));
  }

  /** Prompts in the tree, in document order. */
  detect(root: Node): DetectedPrompt[] {
    visitNodes(root, this.syntax.definitions, (node) => this.visit(node));
    visitNodes(root, this.syntax.rules, (node) => this.visit(node));
    this.resolveUses(root);
    return this.sink.result();
  }

  /** Applies the rules for one node of a type in `syntax.rules`. */
  protected abstract visit(node: Node): void;

  /** Pieces of a string literal of the language, or undefined when `node` is none. */
  protected abstract stringLiteral(node: Node): Piece[] | undefined;

  /** Literals the program sends after one call (`join`, `dedent`), or undefined. */
  protected abstract callLiteral(node: Node): Piece[] | undefined;

  protected abstract callParts(node: Node): CallParts | undefined;

  /** The text of a dict or object key, or undefined when it is not static. */
  protected abstract keyName(key: Node): string | undefined;

  /** The name a value is passed under outside a dict or object (`system=X`), for its role. */
  protected abstract argumentName(parent: Node): string | undefined;

  // ---- named prompts ----

  /** `left = right` and `left += right`; other augmented assignments build no prompt. */
  protected assignment(node: Node): void {
    const operator = node.childForFieldName('operator');
    if (operator && operator.text !== '+=') return;
    this.declaration(node.childForFieldName('left'), node.childForFieldName('right'));
  }

  /** `NAME = …` or `obj.NAME = …`: a prompt variable when named like one, resolvable by name later. */
  protected declaration(target: Node | null, value: Node | null): void {
    const nameNode = target?.type === this.syntax.member ? target.childForFieldName(this.syntax.memberName) : target;
    if (!value || !nameNode || !this.syntax.names.has(nameNode.type) || !isPromptName(nameNode.text)) return;
    const pieces = this.literal(value);
    const prompt = pieces && this.emitLiteral(value, 'variable', {})?.added;
    if (pieces && prompt) this.definitions.add({ prompt, name: nameNode.text, nameStart: nameNode.startIndex, pieces });
  }

  /** Whether a name node with a prompt's name stands for its value (not, say, an object key). */
  protected isUse(_name: Node): boolean {
    return true;
  }

  /** Named prompts take model, limits and role from their first use in a call. */
  private resolveUses(root: Node): void {
    if (this.definitions.all.length === 0) return;
    const names = new Set(this.definitions.all.map((d) => d.name));
    const uses = new Map<string, Node[]>();
    visitNodes(root, this.syntax.names, (n) => {
      if (names.has(n.text) && this.isUse(n)) uses.set(n.text, [...(uses.get(n.text) ?? []), n]);
    });
    for (const definition of this.definitions.all) {
      applyFirstUse(definition, uses.get(definition.name) ?? [], (use) => this.useContext(use));
    }
  }

  /** The context of a name used as a value: `X`, `self.X`, `X.format(...)`, `X + "..."`. */
  private useContext(use: Node): UseContext {
    const { member, binary, call, wrappers, dictionary } = this.syntax;
    let n = use;
    for (let p = n.parent; p; p = n.parent) {
      const through =
        p.type === member ||
        wrappers.has(p.type) ||
        p.type === binary ||
        (p.type === call && p.childForFieldName('function')?.startIndex === n.startIndex);
      if (!through) break;
      n = p;
    }
    const parent = n.parent;
    let useRole: MessageRole | undefined;
    let message: Node | undefined;
    if (parent?.type === 'pair' && parent.parent?.type === dictionary) {
      const key = this.keyOf(parent);
      const role = key === 'content' ? this.entry(parent.parent, 'role') : undefined;
      useRole = role ? normalizeRole(this.staticString(role)) : key === undefined ? undefined : promptArgumentKinds.get(key)?.role;
      message = parent.parent;
    } else if (parent) {
      useRole = promptArgumentKinds.get(this.argumentName(parent) ?? '')?.role;
    }
    const context: UseContext = this.context(n, 'variable', message);
    if (useRole !== undefined) context.useRole = useRole;
    return context;
  }

  // ---- rules ----

  /** `{"role": …, "content": …}`, and keys named like prompts (`system`, `instructions`, `*_prompt`). */
  protected pair(node: Node): void {
    const key = this.keyOf(node);
    const value = node.childForFieldName('value');
    const dict = node.parent;
    if (key === undefined || !value || dict?.type !== this.syntax.dictionary) return;
    if (key === 'content') {
      const role = this.entry(dict, 'role');
      if (role) this.emit(value, 'message', normalizeRole(this.staticString(role)), dict);
      return;
    }
    const known = promptArgumentKinds.get(key);
    if (known) return this.emit(value, known.kind, known.role, dict);
    if (key === 'template' && this.isTemplateOptions(dict)) return this.emit(value, 'template', undefined);
    if (isPromptName(key)) this.emit(value, 'variable', undefined, dict);
  }

  /** Whether `dict` holds a template constructor's options (JS `new PromptTemplate({ template })`). */
  protected isTemplateOptions(_dict: Node): boolean {
    return false;
  }

  /** LangChain's `from_messages([("system", "…"), …])`: (role, template) pairs. */
  protected messageTuples(list: Node | undefined): void {
    const items = list && this.isSequence(this.unwrap(list)) ? this.elements(this.unwrap(list)) : [];
    for (const item of items) {
      if (!this.isSequence(item)) continue;
      const [roleNode, content] = this.elements(item);
      const role = roleNode && this.staticString(roleNode);
      if (content && role !== undefined && role !== 'placeholder') this.emit(content, 'template', normalizeRole(role));
    }
  }

  /** The role of `Owner.from_template(…)`: a user message for ChatPromptTemplate, else the message class's. */
  protected templateRole(owner: string | undefined): MessageRole | undefined {
    return owner === 'ChatPromptTemplate' ? 'user' : owner === undefined ? undefined : messageClassRoles.get(owner);
  }

  /** A literal, or a list of literals and `{"type": "text", "text": …}` content blocks. */
  protected emit(value: Node, kind: PromptKind, role: MessageRole | undefined, message?: Node): void {
    const node = this.unwrap(value);
    if (this.emitLiteral(node, kind, { role }, message)) return;
    if (!this.isSequence(node)) return;
    for (const item of this.elements(node)) {
      if (item.type === this.syntax.dictionary) {
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
    const node = this.unwrap(value);
    this.resolving = this.resolveReferences && kind !== 'variable';
    const pieces = this.literal(node);
    this.resolving = false;
    if (!pieces) return undefined;
    const added = this.sink.add(kind, node, pieces, { ...this.context(node, kind, message), ...definedOnly(context) });
    return added ? { added } : {};
  }

  // ---- literals ----

  /** Pieces of a literal expression, or undefined when `node` is not one. */
  protected literal(value: Node): Piece[] | undefined {
    const node = this.unwrap(value);
    if (node.type === this.syntax.binary) {
      if (node.childForFieldName('operator')?.text !== '+') return undefined;
      const operands = this.plusOperands(node);
      const parts = operands.map((o) => this.literal(o));
      if (!parts.some((p) => p !== undefined)) return undefined;
      return operands.flatMap((o, i) => parts[i] ?? [this.hole(o)]);
    }
    if (node.type === this.syntax.call) return this.callLiteral(node) ?? this.reference(node);
    return this.stringLiteral(node) ?? this.reference(node);
  }

  /** `NAME`, `self.NAME`, `NAME.format(...)`: a prompt defined in this file. */
  private reference(node: Node): Piece[] | undefined {
    if (!this.resolving) return undefined;
    const { call, member, memberName, passThroughMethods } = this.syntax;
    let n = node;
    if (n.type === call) {
      const fn = n.childForFieldName('function');
      if (fn?.type !== member || !passThroughMethods.has(fn.childForFieldName(memberName)?.text ?? '')) return undefined;
      n = this.unwrap(fn.childForFieldName('object') ?? fn);
    }
    const name = n.type === 'identifier' ? n : n.type === member ? n.childForFieldName(memberName) : null;
    return name ? this.definitions.get(name.text)?.pieces.slice() : undefined;
  }

  /** `sep.join(items)` / `items.join(sep)`: a static separator between the items, holes for non-literals. */
  protected joined(items: readonly Node[], separator: Piece[] | undefined): Piece[] | undefined {
    if (!separator || separator.some((p) => p.kind === 'hole')) return undefined;
    const sep = separator.map((p) => (p.kind === 'text' ? { ...p, scan: undefined } : p));
    return items.flatMap((item, i) => [...(i > 0 ? sep : []), ...(this.literal(item) ?? [this.hole(item)])]);
  }

  /** The text of a literal without placeholders or holes (keys, roles, model names). */
  protected staticString(node: Node): string | undefined {
    const pieces = this.literal(node);
    if (!pieces || pieces.some((p) => p.kind === 'hole')) return undefined;
    return pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  }

  /** A non-literal operand of a `+` chain or a join: a placeholder named by its source text. */
  protected hole(node: Node): Piece {
    return { kind: 'hole', name: node.text, syntax: this.syntax.holeSyntax, start: node.startIndex, end: node.endIndex };
  }

  private plusOperands(node: Node): Node[] {
    const n = this.unwrap(node);
    if (n.type !== this.syntax.binary || n.childForFieldName('operator')?.text !== '+') return [n];
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    return [...(left ? this.plusOperands(left) : []), ...(right ? this.plusOperands(right) : [])];
  }

  // ---- surroundings ----

  protected keyOf(pair: Node): string | undefined {
    const key = pair.childForFieldName('key');
    return key ? this.keyName(key) : undefined;
  }

  protected entry(dict: Node, name: string): Node | undefined {
    for (const pair of dict.namedChildren) {
      if (pair?.type === 'pair' && this.keyOf(pair) === name) return pair.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }

  /** The key of a `key: value` node in `syntax.entries`. */
  protected entryKey(node: Node): string | undefined {
    return node.type === 'pair' ? this.keyOf(node) : undefined;
  }

  /**
   * Model, max tokens and cache control from the calls around the prompt (nearest first), and a
   * group id shared by the prompts of one call (or of one messages list outside any call).
   */
  protected context(literal: Node, kind: PromptKind, message: Node | undefined): PromptContext {
    const context: PromptContext = {};
    let group: { call: Node; args: Node } | undefined;
    let list: Node | undefined;
    for (let n = literal.parent; n && !this.syntax.boundaries.has(n.type); n = n.parent) {
      if (this.isSequence(n) && !list) list = n;
      const parts = this.callParts(n);
      if (!parts || literal.startIndex < parts.args.startIndex || literal.endIndex > parts.args.endIndex) continue;
      if (!group && !messageClassRoles.has(parts.name) && !this.syntax.messageCalls.has(parts.name)) group = { call: n, args: parts.args };
      if (context.model === undefined) {
        const model = this.setting(parts.args, modelKeys);
        if (model) context.model = this.modelName(model);
      }
      if (context.maxOutputTokens === undefined) {
        const max = this.setting(parts.args, maxTokensKeys);
        if (max?.type === this.syntax.integer) context.maxOutputTokens = parseIntegerLiteral(max.text);
      }
    }
    const scope = group?.args ?? message;
    if ((scope && this.hasKey(scope, cacheControlKeys)) || (message && this.hasKey(message, cacheControlKeys))) context.cacheControl = true;
    if (group) context.group = groupId(this.sink.lines, group.call);
    else if (list && (kind === 'message' || kind === 'template')) context.group = groupId(this.sink.lines, list);
    return context;
  }

  /** A setting among the call's arguments and nested config dicts (not lists, not calls). */
  private setting(node: Node, keys: ReadonlySet<string>): Node | undefined {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (this.syntax.settingGroups.has(child.type)) {
        const found = this.setting(child, keys);
        if (found) return found;
        continue;
      }
      const value = this.syntax.entries.has(child.type) ? child.childForFieldName('value') : null;
      if (!value) continue;
      const key = this.entryKey(child);
      if (key !== undefined && keys.has(key)) return this.unwrap(value);
      if (value.type === this.syntax.dictionary) {
        const found = this.setting(value, keys);
        if (found) return found;
      }
    }
    return undefined;
  }

  private hasKey(node: Node, keys: ReadonlySet<string>): boolean {
    let found = false;
    visitNodes(node, this.syntax.entries, (n) => {
      const key = this.entryKey(n);
      if (key !== undefined && keys.has(key)) found = true;
    });
    return found;
  }

  /** `"gpt-4o"`, or the first argument of a provider call such as `openai("gpt-4o")`. */
  private modelName(node: Node): string | undefined {
    const direct = this.staticString(node);
    if (direct !== undefined) return direct;
    const first = node.type === this.syntax.call ? this.callParts(node)?.positional[0] : undefined;
    return first && this.staticString(first);
  }

  /** Name and owner of a callee `name` or `owner.name` (`ChatPromptTemplate.from_messages`). */
  protected callee(fn: Node): { name: string; owner: string | undefined } | undefined {
    const { member, memberName } = this.syntax;
    const name = fn.type === member ? fn.childForFieldName(memberName)?.text : fn.text;
    const object = fn.type === member ? fn.childForFieldName('object') : null;
    const owner = object ? (object.type === member ? object.childForFieldName(memberName)?.text : object.text) : undefined;
    return name === undefined ? undefined : { name, owner };
  }

  // ---- shapes ----

  protected unwrap(node: Node): Node {
    let n = node;
    while (this.syntax.wrappers.has(n.type)) {
      const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
      if (!inner) break;
      n = inner;
    }
    return n;
  }

  /** The items of a list or argument list, unwrapped, without comments. */
  protected elements(node: Node): Node[] {
    return node.namedChildren.filter(isNode).filter((c) => c.type !== 'comment').map((c) => this.unwrap(c));
  }

  protected isSequence(node: Node): boolean {
    return this.syntax.sequences.has(node.type);
  }
}

function definedOnly(context: PromptContext): PromptContext {
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)) as PromptContext;
}
