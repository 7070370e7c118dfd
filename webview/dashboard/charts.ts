import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartEvent,
} from 'chart.js';
import { chartColours, themeColour } from '../common/theme';

// Only what line and bar charts need, so the bundle stays small (no chart.js/auto).
Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Filler, Legend, Tooltip);

/** The chart palette: VS Code's chart colours, so every theme (high contrast too) gives readable lines. */
export const palette = [chartColours.blue, chartColours.purple, chartColours.orange, chartColours.green, chartColours.yellow, chartColours.red] as const;

export interface SeriesInput {
  label: string;
  data: (number | null)[];
  /** Index into `palette`. */
  colour: number;
}

/** Restyles every chart when the theme changes (VS Code rewrites the body's class and the root's variables). */
const themed = new Set<{ applyTheme(): void }>();
const observer = new MutationObserver(() => themed.forEach((c) => c.applyTheme()));
observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

function styleAxes(chart: Chart<'line' | 'bar', (number | null)[], string>): void {
  const text = themeColour('--vscode-foreground', '#cccccc');
  const grid = themeColour('--vscode-charts-lines', 'rgba(128, 128, 128, 0.3)');
  const options = chart.options;
  options.color = text;
  options.font = { family: themeColour('--vscode-font-family', 'sans-serif'), size: Number.parseFloat(themeColour('--vscode-font-size', '13px')) || 13 };
  // Only cartesian axes here (category and linear): they have a border.
  for (const axis of [options.scales?.x, options.scales?.y] as { ticks?: object; grid?: object; border?: object }[]) {
    if (!axis) continue;
    axis.ticks = { ...axis.ticks, color: text };
    axis.grid = { ...axis.grid, color: grid };
    axis.border = { ...axis.border, color: grid };
  }
}

/**
 * A line chart over the dashboard's buckets. Chart.js sizes the canvas through the CSSOM (allowed by the
 * CSP, unlike style attributes). Unusual points (anomalies) are drawn as larger dots in the error colour;
 * a click on a point reports its bucket index. Updated in place, so live updates do not flicker.
 */
export class TimeChartView {
  private readonly chart: Chart<'line', (number | null)[], string>;
  private series: SeriesInput[] = [];
  private marked = new Set<number>();

  constructor(
    readonly canvas: HTMLCanvasElement,
    private formatValue: (v: number) => string,
    onPoint: (index: number) => void,
    options: { integer?: boolean } = {},
  ) {
    const config: ChartConfiguration<'line', (number | null)[], string> = {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        spanGaps: false,
        scales: {
          x: { type: 'category', ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
          y: { type: 'linear', beginAtZero: true, grace: '5%', ticks: { ...(options.integer ? { precision: 0 } : {}), callback: (v) => this.formatValue(Number(v)) } },
        },
        plugins: {
          legend: { display: true, position: 'top', align: 'end', labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${item.parsed.y === null ? '—' : this.formatValue(item.parsed.y)}` } },
        },
        onClick: (event: ChartEvent) => {
          const native = event.native;
          if (!native) return;
          const hits = this.chart.getElementsAtEventForMode(native, 'index', { intersect: false }, false);
          const index = hits[0]?.index;
          if (index !== undefined) onPoint(index);
        },
      },
    };
    this.chart = new Chart(canvas, config);
    themed.add(this);
  }

  /** What the y axis and the tooltips count now (a trend switched from requests to cost, …); `integer`: whole ticks only. */
  setFormat(format: (v: number) => string, integer: boolean): void {
    this.formatValue = format;
    const y = this.chart.options.scales?.y;
    if (y?.ticks) (y.ticks as { precision?: number }).precision = integer ? 0 : undefined;
  }

  update(labels: string[], series: SeriesInput[], anomalies: readonly number[]): void {
    this.series = series;
    this.marked = new Set(anomalies);
    this.chart.data.labels = labels;
    const existing = this.chart.data.datasets;
    this.chart.data.datasets = series.map((s, i) => {
      const d = existing[i] ?? { data: [] };
      return { ...d, label: s.label, data: s.data, borderWidth: 1.5, tension: 0.2, fill: false };
    });
    this.applyTheme();
  }

  applyTheme(): void {
    const error = themeColour(chartColours.red.variable, chartColours.red.fallback);
    this.chart.data.datasets.forEach((d, i) => {
      const s = this.series[i];
      const p = palette[s?.colour ?? 0] ?? palette[0];
      const colour = themeColour(p.variable, p.fallback);
      d.borderColor = colour;
      d.backgroundColor = colour;
      // Markers on the first series only: one dot per unusual bucket.
      const points = d.data.map((_, j) => (i === 0 && this.marked.has(j) ? 5 : 0));
      d.pointRadius = points;
      d.pointHoverRadius = 4;
      d.pointBackgroundColor = d.data.map((_, j) => (i === 0 && this.marked.has(j) ? error : colour));
      d.pointBorderColor = d.pointBackgroundColor;
    });
    styleAxes(this.chart);
    this.chart.update('none');
  }

  dispose(): void {
    themed.delete(this);
    this.chart.destroy();
  }
}

/** Horizontal bars (cost by a dimension), largest first; a click on a bar reports its key. */
export class BarChartView {
  private readonly chart: Chart<'bar', number[], string>;
  private keys: string[] = [];

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly formatValue: (v: number) => string,
    private readonly colour: number,
    onBar: (key: string) => void,
  ) {
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: { labels: [], datasets: [{ label: '', data: [], borderWidth: 0 }] },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: 'linear', beginAtZero: true, ticks: { callback: (v) => this.formatValue(Number(v)), maxTicksLimit: 5 } },
          y: { type: 'category', ticks: { callback: (_v, i) => shorten(this.keys[i] ?? '') } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => this.formatValue(item.parsed.x ?? 0) } },
        },
        onClick: (event: ChartEvent) => {
          const native = event.native;
          if (!native) return;
          const hit = this.chart.getElementsAtEventForMode(native, 'y', { intersect: false }, false)[0];
          const key = hit ? this.keys[hit.index] : undefined;
          if (key !== undefined) onBar(key);
        },
      },
    };
    this.chart = new Chart(canvas, config);
    themed.add(this);
  }

  update(keys: string[], values: number[], label: string): void {
    this.keys = keys;
    this.chart.data.labels = keys;
    const dataset = this.chart.data.datasets[0];
    if (dataset) {
      dataset.data = values;
      dataset.label = label;
    }
    this.applyTheme();
  }

  applyTheme(): void {
    const p = palette[this.colour] ?? palette[0];
    const dataset = this.chart.data.datasets[0];
    if (dataset) dataset.backgroundColor = themeColour(p.variable, p.fallback);
    styleAxes(this.chart);
    this.chart.update('none');
  }

  dispose(): void {
    themed.delete(this);
    this.chart.destroy();
  }
}

function shorten(text: string, max = 28): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
