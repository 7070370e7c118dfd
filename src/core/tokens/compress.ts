/**
 * "Compress prompt": whitespace rewrites of a prompt literal's source text that
 * keep its meaning (research/tokens.md §5: 4–11% fewer tokens on indented
 * triple-quoted Python prompts). Works line by line and only ever removes
 * leading indentation, trailing spaces/tabs or whole lines; placeholders,
 * fenced code blocks and line continuations are left exactly as written.
 */

export type CompressionRule = 'dedent' | 'trailing-whitespace' | 'blank-lines' | 'repeated-lines';

export interface CompressionResult {
  text: string;
  changed: boolean;
  applied: { rule: CompressionRule; count: number }[];
}

export interface OffsetRange {
  start: number;
  end: number;
}

interface Line {
  text: string;
  /** The line break after it ('' on the last line). */
  eol: string;
  /** Inside a fenced code block, fence lines included: never changed. */
  fenced: boolean;
  /** A placeholder or protected range covers part of the line (or its line break): never removed. */
  touched: boolean;
  /** The leading whitespace lies inside a protected range (a placeholder spanning lines). */
  lockIndent: boolean;
  /** The trailing whitespace lies inside a protected range. */
  lockTrailing: boolean;
  /** The line break lies inside a protected range. */
  lockEol: boolean;
}

/** Repeated lines shorter than this are kept: short repeats ("---", "Example:") are usually structure. */
const MIN_REPEATED_LENGTH = 20;

export function compressPrompt(source: string, options: { protect?: OffsetRange[] } = {}): CompressionResult {
  const protectedRanges = [...findPlaceholders(source), ...(options.protect ?? [])].filter((r) => r.end > r.start);
  let kept = splitLines(source, protectedRanges);
  const dedented = new Set<Line>();
  const stripped = new Set<Line>();
  let dropped = 0;
  let collapsed = 0;

  // Rules feed each other (dropping a repeated line can leave lines that now share an
  // indentation, dedenting can make two lines equal), so run them to a fixed point: that is
  // what makes the rewrite idempotent. Each round only removes text, so this ends.
  for (let round = 0; round < 16; round++) {
    const strippedNow = stripTrailing(kept);
    const dedentedNow = dedent(kept);
    const afterRepeats = dropRepeated(kept);
    const afterBlanks = collapseBlanks(afterRepeats);
    for (const l of strippedNow) stripped.add(l);
    for (const l of dedentedNow) dedented.add(l);
    dropped += kept.length - afterRepeats.length;
    collapsed += afterRepeats.length - afterBlanks.length;
    const changed = strippedNow.length + dedentedNow.length > 0 || afterBlanks.length !== kept.length;
    kept = afterBlanks;
    if (!changed) break;
  }
  const counts: Record<CompressionRule, number> = { dedent: dedented.size, 'trailing-whitespace': stripped.size, 'blank-lines': collapsed, 'repeated-lines': dropped };

  const text = joinLines(kept);
  const rules: CompressionRule[] = ['dedent', 'trailing-whitespace', 'blank-lines', 'repeated-lines'];
  return { text, changed: text !== source, applied: rules.filter((r) => counts[r] > 0).map((rule) => ({ rule, count: counts[rule] })) };
}

// ---------------------------------------------------------------------------
// Protection

/**
 * Template placeholders as written: `{x}`, `{{x}}`, `${…}`, `{% … %}`, found as
 * balanced brace groups (a `$` just before is included). Over-matching (a JSON
 * example, say) only means fewer rewrites; a `{` that never closes protects the
 * rest of its line.
 */
export function findPlaceholders(text: string): OffsetRange[] {
  const out: OffsetRange[] = [];
  const open: number[] = [];
  const withDollar = (i: number): number => (i > 0 && text[i - 1] === '$' ? i - 1 : i);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') open.push(i);
    else if (c === '}' && open.length > 0) {
      // Nested groups are recorded too: an enclosing `{` may never close.
      out.push({ start: withDollar(open.pop() as number), end: i + 1 });
    }
  }
  for (const start of open) {
    const eol = text.slice(start).search(/[\r\n]/);
    out.push({ start: withDollar(start), end: eol < 0 ? text.length : start + eol });
  }
  return out;
}

const overlaps = (ranges: readonly OffsetRange[], start: number, end: number): boolean => end > start && ranges.some((r) => r.start < end && r.end > start);

/** A fence opener: ``` or ~~~ (3+), optionally indented; a backtick fence's info string has no backtick (CommonMark). */
function fenceOpen(text: string): { char: string; length: number } | undefined {
  const m = /^[ \t]*(`{3,}|~{3,})(.*)$/.exec(text);
  if (!m) return undefined;
  const run = m[1] as string;
  const char = run[0] as string;
  if (char === '`' && (m[2] as string).includes('`')) return undefined;
  return { char, length: run.length };
}

function isFenceClose(text: string, open: { char: string; length: number }): boolean {
  const t = text.trim();
  return t.length >= open.length && [...t].every((c) => c === open.char);
}

function splitLines(source: string, ranges: readonly OffsetRange[]): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (;;) {
    const m = re.exec(source);
    const end = m ? m.index : source.length;
    const eol = m ? m[0] : '';
    const text = source.slice(start, end);
    const indent = /^[ \t]*/.exec(text)?.[0].length ?? 0;
    const trailing = /[ \t]*$/.exec(text)?.[0].length ?? 0;
    lines.push({
      text,
      eol,
      fenced: false,
      touched: overlaps(ranges, start, end + eol.length),
      lockIndent: overlaps(ranges, start, start + indent),
      lockTrailing: overlaps(ranges, end - trailing, end),
      lockEol: overlaps(ranges, end, end + eol.length),
    });
    if (!m) break;
    start = end + eol.length;
  }
  // An unclosed fence runs to the end of the text, as in Markdown.
  let open: { char: string; length: number } | undefined;
  for (const line of lines) {
    if (open) {
      line.fenced = true;
      if (isFenceClose(line.text, open)) open = undefined;
    } else {
      open = fenceOpen(line.text);
      if (open) line.fenced = true;
    }
  }
  return lines;
}

function joinLines(lines: readonly Line[]): string {
  // Only the original last line has no break; when it was dropped, the new last line loses its own.
  return lines.map((l, i) => l.text + (i === lines.length - 1 ? '' : l.eol)).join('');
}

// ---------------------------------------------------------------------------
// Rules

const isBlank = (l: Line): boolean => l.text.trim() === '';

/** Returns the lines it changed. */
function stripTrailing(lines: Line[]): Line[] {
  const changed: Line[] = [];
  for (const line of lines) {
    if (line.fenced || line.lockTrailing) continue;
    const stripped = line.text.replace(/[ \t]+$/, '');
    // `…\␠␠` ends in an escaped space: stripping would turn it into a line continuation.
    if (stripped === line.text || stripped.endsWith('\\')) continue;
    line.text = stripped;
    changed.push(line);
  }
  return changed;
}

/**
 * Removes the common leading whitespace of the non-blank lines (like Python's
 * textwrap.dedent). The first line is kept as written when it follows the
 * opening quote (the source does not start with a line break). Fenced blocks
 * keep their indentation, fence lines included, so the block stays intact;
 * so do lines whose indentation is inside a placeholder.
 */
function dedent(lines: Line[]): Line[] {
  const candidates = lines.filter((l, i) => !(i === 0 && !isBlank(l)) && !l.fenced && !l.lockIndent && !isBlank(l));
  if (candidates.length === 0) return [];
  let prefix = /^[ \t]*/.exec((candidates[0] as Line).text)?.[0] ?? '';
  for (const l of candidates) {
    let k = 0;
    while (k < prefix.length && l.text[k] === prefix[k]) k++;
    prefix = prefix.slice(0, k);
    if (!prefix) return [];
  }
  for (const l of candidates) l.text = l.text.slice(prefix.length);
  return candidates;
}

/** Drops a line that repeats the previous non-blank line exactly (and is long enough to be content, not structure). */
function dropRepeated(lines: readonly Line[]): Line[] {
  const kept: Line[] = [];
  let previous: Line | undefined;
  for (const line of lines) {
    // Dropping the last line also drops the break before it (see joinLines): not when that break is protected.
    const lastAfterLockedBreak = line.eol === '' && kept.at(-1)?.lockEol === true;
    const droppable = !line.fenced && !line.touched && !lastAfterLockedBreak && !line.text.endsWith('\\') && line.text.trim().length >= MIN_REPEATED_LENGTH;
    if (droppable && previous && previous.text === line.text) continue;
    kept.push(line);
    if (!isBlank(line)) previous = line;
  }
  return kept;
}

/** Runs of three or more blank lines become one. */
function collapseBlanks(lines: readonly Line[]): Line[] {
  const out: Line[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Line;
    const free = (l: Line): boolean => l.text === '' && !l.fenced && !l.touched;
    if (!free(line)) {
      out.push(line);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && free(lines[j] as Line)) j++;
    if (j - i >= 3) out.push(line);
    else out.push(...lines.slice(i, j));
    i = j;
  }
  return out;
}
