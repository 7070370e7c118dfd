/**
 * Small JSON helpers the readers share: defensive field access, argument
 * parsing, timestamps, canonical JSON, and locating a syntax error by line.
 */
import type { JsonValue } from './model';

export type JsonObject = { [key: string]: JsonValue };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, or undefined (numbers are spelled out: ids are often numbers). */
export function str(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A non-empty string field. */
export function text(v: JsonValue | undefined): string | undefined {
  const s = str(v);
  return s === undefined || s === '' ? undefined : s;
}

export function num(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function arr(v: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function obj(v: JsonValue | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

/**
 * Message content as text: a string, or the text parts of a content list
 * (OpenAI `[{type:"text", text}]`, Anthropic blocks); other parts as JSON.
 */
export function contentText(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map((p) => (typeof p === 'string' ? p : isObject(p) ? (str(p.text) ?? str(p.content) ?? JSON.stringify(p)) : '')).filter((s) => s !== '');
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
  if (v === null || v === undefined) return undefined;
  return JSON.stringify(v);
}

/** A tool result as text: strings as they are, anything else as JSON. */
export function resultText(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : (contentText(v) ?? JSON.stringify(v));
}

/**
 * Tool-call arguments as the model wrote them: a JSON string is parsed (and kept
 * raw, spacing included), a structured value is used as it is, anything else is
 * kept as a raw string.
 */
export function parseArguments(v: JsonValue | undefined): { arguments: JsonValue; rawArguments?: string } {
  if (v === undefined) return { arguments: null };
  if (typeof v !== 'string') return { arguments: v };
  const t = v.trim();
  if (t === '') return { arguments: v, rawArguments: v };
  if (t.startsWith('{') || t.startsWith('[') || t.startsWith('"')) {
    try {
      return { arguments: JSON.parse(t) as JsonValue, rawArguments: v };
    } catch {
      // not JSON after all: keep the text
    }
  }
  return { arguments: v, rawArguments: v };
}

/** Sorted keys, no insignificant whitespace: two JSON values are the same payload iff their canonical texts are equal. */
export function canonicalJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Epoch milliseconds from a timestamp: a number (seconds when below 1e11, else
 * milliseconds) or an ISO 8601 string. ISO times without a zone are read as UTC
 * (tau2-bench and OpenHands write local times without one), so results do not
 * depend on the machine's zone.
 */
export function epochMs(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return undefined;
    return v < 1e11 ? v * 1000 : v;
  }
  if (typeof v !== 'string' || v.length < 10) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return epochMs(Number(v));
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(v) || !/^\d{4}-\d\d-\d\dT/.test(v) ? v : `${v}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : undefined;
}

// ---------------------------------------------------------------------------
// Line numbers of records inside a JSON document

/** Start lines of the containers (objects and arrays) of a JSON text, by path, down to a depth. */
export interface LineIndex {
  /** The 1-based line where the value at `path` starts (object or array values only). */
  lineAt(...path: (string | number)[]): number | undefined;
}

interface LineNode {
  line: number;
  kids?: Map<string | number, LineNode>;
}

interface Frame {
  node: LineNode | undefined;
  isArray: boolean;
  index: number;
  key: string | undefined;
  expectKey: boolean;
}

/**
 * One light pass over a JSON text (already validated by JSON.parse) recording the
 * line on which each object or array at depth ≤ maxDepth starts: the line of a
 * tau-bench record, a message inside it, an OpenHands event. Strings are skipped
 * with indexOf; raw newlines only occur between tokens.
 */
export function indexJsonLines(source: string, maxDepth = 4): LineIndex {
  const root: LineNode = { line: 1, kids: new Map() };
  const stack: Frame[] = [{ node: root, isArray: true, index: 0, key: undefined, expectKey: false }];
  let line = 1;
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 34) {
      // a string: find its closing quote (not escaped)
      let j = source.indexOf('"', i + 1);
      while (j > 0) {
        let backslashes = 0;
        for (let k = j - 1; source.charCodeAt(k) === 92; k--) backslashes++;
        if (backslashes % 2 === 0) break;
        j = source.indexOf('"', j + 1);
      }
      if (j < 0) j = n;
      if (top && !top.isArray && top.expectKey) {
        const raw = source.slice(i + 1, j);
        top.key = raw.includes('\\') ? safeUnescape(raw) : raw;
        top.expectKey = false;
      } else if (top?.isArray) top.index++;
      i = j;
      continue;
    }
    if (c === 123 || c === 91) {
      // { or [: a container value starts
      let key: string | number | undefined;
      if (top) key = top.isArray ? top.index++ : top.key;
      let node: LineNode | undefined;
      if (top?.node && key !== undefined && stack.length - 1 <= maxDepth) {
        node = { line };
        top.node.kids ??= new Map();
        top.node.kids.set(key, node);
      }
      stack.push({ node, isArray: c === 91, index: 0, key: undefined, expectKey: c === 123 });
      continue;
    }
    if (c === 125 || c === 93) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    if (c === 44) {
      if (top && !top.isArray) top.expectKey = true;
      continue;
    }
    if (top?.isArray && (c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110)) {
      // a number or literal element of an array
      top.index++;
      while (i + 1 < n && !isDelimiter(source.charCodeAt(i + 1))) i++;
    }
  }
  return {
    lineAt(...path) {
      let node = root.kids?.get(0);
      for (const p of path) {
        node = node?.kids?.get(p);
        if (!node) return undefined;
      }
      return node?.line;
    },
  };
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9;
}

function safeUnescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** A line index for values that all sit on one line (a JSON Lines record). */
export function constantLines(line: number): LineIndex {
  return { lineAt: () => line };
}

export const noLines: LineIndex = { lineAt: () => undefined };

// ---------------------------------------------------------------------------
// Where is the syntax error?

export interface JsonErrorLocation {
  line: number;
  column: number;
  message: string;
}

/**
 * Line and column of the first syntax error in a text JSON.parse rejected. V8
 * names a position for most errors but not all ("Unexpected token 'x', … is not
 * valid JSON"), so a small validator finds it when the message does not.
 */
export function locateJsonError(source: string, err: unknown): JsonErrorLocation {
  const message = err instanceof Error ? err.message : String(err);
  const m = /at position (\d+)/.exec(message);
  let pos: number | undefined = m ? Number(m[1]) : undefined;
  let detail = message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
  if (pos === undefined) {
    const found = firstJsonError(source);
    if (found) {
      pos = found.pos;
      detail = found.message;
    } else pos = source.length;
  }
  if (/Unexpected end of JSON input/.test(message) || pos >= source.trimEnd().length) detail = 'the JSON ends too early (truncated file?)';
  return { ...lineColumn(source, Math.min(pos, source.length)), message: detail };
}

export function lineColumn(source: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < pos; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The position and a description of the first JSON syntax error, or undefined when the text is valid. Iterative: deep nesting cannot overflow the stack. */
export function firstJsonError(s: string): { pos: number; message: string } | undefined {
  const stack: number[] = []; // 123 '{' or 91 '['
  let i = 0;
  // 0: expect a value; 1: after a value; 2: expect a key (or '}' when first); 3: expect ':'
  let state = 0;
  let first = true;
  const ws = (): void => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (message: string): { pos: number; message: string } => ({ pos: i, message });
  const scanString = (): string | undefined => {
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return undefined;
      }
      if (c < 32) return 'a control character (raw newline?) inside a string';
      if (c === 92) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return 'a bad \\u escape in a string';
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return 'a bad escape in a string';
      } else i++;
    }
    return 'a string that is never closed';
  };
  for (;;) {
    ws();
    if (i >= s.length) {
      if (state === 1 && stack.length === 0) return undefined;
      return fail('the JSON ends too early (truncated file?)');
    }
    const c = s.charCodeAt(i);
    if (state === 0) {
      if (c === 123 || c === 91) {
        stack.push(c);
        i++;
        first = true;
        state = c === 123 ? 2 : 0;
        if (c === 91) {
          ws();
          if (s.charCodeAt(i) === 93) {
            stack.pop();
            i++;
            state = 1;
          }
        }
        continue;
      }
      if (c === 34) {
        const e = scanString();
        if (e) return fail(e);
        state = 1;
        continue;
      }
      if (s.startsWith('true', i) || s.startsWith('null', i)) {
        i += 4;
        state = 1;
        continue;
      }
      if (s.startsWith('false', i)) {
        i += 5;
        state = 1;
        continue;
      }
      numberRe.lastIndex = i;
      const m = numberRe.exec(s);
      if (m && m[0].length > 0) {
        i += m[0].length;
        state = 1;
        continue;
      }
      return fail(c === 93 || c === 125 ? `unexpected '${s[i]}' (a trailing comma?)` : `unexpected ${JSON.stringify(s[i])} where a value was expected`);
    }
    if (state === 1) {
      const top = stack[stack.length - 1];
      if (top === undefined) return fail(`unexpected ${JSON.stringify(s[i])} after the end of the JSON value`);
      if (c === 44) {
        i++;
        state = top === 123 ? 2 : 0;
        first = false;
        continue;
      }
      if ((c === 125 && top === 123) || (c === 93 && top === 91)) {
        stack.pop();
        i++;
        continue;
      }
      return fail(`expected ',' or '${top === 123 ? '}' : ']'}', found ${JSON.stringify(s[i])}`);
    }
    if (state === 2) {
      if (c === 125 && first) {
        stack.pop();
        i++;
        state = 1;
        continue;
      }
      if (c !== 34) return fail(`expected a double-quoted property name, found ${JSON.stringify(s[i])}`);
      const e = scanString();
      if (e) return fail(e);
      state = 3;
      continue;
    }
    // state 3
    if (c !== 58) return fail(`expected ':' after a property name, found ${JSON.stringify(s[i])}`);
    i++;
    state = 0;
  }
}
