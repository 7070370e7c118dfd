/**
 * Where the content of a single string literal sits inside its source text,
 * so "Compress prompt" can rewrite the content and leave quotes, prefixes and
 * code around it alone. Returns undefined for anything but one literal (a
 * concatenation, a call), which the rewrite must not touch.
 */
export function literalContent(source: string): { start: number; end: number } | undefined {
  const prefix = /^[rRbBuUfF]{0,2}/.exec(source)?.[0] ?? '';
  const rest = source.slice(prefix.length);
  for (const quote of ['"""', "'''", '`', '"', "'"]) {
    if (!rest.startsWith(quote) || !source.endsWith(quote) || source.length < prefix.length + quote.length * 2) continue;
    const start = prefix.length + quote.length;
    const end = source.length - quote.length;
    // The closing delimiter must be the first unescaped one after the opening.
    const body = source.slice(start, end);
    if (indexOfUnescaped(body, quote) !== -1) return undefined;
    return { start, end };
  }
  return undefined;
}

function indexOfUnescaped(text: string, needle: string): number {
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    let backslashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}
