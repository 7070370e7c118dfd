import type { TraceListItem, WireSpanDiff, WireTraceDiff, WireUnmatchedSpan } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { count, format, ms, percent, signed, time, usd } from './format';
import { strings } from './strings';
import { sortableTable, type Column, type SortState } from './table';

/** A comparison of 100,000-span traces would be as many rows: the largest changes are what matter. */
const rowLimit = 500;

export interface CompareSorts {
  matched: SortState;
}

/** The wire's order: largest absolute duration change first. */
export const defaultCompareSorts = (): CompareSorts => ({ matched: { key: null, descending: true } });

/** Positive changes (slower, more tokens, dearer) are the ones to look at: coloured as worse. */
const deltaClass = (delta: number | null): string => (delta === null || delta === 0 ? '' : delta > 0 ? 'delta-worse' : 'delta-better');
const tokens = (t: TraceListItem): number => t.tokens.input + t.tokens.output;

/** A path with its ancestors muted, so the span itself stands out in a long chain. */
function pathCell(path: string): HTMLElement {
  const cut = path.lastIndexOf(' › ');
  return cut < 0
    ? el('span', { class: 'path-leaf' }, path)
    : el('span', {}, el('span', { class: 'muted' }, path.slice(0, cut + 3)), el('span', { class: 'path-leaf' }, path.slice(cut + 3)));
}

/** Functions, not constants: the labels are the host's strings, which arrive after this module loads. */
const matchedColumns = (): Column<WireSpanDiff>[] => [
  { key: 'path', label: strings.spanPath, value: (m) => m.path, cell: (m) => pathCell(m.path) },
  { key: 'durationA', label: 'A', title: strings.durationInA, value: (m) => m.a.durationMs, cell: (m) => ms(m.a.durationMs), numeric: true },
  { key: 'durationB', label: 'B', title: strings.durationInB, value: (m) => m.b.durationMs, cell: (m) => ms(m.b.durationMs), numeric: true },
  {
    key: 'durationDelta',
    label: strings.durationDelta,
    value: (m) => m.durationDeltaMs,
    cell: (m) => signed(m.durationDeltaMs, ms),
    cellClass: (m) => deltaClass(m.durationDeltaMs),
    numeric: true,
  },
  {
    key: 'durationChange',
    label: strings.durationChange,
    title: strings.durationChangeTitle,
    value: (m) => (m.a.durationMs > 0 ? m.durationDeltaMs / m.a.durationMs : 0),
    cell: (m) => (m.a.durationMs > 0 ? signed(m.durationDeltaMs / m.a.durationMs, percent) : ''),
    cellClass: (m) => deltaClass(m.durationDeltaMs),
    numeric: true,
  },
  {
    key: 'tokensDelta',
    label: strings.tokensDelta,
    title: strings.tokensDeltaTitle,
    value: (m) => m.tokensDelta,
    cell: (m) => (m.a.tokens || m.b.tokens ? signed(m.tokensDelta, count) : ''),
    cellClass: (m) => deltaClass(m.tokensDelta),
    numeric: true,
  },
  {
    key: 'costDelta',
    label: strings.costDelta,
    title: strings.costDeltaTitle,
    value: (m) => m.costDeltaUsd ?? 0,
    cell: (m) => (m.costDeltaUsd === null ? '' : signed(m.costDeltaUsd, usd)),
    cellClass: (m) => deltaClass(m.costDeltaUsd),
    numeric: true,
  },
];

const unmatchedColumns = (): Column<WireUnmatchedSpan>[] => [
  { key: 'path', label: strings.spanPath, value: (u) => u.path, cell: (u) => pathCell(u.path), cellClass: (u) => (u.error ? 'has-errors' : '') },
  { key: 'duration', label: strings.duration, value: (u) => u.durationMs, cell: (u) => ms(u.durationMs), numeric: true },
];

/** A, B and B − A of the two traces' totals. */
function totals(diff: WireTraceDiff, a: TraceListItem | undefined, b: TraceListItem | undefined): HTMLElement {
  const side = (name: string, t: TraceListItem | undefined) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, name),
      el('td', {}, t ? t.rootName : ''),
      el('td', {}, t ? time(t.startMs) : ''),
      el('td', { class: 'num' }, t ? ms(t.durationMs) : ''),
      el('td', { class: 'num' }, t ? count(t.spanCount) : ''),
      el('td', { class: 'num' }, t && tokens(t) ? count(tokens(t)) : ''),
      el('td', { class: 'num' }, t ? usd(t.costUsd) : ''),
    );
  const spanDelta = a && b ? b.spanCount - a.spanCount : 0;
  return el(
    'table',
    { class: 'data-table compare-totals', 'aria-label': strings.totalsLabel },
    el(
      'thead',
      {},
      el('tr', {}, el('td', {}), ...[strings.rootSpan, strings.start, strings.duration, strings.spans, strings.tokens, strings.cost].map((h, i) => el('th', { scope: 'col', ...(i >= 2 ? { class: 'num' } : {}) }, h))),
    ),
    el(
      'tbody',
      {},
      side('A', a),
      side('B', b),
      el(
        'tr',
        { class: 'delta-row' },
        el('th', { scope: 'row' }, 'B − A'),
        el('td', {}),
        el('td', {}),
        el('td', { class: `num ${deltaClass(diff.durationDeltaMs)}`, id: 'delta-duration' }, signed(diff.durationDeltaMs, ms)),
        el('td', { class: 'num' }, signed(spanDelta, count)), // more spans is neither better nor worse
        el('td', { class: `num ${deltaClass(diff.tokensDelta)}`, id: 'delta-tokens' }, a && b && (tokens(a) || tokens(b)) ? signed(diff.tokensDelta, count) : ''),
        el('td', { class: `num ${deltaClass(diff.costDeltaUsd)}`, id: 'delta-cost' }, diff.costDeltaUsd === null ? '' : signed(diff.costDeltaUsd, usd)),
      ),
    ),
  );
}

/** The Compare view's content: totals, matched spans (largest change first), then the spans only one side has. */
export function renderComparison(diff: WireTraceDiff, a: TraceListItem | undefined, b: TraceListItem | undefined, sorts: CompareSorts): HTMLElement {
  const unmatched = (side: 'A' | 'B', spans: WireUnmatchedSpan[]) =>
    el(
      'section',
      { class: 'compare-only' },
      el('h2', {}, format(side === 'A' ? strings.onlyInA : strings.onlyInB, count(spans.length))),
      spans.length === 0
        ? el('p', { class: 'muted' }, strings.noneFound)
        : sortableTable({ label: side === 'A' ? strings.spansOnlyInA : strings.spansOnlyInB, className: `compare-only-${side.toLowerCase()}`, columns: unmatchedColumns(), rows: spans, sort: { key: null, descending: false }, limit: rowLimit }),
    );
  return el(
    'div',
    { class: 'compare' },
    totals(diff, a, b),
    el('h2', {}, format(strings.matchedSpansHeading, count(diff.matched.length))),
    el('p', { class: 'muted' }, strings.matchedSpansNote),
    el(
      'div',
      { class: 'table-scroll' },
      sortableTable({ label: strings.matchedSpans, className: 'compare-matched', columns: matchedColumns(), rows: diff.matched, sort: sorts.matched, limit: rowLimit, empty: strings.noMatchedSpans }),
    ),
    unmatched('A', diff.onlyInA),
    unmatched('B', diff.onlyInB),
  );
}
