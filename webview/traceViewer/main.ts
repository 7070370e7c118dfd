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
import { count, format, ms, time, usd } from './format';
import { defaultStatsSorts, renderStats, type StatsData, type StatsSorts } from './stats';
import { setStrings, strings } from './strings';
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

// Nothing to show until the host's 'init' brings the strings, just after 'ready'.
root.setAttribute('aria-busy', 'true');
host.post({ type: 'ready' });

let initialised = false;
/** A span to select once its trace arrives. */
let pendingReveal: { traceId: string; index: number | undefined } | undefined;

function onMessage(m: TraceViewerToWebview): void {
  if (m.type === 'init') {
    setStrings(m.strings);
    if (!initialised) {
      initialised = true;
      (root as HTMLElement).removeAttribute('aria-busy');
      replaceChildren(root as HTMLElement, el('p', { class: 'muted', id: 'progress' }, strings.reading));
    }
    return;
  }
  if (!initialised) return; // the host sends 'init' first: anything earlier could not be shown
  switch (m.type) {
    case 'progress': {
      const progress = document.getElementById('progress');
      if (progress) replaceChildren(progress, format(strings.readingProgress, m.bytesTotal > 0 ? Math.floor((m.bytesRead / m.bytesTotal) * 100) : 0, count(Math.round(m.bytesTotal / 1024))));
      break;
    }
    case 'loaded':
      onLoaded(m);
      break;
    case 'trace':
      if (m.traceId !== state.traceId) return; // an answer for a trace the user has left
      Object.assign(state, { traceId: m.traceId, spans: m.spans, critical: m.criticalPath, slowest: m.slowest, mostExpensive: m.mostExpensive, matches: [], matchCursor: -1 });
      showTrace();
      if (pendingReveal?.traceId === m.traceId) {
        if (pendingReveal.index !== undefined && pendingReveal.index < m.spans.length) waterfall.select(pendingReveal.index);
        pendingReveal = undefined;
      }
      break;
    case 'reveal':
      pendingReveal = { traceId: m.traceId, index: m.index };
      openTrace(m.traceId);
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
        if (counter) replaceChildren(counter, format(m.matches.length === 1 ? strings.matchCountOne : strings.matchCountOther, m.matches.length));
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
      {
        const retry = el('button', { type: 'button', id: 'try-again' }, strings.tryAgain);
        retry.addEventListener('click', () => {
          // Reading again: the progress line until the file is read (or fails again).
          replaceChildren(root as HTMLElement, el('p', { class: 'muted', id: 'progress' }, strings.reading));
          host.post({ type: 'reload' });
        });
        replaceChildren(root as HTMLElement, el('div', { class: 'failed' }, el('h2', {}, strings.couldNotRead), el('pre', { class: 'value' }, m.message), retry));
      }
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
  return `${state.file} · ${traceCount(state.traces.length)} · ${spanCount(spans)} · ${errorCount(errors)}${cost > 0 ? ` · ${usd(cost)}` : ''}`;
}

function diagnosticsBlock(): HTMLElement | null {
  if (state.diagnostics.length === 0) return null;
  const shown = state.diagnostics.slice(0, 200);
  return el(
    'details',
    { class: 'diagnostics' },
    el('summary', {}, plural(state.diagnostics.length, strings.problemsOne, strings.problemsOther)),
    el('ul', {}, ...shown.map((d) => el('li', { class: `sev-${d.severity}` }, `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`))),
  );
}

function button(label: string, id: string, onClick: () => void, options: { disabled?: boolean; secondary?: boolean } = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', id, ...(options.secondary === false ? {} : { class: 'secondary' }), ...(options.disabled ? { disabled: '' } : {}) }, label);
  b.addEventListener('click', () => onClick()); // not onClick itself: it would get the event as its first argument
  return b;
}

const tokenTotal = (t: TraceListItem): number => t.tokens.input + t.tokens.output;

/** A function, not a constant: the labels are the host's strings, which arrive after this module loads. */
const listColumns = (): Column<TraceListItem>[] => [
  { key: 'pick', label: strings.compare, cell: (t) => pickBox(t) },
  { key: 'start', label: strings.start, value: (t) => t.startMs, cell: (t) => time(t.startMs) },
  { key: 'root', label: strings.rootSpan, value: (t) => t.rootName, cell: (t) => t.rootName },
  { key: 'service', label: strings.services, value: (t) => t.services.join(','), cell: (t) => t.services.join(', ') },
  { key: 'duration', label: strings.duration, value: (t) => t.durationMs, cell: (t) => ms(t.durationMs), numeric: true },
  { key: 'spans', label: strings.spans, value: (t) => t.spanCount, cell: (t) => count(t.spanCount), numeric: true },
  { key: 'errors', label: strings.errors, value: (t) => t.errorCount, cell: (t) => (t.errorCount ? count(t.errorCount) : ''), cellClass: (t) => (t.errorCount ? 'has-errors' : ''), numeric: true },
  { key: 'tokens', label: strings.tokens, value: tokenTotal, cell: (t) => (tokenTotal(t) ? count(tokenTotal(t)) : ''), numeric: true },
  { key: 'cost', label: strings.cost, value: (t) => t.costUsd ?? -1, cell: (t) => (t.costUsd === null ? '' : usd(t.costUsd)), numeric: true },
];

/** The row's "pick for comparison" checkbox. Its clicks stay its own: a click on the row opens the trace. */
function pickBox(t: TraceListItem): HTMLInputElement {
  const box = el('input', { type: 'checkbox', class: 'pick', 'data-pick': t.traceId, 'aria-label': format(strings.pickForComparison, t.rootName, time(t.startMs)) });
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
  if (note) replaceChildren(note, !a ? strings.pickTwo : !b ? format(strings.pickedA, pickedName(a)) : format(strings.pickedAB, pickedName(a), pickedName(b)));
}

function showList(focusId?: string): void {
  enterView('list');
  const table = sortableTable({
    label: strings.traces,
    className: 'trace-list',
    columns: listColumns(),
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
    button(strings.statistics, 'show-stats', showStats),
    button(strings.compare, 'compare', () => {
      const [a, b] = state.picked;
      if (a && b) compare(a, b);
    }),
    el('span', { class: 'muted', id: 'pick-note', 'aria-live': 'polite' }),
  );
  replaceChildren(root as HTMLElement, el('h1', {}, strings.traces), el('p', { class: 'muted summary' }, summaryText()), diagnosticsBlock(), actions, table);
  updateCompareBar();
  (focusId ? document.getElementById(focusId) : table.querySelector<HTMLElement>('tbody tr'))?.focus();
}

/** A view's title bar: back to the list (focus returns to the control that left it), a title and a note. */
function viewHeader(title: string, note: string, returnFocusId: string, ...extra: HTMLElement[]): HTMLElement {
  const back = button(format(strings.allTraces, state.traces.length), 'back', () => showList(returnFocusId));
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
    viewHeader(strings.statistics, summaryText(), 'show-stats'),
    content?.element ?? el('p', { class: 'muted', id: 'stats-progress' }, strings.computingStatistics),
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
  const swap = button(strings.swap, 'swap', () => {
    state.picked = [c.b, c.a];
    compare(c.b, c.a, 'swap');
  });
  const body =
    c.diff === undefined
      ? el('p', { class: 'muted', id: 'compare-progress' }, strings.comparing)
      : c.diff === null
        ? el('p', { class: 'muted' }, strings.traceGone)
        : renderComparison(c.diff, find(c.a), find(c.b), state.compareSorts);
  replaceChildren(root as HTMLElement, viewHeader(strings.compareTraces, format(strings.pickedAB, pickedName(c.a), pickedName(c.b)), 'compare', swap), body);
  focusById(focusId);
}

function showTrace(): void {
  const trace = state.traces.find((t) => t.traceId === state.traceId);
  const back = button(format(strings.allTraces, state.traces.length), 'back', () => showList());
  const search = el('input', { type: 'search', id: 'search', placeholder: strings.searchPlaceholder, 'aria-label': strings.searchLabel });
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
  const criticalNote = state.critical.ok ? format(strings.criticalPathSpans, state.critical.spans.length) : format(strings.criticalPathUnavailable, state.critical.reason);

  replaceChildren(
    root as HTMLElement,
    el('div', { class: 'toolbar' }, back, el('h1', { class: 'trace-title' }, trace?.rootName ?? state.traceId ?? ''), el('span', { class: 'muted' }, trace ? `${ms(trace.durationMs)} · ${spanCount(trace.spanCount)} · ${errorCount(trace.errorCount)}${trace.costUsd !== null ? ` · ${usd(trace.costUsd)}` : ''}` : '')),
    el(
      'div',
      { class: 'toolbar' },
      search,
      el('span', { class: 'muted', id: 'match-count' }),
      el('label', {}, errorsOnly, ` ${strings.errorsOnly}`),
      button(strings.previousError, 'prev-error', () => waterfall.nextError(-1), { disabled: !hasErrors }),
      button(strings.nextError, 'next-error', () => waterfall.nextError(1), { disabled: !hasErrors }),
      button(strings.slowest, 'slowest', () => state.slowest !== undefined && waterfall.select(state.slowest), { disabled: state.slowest === undefined }),
      button(strings.mostExpensive, 'most-expensive', () => state.mostExpensive !== undefined && waterfall.select(state.mostExpensive), { disabled: state.mostExpensive === undefined }),
      el('label', { title: criticalNote }, criticalToggle, ` ${format(strings.criticalPath, criticalNote)}`),
    ),
    el('div', { class: 'trace-body' }, waterfall.element, detailPane),
  );
  replaceChildren(detailPane, el('p', { class: 'muted' }, strings.selectSpanHint));
  waterfall.setTrace(state.spans, state.critical);
  const first = state.spans.findIndex((s) => s.parent < 0);
  if (first >= 0) waterfall.select(first);
  waterfall.focus();
}

/** A count in its singular or plural string, e.g. "1 trace", "1,024 traces". */
function plural(n: number, one: string, other: string): string {
  return format(n === 1 ? one : other, count(n));
}
const traceCount = (n: number): string => plural(n, strings.traceCountOne, strings.traceCountOther);
const spanCount = (n: number): string => plural(n, strings.spanCountOne, strings.spanCountOther);
const errorCount = (n: number): string => plural(n, strings.errorCountOne, strings.errorCountOther);
