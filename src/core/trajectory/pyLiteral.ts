/**
 * A Python literal (the `repr` of lists, dicts, strings, numbers, True/False/None)
 * as a JSON value. Some SWE-agent trajectories store `tool_calls` as
 * `str(list_of_dicts)` instead of JSON. Returns undefined for anything else; never throws.
 */
import type { JsonValue } from './model';

export function parsePythonLiteral(source: string): JsonValue | undefined {
  let i = 0;
  const s = source;
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('not a Python literal');
  };
  const parseString = (): string => {
    const quote = s[i];
    const triple = s.startsWith(quote === "'" ? "'''" : '"""', i);
    const end = triple ? (quote as string).repeat(3) : (quote as string);
    i += end.length;
    let out = '';
    for (;;) {
      if (i >= s.length) fail();
      if (s.startsWith(end, i)) {
        i += end.length;
        return out;
      }
      const c = s[i] as string;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = s[i + 1];
      i += 2;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case 'x':
        case 'u':
        case 'U': {
          const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = s.slice(i, i + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail();
          out += String.fromCodePoint(parseInt(hex, 16));
          i += len;
          break;
        }
        case '\n':
          break;
        case undefined:
          fail();
          break;
        default:
          // \\ \' \" and unknown escapes (Python keeps the backslash for those)
          out += e === '\\' || e === "'" || e === '"' ? e : `\\${e}`;
      }
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > 200) fail();
    ws();
    const c = s[i];
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const list: JsonValue[] = [];
      for (;;) {
        ws();
        if (s[i] === close) {
          i++;
          return list;
        }
        list.push(value(depth + 1));
        ws();
        if (s[i] === ',') i++;
        else if (s[i] !== close) fail();
      }
    }
    if (c === '{') {
      i++;
      const o: { [key: string]: JsonValue } = {};
      for (;;) {
        ws();
        if (s[i] === '}') {
          i++;
          return o;
        }
        const k = value(depth + 1);
        ws();
        if (s[i] !== ':') fail();
        i++;
        o[typeof k === 'string' ? k : JSON.stringify(k)] = value(depth + 1);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] !== '}') fail();
      }
    }
    if (c === "'" || c === '"') return parseString();
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 64));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  try {
    const v = value(0);
    ws();
    return i === s.length ? v : undefined;
  } catch {
    return undefined;
  }
}
