import * as assert from 'node:assert/strict';
import type { Position, Range } from '../../../../src/core/tokens/types';

/** The 0-based line/character of an offset, computed from the fixture text rather than hard-coded. */
export function pos(src: string, offset: number): Position {
  const before = src.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The range of `needle` in `src` (the first occurrence at or after `after`, itself found first). */
export function rangeOf(src: string, needle: string, after?: string): Range {
  const from = after === undefined ? 0 : src.indexOf(after);
  const i = src.indexOf(needle, Math.max(0, from));
  assert.ok(i >= 0, `fixture lacks ${needle}`);
  return { start: pos(src, i), end: pos(src, i + needle.length) };
}
