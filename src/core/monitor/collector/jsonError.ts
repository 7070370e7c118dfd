/**
 * Where a JSON text first goes wrong. V8's JSON.parse messages on Node 20 often quote a snippet but give
 * no position ("Unexpected token '}', ..."x": [}]}" is not valid JSON"); a client sending a broken body
 * deserves the line and column. Runs only after JSON.parse has failed, so it is written for clarity.
 */

export interface JsonErrorAt {
  offset: number;
  line: number;
  column: number;
  problem: string;
}

export function findJsonError(text: string): JsonErrorAt | undefined {
  let i = 0;
  const n = text.length;
  class Stop extends Error {
    constructor(readonly problem: string) {
      super(problem);
    }
  }
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const what = (): string => (i >= n ? 'the end of the body' : `${JSON.stringify(text[i])}`);
  const expect = (c: string): void => {
    if (text[i] !== c) throw new Stop(`expected '${c}', found ${what()}`);
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      if (i >= n) throw new Stop('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop('a control character inside a string (escape it)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop('a \\u escape needs 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(`invalid escape \\${e ?? ''}`);
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') throw new Stop(`expected a value, found ${what()}`);
    i += m[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) throw new Stop('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(`expected a property name in double quotes, found ${what()}`);
        string();
        ws();
        expect(':');
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Stop(`expected ',' or '}' after a property value, found ${what()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Stop(`expected ',' or ']' after an array element, found ${what()}`);
      }
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    number();
  };
  try {
    value(0);
    ws();
    if (i < n) throw new Stop(`unexpected ${what()} after the JSON value`);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) return undefined; // e.g. a stack overflow: no position to give
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    return { offset: i, line, column: i - before.lastIndexOf('\n'), problem: err.problem };
  }
}
