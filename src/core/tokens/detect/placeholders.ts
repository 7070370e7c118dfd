/**
 * Placeholders in plain text: the dynamic parts of a template, which count as zero tokens.
 * Used for plain string literals in code and for prompt files.
 */
import type { Placeholder, PlaceholderSyntax } from '../types';
import type { LineIndex } from './common';

export interface PlaceholderMatch {
  /** Offsets in the scanned text, end exclusive, braces included. */
  start: number;
  end: number;
  name: string;
  syntax: PlaceholderSyntax;
}

export interface ScanOptions {
  /** `{{x}}` and `{{{x}}}` (Mustache, Handlebars, Jinja expressions). */
  mustache?: boolean;
  /** `{x}` with an identifier-like field name (str.format, LangChain f-string templates). */
  single?: boolean;
  /** `${x}` (string.Template, JS-style text). */
  dollar?: boolean;
  /** Jinja `{% … %}` statements and `{# … #}` comments. */
  jinja?: boolean;
}

/** What plain string literals in source code are scanned for. */
export const codeScan: ScanOptions = { mustache: true, single: true, dollar: true };

// One pass over every brace form; the longest form at a position is tried first.
const pattern = /\{\{\{([^{}]*)\}\}\}|\{\{([^{}]*)\}\}|\{%([\s\S]*?)%\}|\{#([\s\S]*?)#\}|\$\{([^{}]*)\}|\{([^{}]*)\}/g;

// `{{ user.name }}`, `{{#each items}}`, `{{> partial}}`, `{{ x | upper }}`; not `{{"json": 1}}`.
const mustacheName = /^[#/^>&!]?\s*[A-Za-z_$@.][^\n]*$/;
// `{name}`, `{user.name}`, `{items[0]}`, `{x!r}`, `{x:>10}`; not `{"a": 1}` or `{ }`.
const singleField = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]{}]*\])*)(?:![rsa])?(?::[^{}]*)?$/;

export function scanPlaceholders(text: string, options: ScanOptions = codeScan): PlaceholderMatch[] {
  const found: PlaceholderMatch[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const match = classify(m, options);
    if (match === 'literal') continue;
    if (match) {
      found.push({ start: m.index, end: m.index + m[0].length, ...match });
    } else {
      // Not a placeholder here; a shorter form may still start inside it (`{{"a": {value}}}`).
      pattern.lastIndex = m.index + 1;
    }
  }
  return found;
}

/** A placeholder; 'literal' for `${x}` when not scanned for (its `{x}` is not one either); else undefined. */
function classify(m: RegExpExecArray, options: ScanOptions): { name: string; syntax: PlaceholderSyntax } | 'literal' | undefined {
  const [, triple, double, statement, comment, dollar, single] = m;
  if (triple !== undefined || double !== undefined) {
    const name = (triple ?? double ?? '').replace(/^-|-$/g, '').trim();
    return options.mustache && mustacheName.test(name) ? { name, syntax: '{{x}}' } : undefined;
  }
  if (statement !== undefined || comment !== undefined) {
    if (!options.jinja) return undefined;
    const inner = (statement ?? comment ?? '').replace(/^[-+]|[-+]$/g, '').trim();
    return { name: statement !== undefined ? inner : `# ${inner}`, syntax: '{%x%}' };
  }
  if (dollar !== undefined) {
    const name = dollar.trim();
    if (!options.dollar) return 'literal';
    return name !== '' && !name.includes('\n') ? { name, syntax: '${x}' } : undefined;
  }
  const field = options.single ? singleField.exec(single ?? '') : null;
  return field?.[1] !== undefined ? { name: field[1], syntax: '{x}' } : undefined;
}

/** The text with the matched placeholders cut out. */
export function stripPlaceholders(text: string, matches: readonly PlaceholderMatch[]): string {
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start);
    at = m.end;
  }
  return out + text.slice(at);
}

/**
 * Placeholders of a stretch of a document taken verbatim (a prompt file's body): `text` is
 * `source.slice(offset, offset + text.length)`, so match offsets map straight to the document.
 */
export function placeholdersIn(
  text: string,
  offset: number,
  lines: LineIndex,
  options: ScanOptions,
): { text: string; placeholders: Placeholder[] } {
  const matches = scanPlaceholders(text, options);
  return {
    text: stripPlaceholders(text, matches),
    placeholders: matches.map((m) => ({
      name: m.name,
      syntax: m.syntax,
      range: lines.range(offset + m.start, offset + m.end),
    })),
  };
}
