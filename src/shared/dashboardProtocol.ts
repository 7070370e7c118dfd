import { hasMessageType, isRecord } from './guards';

/**
 * The messages between the monitoring dashboard panel and its webview. Plain JSON numbers and strings:
 * the refs behind a point (trace ids, files) stay in the extension host, and the webview asks for them by
 * the revision and index it was shown.
 */

export const timeRanges = ['15m', '1h', '6h', '24h', '7d', '30d', 'all'] as const;
export type TimeRange = (typeof timeRanges)[number];

/** The cost bar charts' dimensions. */
export const costDimensions = ['user', 'project', 'agent', 'model'] as const;
export type CostDimension = (typeof costDimensions)[number];

/** Whose latency the latency chart shows: every model call, one model's or one operation's. */
export type LatencyFilter = { kind: 'all' } | { kind: 'model' | 'operation'; key: string };

export interface DashboardView {
  range: TimeRange;
  latency: LatencyFilter;
}

/** The time charts, each one series (or three for latency) over the same buckets. */
export const timeCharts = ['requests', 'tokens', 'latency', 'errorRate', 'concurrent', 'cost'] as const;
export type TimeChart = (typeof timeCharts)[number];

export interface DashboardSeries {
  /** Bucket starts, epoch ms. */
  t: number[];
  requestsPerSecond: number[];
  inputTokensPerSecond: number[];
  outputTokensPerSecond: number[];
  /** Of the latency filter's calls; null where a bucket has none. */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  /** 0–1; null where a bucket has no request. */
  errorRate: (number | null)[];
  concurrent: number[];
  costUsd: number[];
}

export interface DashboardCards {
  requests: number;
  errors: number;
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CostBar {
  key: string;
  costUsd: number;
  requests: number;
}

export interface LatencyRow {
  dimension: 'model' | 'operation';
  key: string;
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

/** One day of a 7- or 30-day trend (UTC days, today last). */
export interface TrendDay {
  startMs: number;
  requests: number;
  /** 0–1; null on a day without requests. */
  errorRate: number | null;
  p95: number | null;
  tokens: number;
  costUsd: number;
}

export interface Trend {
  days: 7 | 30;
  points: TrendDay[];
}

export interface DashboardData {
  /** Increases with every update: a click names the revision whose point it was. */
  revision: number;
  /** What is shown: the collected traces folder or the chosen files (workspace-relative where possible). */
  source: string;
  /** The window follows the clock: the collector of this window is writing the shown folder. */
  collecting: boolean;
  /** The collector of this window runs (whatever is shown): the Start / Stop button. */
  collectorRunning: boolean;
  files: number;
  window: { startMs: number; endMs: number };
  bucketMs: number;
  cards: DashboardCards;
  series: DashboardSeries;
  /** Bucket indices a robust z-score marks as unusual, per time chart. */
  anomalies: Partial<Record<TimeChart, number[]>>;
  /** What the latency chart can be filtered by. */
  models: string[];
  operations: string[];
  latency: LatencyRow[];
  costBy: Record<CostDimension, CostBar[]>;
  trends: Trend[];
  /** Problems met reading the files (everything else loaded). */
  problems: number;
}

export interface DashboardStrings {
  title: string;
  reading: string;
  readingProgress: string;
  source: string;
  sourceFilesOne: string;
  sourceFilesOther: string;
  collecting: string;
  notCollecting: string;
  problems: string;
  chooseFiles: string;
  chooseFilesTitle: string;
  collected: string;
  collectedTitle: string;
  startCollector: string;
  stopCollector: string;
  range: string;
  rangeAll: string;
  window: string;
  requests: string;
  errors: string;
  errorRateOf: string;
  latency: string;
  tokens: string;
  tokensInOut: string;
  cost: string;
  p50: string;
  p95: string;
  p99: string;
  requestsChart: string;
  tokensChart: string;
  inputTokens: string;
  outputTokens: string;
  latencyChart: string;
  latencyOf: string;
  allCalls: string;
  modelOption: string;
  operationOption: string;
  errorRateChart: string;
  concurrentChart: string;
  costChart: string;
  chartSummary: string;
  unusual: string;
  unusualLegend: string;
  showTable: string;
  time: string;
  value: string;
  openTraces: string;
  openTracesOf: string;
  clickHint: string;
  costByUser: string;
  costByProject: string;
  costByAgent: string;
  costByModel: string;
  key: string;
  noData: string;
  latencyTable: string;
  dimension: string;
  model: string;
  operation: string;
  count: string;
  trends: string;
  trendHeading: string;
  trendSummary: string;
  trendOf: string;
  day: string;
  empty: string;
}

export type DashboardToWebview =
  | { type: 'init'; strings: DashboardStrings; view: DashboardView }
  | { type: 'progress'; bytesRead: number; bytesTotal: number }
  | { type: 'data'; data: DashboardData }
  | { type: 'failed'; message: string };

export type DashboardFromWebview =
  | { type: 'ready' }
  | { type: 'setView'; view: DashboardView }
  | { type: 'chooseFiles' }
  | { type: 'useCollected' }
  | { type: 'toggleCollector' }
  | { type: 'openPoint'; revision: number; chart: TimeChart; index: number }
  | { type: 'openBar'; revision: number; dimension: CostDimension; key: string };

export function isTimeRange(v: unknown): v is TimeRange {
  return typeof v === 'string' && (timeRanges as readonly string[]).includes(v);
}

export function isLatencyFilter(v: unknown): v is LatencyFilter {
  if (!isRecord(v)) return false;
  if (v.kind === 'all') return true;
  return (v.kind === 'model' || v.kind === 'operation') && typeof v.key === 'string';
}

export function isDashboardView(v: unknown): v is DashboardView {
  return isRecord(v) && isTimeRange(v.range) && isLatencyFilter(v.latency);
}

const fromTypes = ['ready', 'setView', 'chooseFiles', 'useCollected', 'toggleCollector', 'openPoint', 'openBar'] as const;

export function isDashboardFromWebview(m: unknown): m is DashboardFromWebview {
  if (!hasMessageType(m, fromTypes)) return false;
  switch (m.type) {
    case 'ready':
    case 'chooseFiles':
    case 'useCollected':
    case 'toggleCollector':
      return true;
    case 'setView':
      return isDashboardView(m.view);
    case 'openPoint':
      return Number.isInteger(m.revision) && typeof m.chart === 'string' && (timeCharts as readonly string[]).includes(m.chart) && Number.isInteger(m.index) && (m.index as number) >= 0;
    case 'openBar':
      return Number.isInteger(m.revision) && typeof m.dimension === 'string' && (costDimensions as readonly string[]).includes(m.dimension) && typeof m.key === 'string';
  }
}

const toTypes = ['init', 'progress', 'data', 'failed'] as const;

export function isDashboardToWebview(m: unknown): m is DashboardToWebview {
  if (!hasMessageType(m, toTypes)) return false;
  switch (m.type) {
    case 'init':
      return isRecord(m.strings) && Object.values(m.strings).every((v) => typeof v === 'string') && isDashboardView(m.view);
    case 'progress':
      return typeof m.bytesRead === 'number' && typeof m.bytesTotal === 'number';
    case 'data':
      return isRecord(m.data) && Number.isInteger(m.data.revision) && isRecord(m.data.cards) && isRecord(m.data.series) && isRecord(m.data.costBy);
    case 'failed':
      return typeof m.message === 'string';
  }
}
