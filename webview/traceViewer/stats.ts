import type { WireLatencyStats, WireModelStats, WireOperationStats } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { LatencyChart, chartedOperations } from './chart';
import { count, ms, percent, usd } from './format';
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

/** The columns both tables share, after their name columns. */
function latencyColumns<T extends WireLatencyStats>(): Column<T>[] {
  return [
    { key: 'count', label: 'Count', value: (s) => s.count, cell: (s) => count(s.count), numeric: true },
    { key: 'p50', label: 'P50', title: 'Median latency', value: (s) => s.p50Ms, cell: (s) => ms(s.p50Ms), numeric: true },
    { key: 'p95', label: 'P95', title: '95th percentile latency', value: (s) => s.p95Ms, cell: (s) => ms(s.p95Ms), numeric: true },
    { key: 'p99', label: 'P99', title: '99th percentile latency', value: (s) => s.p99Ms, cell: (s) => ms(s.p99Ms), numeric: true },
    { key: 'max', label: 'Max', value: (s) => s.maxMs, cell: (s) => ms(s.maxMs), numeric: true },
    {
      key: 'errors',
      label: 'Error rate',
      value: (s) => s.errorRate,
      cell: (s) => (s.errorCount > 0 ? `${percent(s.errorRate)} (${count(s.errorCount)})` : '0%'),
      cellClass: (s) => (s.errorCount > 0 ? 'has-errors' : ''),
      numeric: true,
    },
    { key: 'tokens', label: 'Tokens', value: (s) => tokenTotal(s), cell: (s) => (tokenTotal(s) > 0 ? count(tokenTotal(s)) : ''), numeric: true },
    { key: 'cost', label: 'Cost', value: (s) => s.costUsd ?? -1, cell: (s) => (s.costUsd === null ? '' : usd(s.costUsd)), numeric: true },
  ];
}

const operationColumns: Column<WireOperationStats>[] = [
  { key: 'name', label: 'Operation', value: (o) => o.name, cell: (o) => o.name },
  { key: 'service', label: 'Service', value: (o) => o.service, cell: (o) => o.service },
  ...latencyColumns<WireOperationStats>(),
  { key: 'total', label: 'Total time', title: 'Count × mean latency', value: (o) => o.totalMs, cell: (o) => ms(o.totalMs), numeric: true },
];

const modelColumns: Column<WireModelStats>[] = [
  { key: 'model', label: 'Model', value: (m) => m.model, cell: (m) => m.model },
  { key: 'providers', label: 'Provider', value: (m) => m.providers.join(','), cell: (m) => m.providers.join(', ') },
  ...latencyColumns<WireModelStats>(),
];

/** The Statistics view's content: the chart, then the per-operation and per-model tables. dispose() frees the chart. */
export function renderStats(data: StatsData, sorts: StatsSorts): { element: HTMLElement; dispose: () => void } {
  const chart = data.operations.length > 0 ? new LatencyChart(data.operations) : undefined;
  const element = el(
    'div',
    { class: 'stats' },
    el('h2', {}, `Latency of the ${Math.min(chartedOperations, data.operations.length)} operations with the most total time`),
    chart?.element ?? el('p', { class: 'muted' }, 'No spans.'),
    el('h2', { id: 'operations-heading' }, `Operations (${count(data.operations.length)})`),
    el('p', { class: 'muted' }, 'Grouped by span name and service over every trace of the file. Tokens and cost count each call once, so they add up to the traces’ totals.'),
    el(
      'div',
      { class: 'table-scroll' },
      sortableTable({ label: 'Operations', className: 'stats-operations', columns: operationColumns, rows: data.operations, sort: sorts.operations, empty: 'No spans.' }),
    ),
    el('h2', { id: 'models-heading' }, `Models (${count(data.models.length)})`),
    el(
      'div',
      { class: 'table-scroll' },
      sortableTable({ label: 'Models', className: 'stats-models', columns: modelColumns, rows: data.models, sort: sorts.models, empty: 'No LLM or embedding spans in this file.' }),
    ),
  );
  return { element, dispose: () => chart?.dispose() };
}
