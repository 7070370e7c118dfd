import type { WireLatencyStats, WireModelStats, WireOperationStats } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { LatencyChart, chartedOperations } from './chart';
import { count, format, ms, percent, usd } from './format';
import { strings } from './strings';
import { sortableTable, type Column, type SortState } from './table';

export interface StatsData {
  operations: WireOperationStats[];
  models: WireModelStats[];
}

/** The sort of each table, kept by the caller so that a reload of the file does not reset it. */
export interface StatsSorts {
  operations: SortState;
  models: SortState;
}

export const defaultStatsSorts = (): StatsSorts => ({
  // The core's own orders: operations by total time, models by cost.
  operations: { key: null, descending: true },
  models: { key: null, descending: true },
});

const tokenTotal = (s: WireLatencyStats): number => s.tokens.input + s.tokens.output;

/** The columns both tables share, after their name columns. Functions, as the labels are the host's strings. */
function latencyColumns<T extends WireLatencyStats>(): Column<T>[] {
  return [
    { key: 'count', label: strings.count, value: (s) => s.count, cell: (s) => count(s.count), numeric: true },
    { key: 'p50', label: strings.p50, title: strings.p50Title, value: (s) => s.p50Ms, cell: (s) => ms(s.p50Ms), numeric: true },
    { key: 'p95', label: strings.p95, title: strings.p95Title, value: (s) => s.p95Ms, cell: (s) => ms(s.p95Ms), numeric: true },
    { key: 'p99', label: strings.p99, title: strings.p99Title, value: (s) => s.p99Ms, cell: (s) => ms(s.p99Ms), numeric: true },
    { key: 'max', label: strings.max, value: (s) => s.maxMs, cell: (s) => ms(s.maxMs), numeric: true },
    {
      key: 'errors',
      label: strings.errorRate,
      value: (s) => s.errorRate,
      cell: (s) => (s.errorCount > 0 ? `${percent(s.errorRate)} (${count(s.errorCount)})` : '0%'),
      cellClass: (s) => (s.errorCount > 0 ? 'has-errors' : ''),
      numeric: true,
    },
    { key: 'tokens', label: strings.tokens, value: (s) => tokenTotal(s), cell: (s) => (tokenTotal(s) > 0 ? count(tokenTotal(s)) : ''), numeric: true },
    { key: 'cost', label: strings.cost, value: (s) => s.costUsd ?? -1, cell: (s) => (s.costUsd === null ? '' : usd(s.costUsd)), numeric: true },
  ];
}

const operationColumns = (): Column<WireOperationStats>[] => [
  { key: 'name', label: strings.operation, value: (o) => o.name, cell: (o) => o.name },
  { key: 'service', label: strings.service, value: (o) => o.service, cell: (o) => o.service },
  ...latencyColumns<WireOperationStats>(),
  { key: 'total', label: strings.totalTime, title: strings.totalTimeTitle, value: (o) => o.totalMs, cell: (o) => ms(o.totalMs), numeric: true },
];

const modelColumns = (): Column<WireModelStats>[] => [
  { key: 'model', label: strings.model, value: (m) => m.model, cell: (m) => m.model },
  { key: 'providers', label: strings.provider, value: (m) => m.providers.join(','), cell: (m) => m.providers.join(', ') },
  ...latencyColumns<WireModelStats>(),
];

/** The Statistics view's content: the chart, then the per-operation and per-model tables. dispose() frees the chart. */
export function renderStats(data: StatsData, sorts: StatsSorts): { element: HTMLElement; dispose: () => void } {
  const chart = data.operations.length > 0 ? new LatencyChart(data.operations) : undefined;
  const element = el(
    'div',
    { class: 'stats' },
    el('h2', {}, format(strings.chartHeading, Math.min(chartedOperations, data.operations.length))),
    chart?.element ?? el('p', { class: 'muted' }, strings.noSpans),
    el('h2', { id: 'operations-heading' }, format(strings.operationsHeading, count(data.operations.length))),
    el('p', { class: 'muted' }, strings.operationsNote),
    el(
      'div',
      { class: 'table-scroll' },
      sortableTable({ label: strings.operations, className: 'stats-operations', columns: operationColumns(), rows: data.operations, sort: sorts.operations, empty: strings.noSpans }),
    ),
    el('h2', { id: 'models-heading' }, format(strings.modelsHeading, count(data.models.length))),
    el(
      'div',
      { class: 'table-scroll' },
      sortableTable({ label: strings.models, className: 'stats-models', columns: modelColumns(), rows: data.models, sort: sorts.models, empty: strings.noModels }),
    ),
  );
  return { element, dispose: () => chart?.dispose() };
}
