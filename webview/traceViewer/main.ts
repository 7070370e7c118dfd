import {
  isTraceViewerToWebview,
  type CriticalPathWire,
  type SpanRow,
  type TraceListItem,
  type TraceViewerFromWebview,
  type TraceViewerToWebview,
  type WireDiagnostic,
} from '../../src/shared/traceViewerProtocol';
import { el, replaceChildren } from '../common/dom';
import { connectToHost } from '../common/host';
import { renderDetail } from './detail';
import { count, ms, time, usd } from './format';
import { Waterfall } from './waterfall';

const root = document.getElementById('root');
if (!root) throw new Error('webview shell has no #root');

type SortKey = 'start' | 'duration' | 'spans' | 'errors' | 'tokens' | 'cost' | 'root' | 'service';
const columns: { key: SortKey; label: string; value: (t: TraceListItem) => number | string; text: (t: TraceListItem) => string; numeric?: boolean }[] = [
  { key: 'start', label: 'Start', value: (t) => t.startMs, text: (t) => time(t.startMs) },
  { key: 'root', label: 'Root span', value: (t) => t.rootName, text: (t) => t.rootName },
  { key: 'service', label: 'Services', value: (t) => t.services.join(','), text: (t) => t.services.join(', ') },
  { key: 'duration', label: 'Duration', value: (t) => t.durationMs, text: (t) => ms(t.durationMs), numeric: true },
  { key: 'spans', label: 'Spans', value: (t) => t.spanCount, text: (t) => count(t.spanCount), numeric: true },
  { key: 'errors', label: 'Errors', value: (t) => t.errorCount, text: (t) => (t.errorCount ? count(t.errorCount) : ''), numeric: true },
  { key: 'tokens', label: 'Tokens', value: (t) => t.tokens.input + t.tokens.output, text: (t) => (t.tokens.input + t.tokens.output ? count(t.tokens.input + t.tokens.output) : ''), numeric: true },
  { key: 'cost', label: 'Cost', value: (t) => t.costUsd ?? -1, text: (t) => (t.costUsd === null ? '' : usd(t.costUsd)), numeric: true },
];

interface State {
  file: string;
  traces: TraceListItem[];
  diagnostics: WireDiagnostic[];
  sort: { key: SortKey; descending: boolean };
  traceId?: string;
  spans: SpanRow[];
  critical: CriticalPathWire;
  slowest?: number;
  mostExpensive?: number;
  matches: number[];
  matchCursor: number;
}

const state: State = { file: '', traces: [], diagnostics: [], sort: { key: 'start', descending: false }, spans: [], critical: { ok: false, reason: '' }, matches: [], matchCursor: -1 };

const host = connectToHost<TraceViewerFromWebview, TraceViewerToWebview>(isTraceViewerToWebview, onMessage);
const detailPane = el('div', { class: 'detail', id: 'span-detail', 'aria-live': 'polite' });
const waterfall = new Waterfall((index) => {
  if (state.traceId) host.post({ type: 'selectSpan', traceId: state.traceId, index });
});

replaceChildren(root, el('p', { class: 'muted', id: 'progress' }, 'Reading…'));
host.post({ type: 'ready' });

function onMessage(m: TraceViewerToWebview): void {
  switch (m.type) {
    case 'progress': {
      const progress = document.getElementById('progress');
      if (progress) replaceChildren(progress, `Reading… ${m.bytesTotal > 0 ? Math.floor((m.bytesRead / m.bytesTotal) * 100) : 0}% of ${count(Math.round(m.bytesTotal / 1024))} KB`);
      break;
    }
    case 'loaded': {
      Object.assign(state, { file: m.file, traces: m.traces, diagnostics: m.diagnostics });
      const reopen = state.traceId && m.traces.some((t) => t.traceId === state.traceId) ? state.traceId : undefined;
      if (reopen) host.post({ type: 'openTrace', traceId: reopen });
      else if (m.traces.length === 1 && m.traces[0]) openTrace(m.traces[0].traceId);
      else showList();
      break;
    }
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
    case 'failed':
      replaceChildren(root as HTMLElement, el('div', { class: 'failed' }, el('h2', {}, 'Could not read this file'), el('pre', { class: 'value' }, m.message)));
      break;
  }
}

function openTrace(traceId: string): void {
  state.traceId = traceId;
  state.spans = [];
  host.post({ type: 'openTrace', traceId });
}

function summaryLine(): HTMLElement {
  const spans = state.traces.reduce((n, t) => n + t.spanCount, 0);
  const errors = state.traces.reduce((n, t) => n + t.errorCount, 0);
  const cost = state.traces.reduce((n, t) => n + (t.costUsd ?? 0), 0);
  return el('p', { class: 'muted summary' }, `${state.file} · ${count(state.traces.length)} traces · ${count(spans)} spans · ${count(errors)} errors${cost > 0 ? ` · ${usd(cost)}` : ''}`);
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

function showList(): void {
  state.traceId = undefined;
  const sorted = [...state.traces].sort((a, b) => {
    const col = columns.find((c) => c.key === state.sort.key) ?? columns[0];
    if (!col) return 0;
    const va = col.value(a);
    const vb = col.value(b);
    const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return state.sort.descending ? -cmp : cmp;
  });
  const head = el(
    'tr',
    {},
    ...columns.map((c) => {
      const active = c.key === state.sort.key;
      const button = el('button', { type: 'button', class: 'sort' }, `${c.label}${active ? (state.sort.descending ? ' ▼' : ' ▲') : ''}`);
      button.addEventListener('click', () => {
        state.sort = { key: c.key, descending: active ? !state.sort.descending : !!c.numeric };
        showList();
      });
      return el('th', { scope: 'col', 'aria-sort': active ? (state.sort.descending ? 'descending' : 'ascending') : 'none', ...(c.numeric ? { class: 'num' } : {}) }, button);
    }),
  );
  const body = el(
    'tbody',
    {},
    ...sorted.map((t) => {
      const row = el('tr', { tabindex: '0', class: t.errorCount > 0 ? 'has-error' : '', 'data-trace': t.traceId }, ...columns.map((c) => el('td', c.numeric ? { class: 'num' } : {}, c.text(t))));
      row.addEventListener('click', () => openTrace(t.traceId));
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') openTrace(t.traceId);
        if (e.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
        if (e.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
      });
      return row;
    }),
  );
  replaceChildren(root as HTMLElement, el('h1', {}, 'Traces'), summaryLine(), diagnosticsBlock(), el('table', { class: 'trace-list', 'aria-label': 'Traces' }, el('thead', {}, head), body));
  (body.querySelector('tr') as HTMLElement | null)?.focus();
}

function showTrace(): void {
  const trace = state.traces.find((t) => t.traceId === state.traceId);
  const back = el('button', { type: 'button', class: 'secondary', id: 'back' }, `← All traces (${state.traces.length})`);
  back.addEventListener('click', showList);
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
  const button = (label: string, id: string, onClick: () => void, disabled = false) => {
    const b = el('button', { type: 'button', class: 'secondary', id, ...(disabled ? { disabled: '' } : {}) }, label);
    b.addEventListener('click', onClick);
    return b;
  };
  const hasErrors = state.spans.some((s) => s.status === 'error');
  const criticalToggle = el('input', { type: 'checkbox', id: 'critical-path', ...(state.critical.ok ? {} : { disabled: '' }) });
  criticalToggle.addEventListener('change', () => waterfall.setCriticalVisible(criticalToggle.checked, state.critical));
  const criticalNote = state.critical.ok ? `${state.critical.spans.length} spans` : `not available: ${state.critical.reason}`;

  replaceChildren(
    root as HTMLElement,
    el('div', { class: 'toolbar' }, back, el('h1', { class: 'trace-title' }, trace?.rootName ?? state.traceId ?? ''), el('span', { class: 'muted' }, trace ? `${ms(trace.durationMs)} · ${count(trace.spanCount)} spans · ${count(trace.errorCount)} errors${trace.costUsd !== null ? ` · ${usd(trace.costUsd)}` : ''}` : '')),
    el(
      'div',
      { class: 'toolbar' },
      search,
      el('span', { class: 'muted', id: 'match-count' }),
      el('label', {}, errorsOnly, ' Errors only'),
      button('◀ Error', 'prev-error', () => waterfall.nextError(-1), !hasErrors),
      button('Error ▶', 'next-error', () => waterfall.nextError(1), !hasErrors),
      button('Slowest', 'slowest', () => state.slowest !== undefined && waterfall.select(state.slowest), state.slowest === undefined),
      button('Most expensive LLM call', 'most-expensive', () => state.mostExpensive !== undefined && waterfall.select(state.mostExpensive), state.mostExpensive === undefined),
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
