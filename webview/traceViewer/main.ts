import {
  isTraceViewerToWebview,
  type CriticalPathWire,
  type SpanRow,
  type TraceListItem,
  type TraceViewerFromWebview,
  type TraceViewerToWebview,
  type WireDiagnostic,
  type WireTraceDiff,
} from '../../src/shared/traceViewerProtocol';
import { el, replaceChildren } from '../common/dom';
import { connectToHost } from '../common/host';
import { defaultCompareSorts, renderComparison, type CompareSorts } from './compare';
import { renderDetail } from './detail';
import { count, ms, time, usd } from './format';
import { defaultStatsSorts, renderStats, type StatsData, type StatsSorts } from './stats';
import { sortableTable, type Column, type SortState } from './table';
import { Waterfall } from './waterfall';

const root = document.getElementById('root');
if (!root) throw new Error('webview shell has no #root');

type View = 'list' | 'trace' | 'stats' | 'compare';

interface State {
  view: View;
  file: string;
  traces: TraceListItem[];
  diagnostics: WireDiagnostic[];
  listSort: SortState;
  /** Traces picked for comparison, in the order picked: the first is A (the baseline), the second B. */
  picked: string[];
  traceId?: string;
  spans: SpanRow[];
  critical: CriticalPathWire;
  slowest?: number;
  mostExpensive?: number;
  matches: number[];
  matchCursor: number;
  /** Statistics of the loaded file; dropped when the file reloads. */
  stats?: StatsData;
  statsSorts: StatsSorts;
  /** diff: undefined while the host computes it, null when a trace is gone from the file. */
  comparison?: { a: string; b: string; diff?: WireTraceDiff | null };
  compareSorts: CompareSorts;
}

const state: State = {
  view: 'list',
  file: '',
  traces: [],
  diagnostics: [],
  listSort: { key: 'start', descending: false },
  picked: [],
  spans: [],
  critical: { ok: false, reason: '' },
  matches: [],
  matchCursor: -1,
  statsSorts: defaultStatsSorts(),
  compareSorts: defaultCompareSorts(),
};

const host = connectToHost<TraceViewerFromWebview, TraceViewerToWebview>(isTraceViewerToWebview, onMessage);
const detailPane = el('div', { class: 'detail', id: 'span-detail', 'aria-live': 'polite' });
const waterfall = new Waterfall((index) => {
  if (state.traceId) host.post({ type: 'selectSpan', traceId: state.traceId, index });
});

/** What leaving the current view must release (the chart of the Statistics view). */
let leaveView: (() => void) | undefined;

function enterView(view: View, onLeave?: () => void): void {
  leaveView?.();
  leaveView = onLeave;
  state.view = view;
  if (view !== 'trace') state.traceId = undefined;
}

replaceChildren(root, el('p', { class: 'muted', id: 'progress' }, 'Reading…'));
host.post({ type: 'ready' });

function onMessage(m: TraceViewerToWebview): void {
  switch (m.type) {
    case 'progress': {
      const progress = document.getElementById('progress');
      if (progress) replaceChildren(progress, `Reading… ${m.bytesTotal > 0 ? Math.floor((m.bytesRead / m.bytesTotal) * 100) : 0}% of ${count(Math.round(m.bytesTotal / 1024))} KB`);
      break;
    }
    case 'loaded':
      onLoaded(m);
      break;
    case 'trace':
      if (m.traceId !== state.traceId) return; // an answer for a trace the user has left
      Object.assign(state, { traceId: m.traceId, spans: m.spans, critical: m.criticalPath, slowest: m.slowest, mostExpensive: m.mostExpensive, matches: [], matchCursor: -1 });
      showTrace();
      break;
    case 'spanDetail':
      if (m.detail.traceId === state.traceId && m.detail.index === waterfall.selected) {
        renderDetail(detailPane, m.detail, {
          goToCode: (file, line) => host.post({ type: 'goToCode', file, line }),
          revealSource: (file, line) => host.post({ type: 'revealSource', file, line }),
          selectSpan: (index) => waterfall.select(index),
        });
      }
      break;
    case 'searchResult':
      if (m.traceId === state.traceId) {
        state.matches = m.matches;
        state.matchCursor = -1;
        waterfall.setMatches(m.matches);
        const counter = document.getElementById('match-count');
        if (counter) replaceChildren(counter, `${m.matches.length} match${m.matches.length === 1 ? '' : 'es'}`);
      }
      break;
    case 'stats':
      state.stats = { operations: m.operations, models: m.models };
      if (state.view === 'stats') showStats(focusedId());
      break;
    case 'comparison':
      if (state.comparison?.a === m.a && state.comparison.b === m.b) {
        state.comparison.diff = m.diff;
        if (state.view === 'compare') showCompare(focusedId());
      }
      break;
    case 'failed':
      enterView('list');
      replaceChildren(root as HTMLElement, el('div', { class: 'failed' }, el('h2', {}, 'Could not read this file'), el('pre', { class: 'value' }, m.message)));
      break;
  }
}

/** A (re)load of the file: stay in the view the user is in when it still makes sense. */
function onLoaded(m: Extract<TraceViewerToWebview, { type: 'loaded' }>): void {
  Object.assign(state, { file: m.file, traces: m.traces, diagnostics: m.diagnostics, stats: undefined });
  const ids = new Set(m.traces.map((t) => t.traceId));
  state.picked = state.picked.filter((id) => ids.has(id));
  const c = state.comparison;
  if (state.view === 'stats') showStats(focusedId());
  else if (state.view === 'compare' && c && ids.has(c.a) && ids.has(c.b)) compare(c.a, c.b, focusedId());
  else if (state.view === 'trace' && state.traceId && ids.has(state.traceId)) host.post({ type: 'openTrace', traceId: state.traceId });
  else if (m.traces.length === 1 && m.traces[0]) openTrace(m.traces[0].traceId);
  else showList();
}

function openTrace(traceId: string): void {
  enterView('trace');
  state.traceId = traceId;
  state.spans = [];
  host.post({ type: 'openTrace', traceId });
}

function summaryText(): string {
  const spans = state.traces.reduce((n, t) => n + t.spanCount, 0);
  const errors = state.traces.reduce((n, t) => n + t.errorCount, 0);
  const cost = state.traces.reduce((n, t) => n + (t.costUsd ?? 0), 0);
  return `${state.file} · ${plural(state.traces.length, 'trace')} · ${plural(spans, 'span')} · ${plural(errors, 'error')}${cost > 0 ? ` · ${usd(cost)}` : ''}`;
}

function diagnosticsBlock(): HTMLElement | null {
  if (state.diagnostics.length === 0) return null;
  const shown = state.diagnostics.slice(0, 200);
  return el(
    'details',
    { class: 'diagnostics' },
    el('summary', {}, `${count(state.diagnostics.length)} problem${state.diagnostics.length === 1 ? '' : 's'} while reading (everything else loaded)`),
    el('ul', {}, ...shown.map((d) => el('li', { class: `sev-${d.severity}` }, `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`))),
  );
}

function button(label: string, id: string, onClick: () => void, options: { disabled?: boolean; secondary?: boolean } = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', id, ...(options.secondary === false ? {} : { class: 'secondary' }), ...(options.disabled ? { disabled: '' } : {}) }, label);
  b.addEventListener('click', () => onClick()); // not onClick itself: it would get the event as its first argument
  return b;
}

const tokenTotal = (t: TraceListItem): number => t.tokens.input + t.tokens.output;

const listColumns: Column<TraceListItem>[] = [
  { key: 'pick', label: 'Compare', cell: (t) => pickBox(t) },
  { key: 'start', label: 'Start', value: (t) => t.startMs, cell: (t) => time(t.startMs) },
  { key: 'root', label: 'Root span', value: (t) => t.rootName, cell: (t) => t.rootName },
  { key: 'service', label: 'Services', value: (t) => t.services.join(','), cell: (t) => t.services.join(', ') },
  { key: 'duration', label: 'Duration', value: (t) => t.durationMs, cell: (t) => ms(t.durationMs), numeric: true },
  { key: 'spans', label: 'Spans', value: (t) => t.spanCount, cell: (t) => count(t.spanCount), numeric: true },
  { key: 'errors', label: 'Errors', value: (t) => t.errorCount, cell: (t) => (t.errorCount ? count(t.errorCount) : ''), cellClass: (t) => (t.errorCount ? 'has-errors' : ''), numeric: true },
  { key: 'tokens', label: 'Tokens', value: tokenTotal, cell: (t) => (tokenTotal(t) ? count(tokenTotal(t)) : ''), numeric: true },
  { key: 'cost', label: 'Cost', value: (t) => t.costUsd ?? -1, cell: (t) => (t.costUsd === null ? '' : usd(t.costUsd)), numeric: true },
];

/** The row's "pick for comparison" checkbox. Its clicks stay its own: a click on the row opens the trace. */
function pickBox(t: TraceListItem): HTMLInputElement {
  const box = el('input', { type: 'checkbox', class: 'pick', 'data-pick': t.traceId, 'aria-label': `Pick ${t.rootName} at ${time(t.startMs)} for comparison` });
  box.checked = state.picked.includes(t.traceId);
  box.addEventListener('click', (e) => e.stopPropagation());
  box.addEventListener('change', () => setPicked(t.traceId, box.checked));
  return box;
}

/** Two picks at most: a third replaces the oldest, so picking is never refused. */
function setPicked(traceId: string, on: boolean): void {
  state.picked = state.picked.filter((id) => id !== traceId);
  if (on) state.picked.push(traceId);
  while (state.picked.length > 2) {
    const dropped = state.picked.shift();
    const box = document.querySelector<HTMLInputElement>(`input.pick[data-pick="${dropped ?? ''}"]`);
    if (box) box.checked = false;
  }
  updateCompareBar();
}

function pickedName(id: string | undefined): string {
  const t = state.traces.find((x) => x.traceId === id);
  return t ? `${t.rootName} (${time(t.startMs)})` : '';
}

function updateCompareBar(): void {
  const compareButton = document.getElementById('compare') as HTMLButtonElement | null;
  const note = document.getElementById('pick-note');
  const [a, b] = state.picked;
  if (compareButton) compareButton.disabled = !(a && b);
  if (note) replaceChildren(note, !a ? 'Pick two traces to compare them (Space on a row, or its checkbox).' : !b ? `A: ${pickedName(a)}; pick one more.` : `A: ${pickedName(a)} · B: ${pickedName(b)}`);
}

function showList(focusId?: string): void {
  enterView('list');
  const table = sortableTable({
    label: 'Traces',
    className: 'trace-list',
    columns: listColumns,
    rows: state.traces,
    sort: state.listSort,
    onActivate: (t) => openTrace(t.traceId),
    decorate: (tr, t) => {
      tr.dataset.trace = t.traceId;
      if (t.errorCount > 0) tr.classList.add('has-error');
      tr.addEventListener('keydown', (e) => {
        if (e.key !== ' ' || e.target !== tr) return;
        e.preventDefault(); // not a page scroll
        const box = tr.querySelector<HTMLInputElement>('input.pick');
        if (!box) return;
        box.checked = !box.checked;
        setPicked(t.traceId, box.checked);
      });
    },
  });
  const actions = el(
    'div',
    { class: 'toolbar' },
    button('Statistics', 'show-stats', showStats),
    button('Compare', 'compare', () => {
      const [a, b] = state.picked;
      if (a && b) compare(a, b);
    }),
    el('span', { class: 'muted', id: 'pick-note', 'aria-live': 'polite' }),
  );
  replaceChildren(root as HTMLElement, el('h1', {}, 'Traces'), el('p', { class: 'muted summary' }, summaryText()), diagnosticsBlock(), actions, table);
  updateCompareBar();
  (focusId ? document.getElementById(focusId) : table.querySelector<HTMLElement>('tbody tr'))?.focus();
}

/** A view's title bar: back to the list (focus returns to the control that left it), a title and a note. */
function viewHeader(title: string, note: string, returnFocusId: string, ...extra: HTMLElement[]): HTMLElement {
  const back = button(`← All traces (${state.traces.length})`, 'back', () => showList(returnFocusId));
  return el('div', { class: 'toolbar' }, back, el('h1', { class: 'trace-title' }, title), el('span', { class: 'muted' }, note), ...extra);
}

/** The id of the focused control, so that its replacement gets the focus after a view re-renders. */
function focusedId(): string | undefined {
  return document.activeElement instanceof HTMLElement && document.activeElement.id ? document.activeElement.id : undefined;
}

/** Focus the control with this id, else the view's Back button. */
function focusById(id: string | undefined): void {
  ((id ? document.getElementById(id) : null) ?? document.getElementById('back'))?.focus();
}

function showStats(focusId: string | undefined = 'back'): void {
  const data = state.stats;
  const content = data ? renderStats(data, state.statsSorts) : undefined;
  enterView('stats', content?.dispose);
  replaceChildren(
    root as HTMLElement,
    viewHeader('Statistics', summaryText(), 'show-stats'),
    content?.element ?? el('p', { class: 'muted', id: 'stats-progress' }, 'Computing statistics…'),
  );
  if (!data) host.post({ type: 'requestStats' });
  focusById(focusId);
}

function compare(a: string, b: string, focusId: string | undefined = 'back'): void {
  state.comparison = { a, b };
  host.post({ type: 'compare', a, b });
  showCompare(focusId);
}

function showCompare(focusId: string | undefined): void {
  const c = state.comparison;
  if (!c) return showList();
  enterView('compare');
  const find = (id: string) => state.traces.find((t) => t.traceId === id);
  const swap = button('Swap A and B', 'swap', () => {
    state.picked = [c.b, c.a];
    compare(c.b, c.a, 'swap');
  });
  const body =
    c.diff === undefined
      ? el('p', { class: 'muted', id: 'compare-progress' }, 'Comparing…')
      : c.diff === null
        ? el('p', { class: 'muted' }, 'One of the two traces is no longer in the file.')
        : renderComparison(c.diff, find(c.a), find(c.b), state.compareSorts);
  replaceChildren(root as HTMLElement, viewHeader('Compare traces', `A: ${pickedName(c.a)} · B: ${pickedName(c.b)}`, 'compare', swap), body);
  focusById(focusId);
}

function showTrace(): void {
  const trace = state.traces.find((t) => t.traceId === state.traceId);
  const back = button(`← All traces (${state.traces.length})`, 'back', () => showList());
  const search = el('input', { type: 'search', id: 'search', placeholder: 'Search name, attribute key or value', 'aria-label': 'Search spans' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const errorsOnly = el('input', { type: 'checkbox', id: 'errors-only' });
  const runSearch = () => {
    if (!state.traceId) return;
    const text = search.value.trim();
    if (!text && !errorsOnly.checked) {
      waterfall.setMatches([]);
      const counter = document.getElementById('match-count');
      if (counter) replaceChildren(counter, '');
      return;
    }
    host.post({ type: 'search', traceId: state.traceId, query: { ...(text ? { text } : {}), ...(errorsOnly.checked ? { errorsOnly: true } : {}) } });
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 150);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && state.matches.length > 0) {
      state.matchCursor = (state.matchCursor + (e.shiftKey ? state.matches.length - 1 : 1)) % state.matches.length;
      const target = state.matches[state.matchCursor];
      if (target !== undefined) waterfall.select(target);
    }
  });
  errorsOnly.addEventListener('change', runSearch);
  const hasErrors = state.spans.some((s) => s.status === 'error');
  const criticalToggle = el('input', { type: 'checkbox', id: 'critical-path', ...(state.critical.ok ? {} : { disabled: '' }) });
  criticalToggle.addEventListener('change', () => waterfall.setCriticalVisible(criticalToggle.checked, state.critical));
  const criticalNote = state.critical.ok ? `${state.critical.spans.length} spans` : `not available: ${state.critical.reason}`;

  replaceChildren(
    root as HTMLElement,
    el('div', { class: 'toolbar' }, back, el('h1', { class: 'trace-title' }, trace?.rootName ?? state.traceId ?? ''), el('span', { class: 'muted' }, trace ? `${ms(trace.durationMs)} · ${plural(trace.spanCount, 'span')} · ${plural(trace.errorCount, 'error')}${trace.costUsd !== null ? ` · ${usd(trace.costUsd)}` : ''}` : '')),
    el(
      'div',
      { class: 'toolbar' },
      search,
      el('span', { class: 'muted', id: 'match-count' }),
      el('label', {}, errorsOnly, ' Errors only'),
      button('◀ Error', 'prev-error', () => waterfall.nextError(-1), { disabled: !hasErrors }),
      button('Error ▶', 'next-error', () => waterfall.nextError(1), { disabled: !hasErrors }),
      button('Slowest', 'slowest', () => state.slowest !== undefined && waterfall.select(state.slowest), { disabled: state.slowest === undefined }),
      button('Most expensive LLM call', 'most-expensive', () => state.mostExpensive !== undefined && waterfall.select(state.mostExpensive), { disabled: state.mostExpensive === undefined }),
      el('label', { title: criticalNote }, criticalToggle, ` Critical path (${criticalNote})`),
    ),
    el('div', { class: 'trace-body' }, waterfall.element, detailPane),
  );
  replaceChildren(detailPane, el('p', { class: 'muted' }, 'Select a span to see its details. Keys: ↑ ↓ move, ← → collapse/expand, n / N next/previous error.'));
  waterfall.setTrace(state.spans, state.critical);
  const first = state.spans.findIndex((s) => s.parent < 0);
  if (first >= 0) waterfall.select(first);
  waterfall.focus();
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}
