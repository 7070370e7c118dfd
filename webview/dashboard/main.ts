import {
  costDimensions,
  isDashboardToWebview,
  timeRanges,
  type CostDimension,
  type DashboardData,
  type DashboardFromWebview,
  type DashboardToWebview,
  type DashboardView,
  type TimeChart,
  type Trend,
} from '../../src/shared/dashboardProtocol';
import { el, replaceChildren } from '../common/dom';
import { connectToHost } from '../common/host';
import { BarChartView, TimeChartView, type SeriesInput } from './charts';
import { bucketLabel, count, duration, format, latency, ms, percent, rate, usd, when } from './format';
import { setStrings, strings } from './strings';

const root = document.getElementById('root');
if (!root) throw new Error('webview shell has no #root');

const host = connectToHost<DashboardFromWebview, DashboardToWebview>(isDashboardToWebview, onMessage);

let view: DashboardView = { range: '1h', latency: { kind: 'all' } };
let data: DashboardData | undefined;
/** What the trend charts plot per day (their tables show every measure). */
type TrendMetric = 'requests' | 'errorRate' | 'p95' | 'tokens' | 'costUsd';
let trendMetric: TrendMetric = 'requests';
let built = false;

interface TimeChartDef {
  id: TimeChart;
  title: () => string;
  format: (v: number) => string;
  series: (d: DashboardData) => SeriesInput[];
  /** Whole numbers only: no axis ticks between them. */
  integer?: boolean;
}

const timeChartDefs: TimeChartDef[] = [
  { id: 'requests', title: () => strings.requestsChart, format: rate, series: (d) => [{ label: strings.requests, data: d.series.requestsPerSecond, colour: 0 }] },
  {
    id: 'tokens',
    title: () => strings.tokensChart,
    format: rate,
    series: (d) => [
      { label: strings.inputTokens, data: d.series.inputTokensPerSecond, colour: 0 },
      { label: strings.outputTokens, data: d.series.outputTokensPerSecond, colour: 1 },
    ],
  },
  {
    id: 'latency',
    title: () => strings.latencyChart,
    format: latency,
    series: (d) => [
      { label: strings.p95, data: d.series.p95, colour: 1 },
      { label: strings.p50, data: d.series.p50, colour: 0 },
      { label: strings.p99, data: d.series.p99, colour: 2 },
    ],
  },
  { id: 'errorRate', title: () => strings.errorRateChart, format: percent, series: (d) => [{ label: strings.errorRateChart, data: d.series.errorRate, colour: 5 }] },
  { id: 'concurrent', title: () => strings.concurrentChart, format: (v) => count(Math.round(v)), integer: true, series: (d) => [{ label: strings.concurrentChart, data: d.series.concurrent, colour: 3 }] },
  { id: 'cost', title: () => strings.costChart, format: usd, series: (d) => [{ label: strings.cost, data: d.series.costUsd, colour: 4 }] },
];

const costTitles: Record<CostDimension, () => string> = {
  user: () => strings.costByUser,
  project: () => strings.costByProject,
  agent: () => strings.costByAgent,
  model: () => strings.costByModel,
};

const timeCharts = new Map<TimeChart, TimeChartView>();
const barCharts = new Map<CostDimension, BarChartView>();
const trendCharts = new Map<number, TimeChartView>();

// Nothing to show until the host's 'init' brings the strings, just after 'ready'.
root.setAttribute('aria-busy', 'true');
host.post({ type: 'ready' });

function onMessage(m: DashboardToWebview): void {
  if (m.type === 'init') {
    setStrings(m.strings);
    view = m.view;
    if (!built) build();
    return;
  }
  if (!built) return; // the host sends 'init' first: anything earlier could not be shown
  switch (m.type) {
    case 'progress':
      setProgress(format(strings.readingProgress, m.bytesTotal > 0 ? Math.floor((m.bytesRead / m.bytesTotal) * 100) : 0, count(Math.round(m.bytesTotal / 1024))));
      break;
    case 'data':
      data = m.data;
      render(m.data);
      break;
    case 'failed':
      setProgress(m.message, true);
      break;
  }
}

function setProgress(text: string, failed = false): void {
  const p = document.getElementById('progress');
  if (!p) return;
  p.className = failed ? 'error' : 'muted';
  replaceChildren(p, text);
}

function button(label: string, id: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', id, class: 'secondary', ...attrs }, label);
  b.addEventListener('click', () => onClick());
  return b;
}

function setView(next: DashboardView): void {
  view = next;
  host.post({ type: 'setView', view });
  updateRangeButtons();
}

/** The page's frame: built once; every update fills it in place (focus and open tables survive live updates). */
function build(): void {
  built = true;
  const page = root as HTMLElement;
  page.removeAttribute('aria-busy');
  const rangeGroup = el('div', { class: 'range', role: 'group', 'aria-label': strings.range });
  for (const r of timeRanges) {
    const b = button(r === 'all' ? strings.rangeAll : r, `range-${r}`, () => setView({ ...view, range: r }), { 'data-range': r, 'aria-pressed': 'false' });
    rangeGroup.append(b);
  }
  const toolbar = el(
    'div',
    { class: 'toolbar' },
    rangeGroup,
    el('span', { class: 'spacer' }),
    button(strings.chooseFiles, 'choose-files', () => host.post({ type: 'chooseFiles' }), { title: strings.chooseFilesTitle }),
    button(strings.collected, 'use-collected', () => host.post({ type: 'useCollected' }), { title: strings.collectedTitle }),
    button(strings.startCollector, 'toggle-collector', () => host.post({ type: 'toggleCollector' })),
  );
  const cards = el('section', { class: 'cards', id: 'cards', 'aria-label': strings.title });
  for (const [key, label] of [
    ['requests', strings.requests],
    ['errors', strings.errors],
    ['p50', strings.p50],
    ['p95', strings.p95],
    ['p99', strings.p99],
    ['tokens', strings.tokens],
    ['cost', strings.cost],
  ] as const) {
    cards.append(el('div', { class: 'card', 'data-card': key }, el('div', { class: 'card-label' }, label), el('div', { class: 'card-value' }, '—'), el('div', { class: 'card-sub muted' }, '')));
  }
  const charts = el('section', { class: 'charts' });
  for (const def of timeChartDefs) charts.append(timeFigure(def));
  const costs = el('section', { class: 'charts costs' });
  for (const dim of costDimensions) costs.append(costFigure(dim));
  const trends = el('section', { class: 'charts trends' }, ...[7, 30].map((days) => trendFigure(days)));
  replaceChildren(
    page,
    el('h1', {}, strings.title),
    el('p', { id: 'source', class: 'muted' }, ''),
    toolbar,
    el('p', { id: 'progress', class: 'muted', 'aria-live': 'polite' }, strings.reading),
    cards,
    el('p', { id: 'empty', class: 'empty', hidden: '' }, strings.empty),
    el('p', { class: 'muted hint' }, `${strings.clickHint} ${strings.unusualLegend}`),
    charts,
    costs,
    el('section', { class: 'latency-section' }, el('h2', {}, strings.latencyTable), el('div', { id: 'latency-table' })),
    el('div', { class: 'figure-head' }, el('h2', {}, strings.trends), trendSelect()),
    trends,
  );
  updateRangeButtons();
}

function updateRangeButtons(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.range button')) b.setAttribute('aria-pressed', String(b.dataset.range === view.range));
}

function chartCanvas(id: string): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { id, role: 'img', 'aria-label': '' });
  return { box: el('div', { class: 'chart-box' }, canvas), canvas };
}

function timeFigure(def: TimeChartDef): HTMLElement {
  const { box, canvas } = chartCanvas(`chart-${def.id}`);
  const chart = new TimeChartView(canvas, def.format, (index) => openPoint(def.id, index), { integer: def.integer ?? false });
  timeCharts.set(def.id, chart);
  const head = el('div', { class: 'figure-head' }, el('h2', {}, def.title()));
  if (def.id === 'latency') {
    const select = el('select', { id: 'latency-filter', 'aria-label': strings.latencyOf });
    select.addEventListener('change', () => {
      const [kind, ...rest] = select.value.split(':');
      const key = rest.join(':');
      setView({ ...view, latency: kind === 'model' || kind === 'operation' ? { kind, key } : { kind: 'all' } });
    });
    head.append(select);
  }
  const details = el('details', {}, el('summary', {}, strings.showTable), el('div', { class: 'table-wrap', id: `table-${def.id}` }));
  details.addEventListener('toggle', () => data && renderTimeTable(def, data));
  return el('figure', { class: 'chart', 'data-chart': def.id }, head, box, el('figcaption', { class: 'muted chart-summary', id: `summary-${def.id}` }, ''), details);
}

function costFigure(dim: CostDimension): HTMLElement {
  const { box, canvas } = chartCanvas(`chart-cost-${dim}`);
  barCharts.set(dim, new BarChartView(canvas, usd, costDimensions.indexOf(dim), (key) => openBar(dim, key)));
  return el(
    'figure',
    { class: 'chart', 'data-cost': dim },
    el('div', { class: 'figure-head' }, el('h2', {}, costTitles[dim]())),
    box,
    el('figcaption', { class: 'muted chart-summary', id: `summary-cost-${dim}` }, ''),
    el('details', {}, el('summary', {}, strings.showTable), el('div', { class: 'table-wrap', id: `table-cost-${dim}` })),
  );
}

/** The measure both trend charts plot; the choice lasts while the dashboard is open. */
function trendSelect(): HTMLSelectElement {
  const select = el('select', { id: 'trend-metric', 'aria-label': strings.trendOf });
  for (const [value, label] of trendMetrics()) select.append(el('option', { value, ...(value === trendMetric ? { selected: '' } : {}) }, label));
  select.addEventListener('change', () => {
    trendMetric = select.value as TrendMetric;
    data?.trends.forEach(renderTrend);
  });
  return select;
}

function trendMetrics(): [TrendMetric, string][] {
  return [
    ['requests', strings.requests],
    ['errorRate', strings.errorRateChart],
    ['p95', strings.p95],
    ['tokens', strings.tokens],
    ['costUsd', strings.cost],
  ];
}

const trendFormat: Record<TrendMetric, { format: (v: number) => string; integer: boolean }> = {
  requests: { format: (v) => count(v), integer: true },
  errorRate: { format: (v) => percent(v), integer: false },
  p95: { format: (v) => ms(v), integer: false },
  tokens: { format: (v) => count(v), integer: true },
  costUsd: { format: (v) => usd(v), integer: false },
};

function trendFigure(days: number): HTMLElement {
  const { box, canvas } = chartCanvas(`chart-trend-${days}`);
  // A day of the trend has no refs of its own: the time range "7d"/"30d" shows them.
  trendCharts.set(days, new TimeChartView(canvas, count, () => setView({ ...view, range: days === 7 ? '7d' : '30d' }), { integer: true }));
  return el(
    'figure',
    { class: 'chart', 'data-trend': String(days) },
    el('div', { class: 'figure-head' }, el('h2', {}, format(strings.trendHeading, days))),
    box,
    el('figcaption', { class: 'muted chart-summary', id: `summary-trend-${days}` }, ''),
    el('details', {}, el('summary', {}, strings.showTable), el('div', { class: 'table-wrap', id: `table-trend-${days}` })),
  );
}

function openPoint(chart: TimeChart, index: number): void {
  if (data) host.post({ type: 'openPoint', revision: data.revision, chart, index });
}

function openBar(dimension: CostDimension, key: string): void {
  if (data) host.post({ type: 'openBar', revision: data.revision, dimension, key });
}

function render(d: DashboardData): void {
  setProgress('');
  const source = document.getElementById('source');
  if (source) {
    const parts = [format(strings.source, d.source), format(d.files === 1 ? strings.sourceFilesOne : strings.sourceFilesOther, count(d.files)), d.collecting ? strings.collecting : strings.notCollecting];
    if (d.problems > 0) parts.push(format(strings.problems, count(d.problems)));
    replaceChildren(source, parts.join(' · '), el('br'), format(strings.window, when(d.window.startMs), when(d.window.endMs), duration(d.bucketMs)));
  }
  const toggle = document.getElementById('toggle-collector');
  if (toggle) replaceChildren(toggle, d.collectorRunning ? strings.stopCollector : strings.startCollector);
  renderCards(d);
  document.getElementById('empty')?.toggleAttribute('hidden', d.cards.requests > 0);
  renderLatencyFilter(d);

  const labels = bucketLabels(d);
  for (const def of timeChartDefs) {
    const series = def.series(d);
    const marked = d.anomalies[def.id] ?? [];
    timeCharts.get(def.id)?.update(labels, series, marked);
    const first = series[0];
    const values = (first?.data ?? []).filter((v): v is number => v !== null);
    const summary = format(strings.chartSummary, def.title(), count(labels.length), when(d.window.startMs), when(d.window.endMs), values.length > 0 ? def.format(Math.max(...values)) : '—', count(marked.length));
    document.getElementById(`chart-${def.id}`)?.setAttribute('aria-label', summary);
    replaceChildren(document.getElementById(`summary-${def.id}`) as HTMLElement, summary);
    renderTimeTable(def, d);
  }
  for (const dim of costDimensions) renderCost(dim, d);
  renderLatencyTable(d);
  d.trends.forEach(renderTrend);
}

function setCard(key: string, value: string, sub = ''): void {
  const card = document.querySelector(`.card[data-card="${key}"]`);
  if (!card) return;
  const v = card.querySelector('.card-value');
  const s = card.querySelector('.card-sub');
  if (v) replaceChildren(v, value);
  if (s) replaceChildren(s, sub);
}

function renderCards(d: DashboardData): void {
  const c = d.cards;
  const none = c.requests === 0;
  setCard('requests', count(c.requests));
  setCard('errors', count(c.errors), format(strings.errorRateOf, percent(c.errorRate)));
  setCard('p50', none ? '—' : ms(c.p50));
  setCard('p95', none ? '—' : ms(c.p95));
  setCard('p99', none ? '—' : ms(c.p99));
  setCard('tokens', count(c.inputTokens + c.outputTokens), format(strings.tokensInOut, count(c.inputTokens), count(c.outputTokens)));
  setCard('cost', usd(c.costUsd));
  document.querySelector('.card[data-card="errors"]')?.classList.toggle('has-errors', c.errors > 0);
}

function renderLatencyFilter(d: DashboardData): void {
  const select = document.getElementById('latency-filter') as HTMLSelectElement | null;
  if (!select) return;
  const current = view.latency.kind === 'all' ? 'all' : `${view.latency.kind}:${view.latency.key}`;
  const options: [string, string][] = [['all', strings.allCalls], ...d.models.map((m): [string, string] => [`model:${m}`, format(strings.modelOption, m)]), ...d.operations.map((o): [string, string] => [`operation:${o}`, format(strings.operationOption, o)])];
  if (!options.some(([v]) => v === current)) options.push([current, current.replace(/^(model|operation):/, '')]);
  const same = select.options.length === options.length && options.every(([v], i) => select.options[i]?.value === v);
  if (!same) {
    replaceChildren(select, ...options.map(([value, label]) => el('option', { value }, label)));
  }
  select.value = current;
}

function table(caption: string, headers: string[], rows: (string | Node)[][], numeric: boolean[] = []): HTMLTableElement {
  return el(
    'table',
    { class: 'data-table' },
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h, i) => el('th', { scope: 'col', ...(numeric[i] ? { class: 'num' } : {}) }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((cell, i) => el('td', numeric[i] ? { class: 'num' } : {}, cell))))),
  );
}

function openButton(label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'link', 'aria-label': format(strings.openTracesOf, label) }, strings.openTraces);
  b.addEventListener('click', () => onClick());
  return b;
}

/** The chart's numbers as a table (the canvas's accessible fallback): only buckets with data. */
function renderTimeTable(def: TimeChartDef, d: DashboardData): void {
  const wrap = document.getElementById(`table-${def.id}`);
  // A closed table is not rebuilt on every live update; its 'toggle' fills it when opened.
  if (!wrap || !wrap.closest('details')?.open) return;
  const series = def.series(d);
  const labels = bucketLabels(d);
  const unusual = new Set(d.anomalies[def.id] ?? []);
  const rows: (string | Node)[][] = [];
  labels.forEach((label, i) => {
    const values = series.map((s) => s.data[i] ?? null);
    if (values.every((v) => v === null || v === 0)) return;
    rows.push([label, ...values.map((v) => (v === null ? '—' : def.format(v))), unusual.has(i) ? strings.unusual : '', openButton(label, () => openPoint(def.id, i))]);
  });
  replaceChildren(wrap, rows.length === 0 ? el('p', { class: 'muted' }, strings.noData) : table(def.title(), [strings.time, ...series.map((s) => s.label), strings.unusual, ''], rows, [false, ...series.map(() => true), false, false]));
}

function bucketLabels(d: DashboardData): string[] {
  const spanMs = d.window.endMs - d.window.startMs;
  return d.series.t.map((t) => bucketLabel(t, d.bucketMs, spanMs));
}

function renderCost(dim: CostDimension, d: DashboardData): void {
  const bars = d.costBy[dim];
  barCharts.get(dim)?.update(
    bars.map((b) => b.key),
    bars.map((b) => b.costUsd),
    strings.cost,
  );
  const figure = document.querySelector<HTMLElement>(`figure[data-cost="${dim}"] .chart-box`);
  // Room for each bar: the chart fills its box.
  if (figure) figure.style.height = `${Math.max(120, 40 + bars.length * 24)}px`;
  const summary = bars.length === 0 ? strings.noData : bars.slice(0, 3).map((b) => `${b.key}: ${usd(b.costUsd)}`).join(', ');
  document.getElementById(`chart-cost-${dim}`)?.setAttribute('aria-label', `${costTitles[dim]()}: ${summary}`);
  replaceChildren(document.getElementById(`summary-cost-${dim}`) as HTMLElement, summary);
  const wrap = document.getElementById(`table-cost-${dim}`);
  if (wrap)
    replaceChildren(
      wrap,
      bars.length === 0
        ? el('p', { class: 'muted' }, strings.noData)
        : table(
            costTitles[dim](),
            [strings.key, strings.requests, strings.cost, ''],
            bars.map((b) => [b.key, count(b.requests), usd(b.costUsd), openButton(b.key, () => openBar(dim, b.key))]),
            [false, true, true, false],
          ),
    );
}

function renderLatencyTable(d: DashboardData): void {
  const wrap = document.getElementById('latency-table');
  if (!wrap) return;
  if (d.latency.length === 0) {
    replaceChildren(wrap, el('p', { class: 'muted' }, strings.noData));
    return;
  }
  const rows = d.latency.map((r) => {
    const pick = el('button', { type: 'button', class: 'link', title: strings.latencyOf }, r.key);
    pick.addEventListener('click', () => setView({ ...view, latency: { kind: r.dimension, key: r.key } }));
    return [r.dimension === 'model' ? strings.model : strings.operation, pick, count(r.count), r.errors > 0 ? count(r.errors) : '', ms(r.p50), ms(r.p95), ms(r.p99)];
  });
  replaceChildren(wrap, table(strings.latencyTable, [strings.dimension, strings.key, strings.count, strings.errors, strings.p50, strings.p95, strings.p99], rows, [false, false, true, true, true, true, true]));
}

function renderTrend(t: Trend): void {
  const labels = t.points.map((p) => new Date(p.startMs).toISOString().slice(5, 10));
  const chart = trendCharts.get(t.days);
  const label = trendMetrics().find(([m]) => m === trendMetric)?.[1] ?? strings.requests;
  chart?.setFormat(trendFormat[trendMetric].format, trendFormat[trendMetric].integer);
  chart?.update(labels, [{ label, data: t.points.map((p) => p[trendMetric]), colour: 0 }], []);
  const requests = t.points.reduce((n, p) => n + p.requests, 0);
  const cost = t.points.reduce((n, p) => n + p.costUsd, 0);
  const errors = t.points.reduce((n, p) => n + (p.errorRate ?? 0) * p.requests, 0);
  const summary = format(strings.trendSummary, t.days, count(requests), count(Math.round(errors)), usd(cost));
  document.getElementById(`chart-trend-${t.days}`)?.setAttribute('aria-label', `${label}: ${summary}`);
  replaceChildren(document.getElementById(`summary-trend-${t.days}`) as HTMLElement, summary);
  const wrap = document.getElementById(`table-trend-${t.days}`);
  if (wrap)
    replaceChildren(
      wrap,
      table(
        format(strings.trendHeading, t.days),
        [strings.day, strings.requests, strings.errorRateChart, strings.p95, strings.tokens, strings.cost],
        t.points.map((p, i) => [labels[i] ?? '', count(p.requests), p.errorRate === null ? '—' : percent(p.errorRate), p.p95 === null ? '—' : ms(p.p95), count(p.tokens), usd(p.costUsd)]),
        [false, true, true, true, true, true],
      ),
    );
}

