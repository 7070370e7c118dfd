import { BarController, BarElement, CategoryScale, Chart, Legend, LogarithmicScale, Tooltip, type ChartConfiguration } from 'chart.js';
import type { WireOperationStats } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { chartColours, themeColour } from '../common/theme';
import { format, ms } from './format';
import { strings } from './strings';

// Only what a horizontal bar chart on a log scale needs, so the bundle stays small (no chart.js/auto).
Chart.register(BarController, BarElement, CategoryScale, LogarithmicScale, Legend, Tooltip);

/** How many operations the chart shows: beyond that the bars get too thin to read, and the tables have the rest. */
export const chartedOperations = 15;

/** labelKey: the series' name among the host's strings. */
const series = [
  { labelKey: 'p50', key: 'p50Ms', colour: chartColours.blue },
  { labelKey: 'p95', key: 'p95Ms', colour: chartColours.purple },
  { labelKey: 'p99', key: 'p99Ms', colour: chartColours.orange },
] as const;

/** The operations that account for the most time (count × mean), largest first. */
export function topByTotalTime(operations: readonly WireOperationStats[], n = chartedOperations): WireOperationStats[] {
  return [...operations].sort((a, b) => b.totalMs - a.totalMs).slice(0, n);
}

const label = (o: WireOperationStats): string => `${o.name} (${o.service})`;
const shorten = (text: string, max = 48): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Ticks at 1, 2 and 5 of each decade only: a log axis labelled at every step is unreadable. */
function logTick(value: number | string): string {
  const v = Number(value);
  if (!(v > 0)) return '';
  const mantissa = Math.round((v / 10 ** Math.floor(Math.log10(v))) * 1000) / 1000;
  return mantissa === 1 || mantissa === 2 || mantissa === 5 ? ms(v) : '';
}

/**
 * P50, P95 and P99 latency of the top operations as horizontal bars on a log
 * scale (latencies of one file span microseconds to minutes). Drawn on a canvas
 * by Chart.js, which sizes the canvas through the CSSOM (allowed by the CSP,
 * unlike style attributes). Colours follow the theme, also when it changes.
 */
export class LatencyChart {
  readonly element: HTMLElement;
  private readonly chart: Chart<'bar', (number | null)[], string>;
  private readonly themeObserver: MutationObserver;

  constructor(operations: readonly WireOperationStats[]) {
    const top = topByTotalTime(operations);
    const canvas = el('canvas', {
      id: 'latency-chart',
      role: 'img',
      'aria-label': format(strings.chartLabel, top.length),
    });
    this.element = el('div', { class: 'stats-chart' }, canvas);
    // Chart.js fills its container (maintainAspectRatio: false): give it room for three bars per operation.
    this.element.style.height = `${Math.max(180, 60 + top.length * 30)}px`;

    const config: ChartConfiguration<'bar', (number | null)[], string> = {
      type: 'bar',
      data: {
        labels: top.map(label),
        // A zero latency has no place on a log axis: it is left out rather than drawn as a bar to the axis minimum.
        datasets: series.map((s) => ({ label: strings[s.labelKey], data: top.map((o) => (o[s.key] > 0 ? o[s.key] : null)), borderWidth: 0 })),
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: strings.chartAxis }, ticks: { callback: logTick, maxRotation: 0 } },
          y: { type: 'category', ticks: { callback: (_value, index) => shorten(top[index] ? label(top[index]) : '') } },
        },
        plugins: {
          legend: { position: 'top', align: 'start' },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? (top[items[0].dataIndex] ? label(top[items[0].dataIndex] as WireOperationStats) : '') : ''),
              label: (item) => `${item.dataset.label ?? ''}: ${ms(item.parsed.x ?? 0)}`,
            },
          },
        },
      },
    };
    this.chart = new Chart(canvas, config);
    this.applyTheme();
    // VS Code restyles the document when the colour theme changes: the body's class and the root's variables.
    this.themeObserver = new MutationObserver(() => this.applyTheme());
    this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  dispose(): void {
    this.themeObserver.disconnect();
    this.chart.destroy();
  }

  private applyTheme(): void {
    const text = themeColour('--vscode-foreground', '#cccccc');
    const grid = themeColour('--vscode-charts-lines', 'rgba(128, 128, 128, 0.3)');
    const family = themeColour('--vscode-font-family', 'sans-serif');
    const size = Number.parseFloat(themeColour('--vscode-font-size', '13px')) || 13;
    this.chart.data.datasets.forEach((d, i) => {
      const s = series[i];
      if (s) d.backgroundColor = themeColour(s.colour.variable, s.colour.fallback);
    });
    const options = this.chart.options;
    options.color = text;
    options.font = { family, size };
    for (const axis of [options.scales?.x, options.scales?.y]) {
      if (!axis) continue;
      axis.ticks = { ...axis.ticks, color: text };
      axis.grid = { ...axis.grid, color: grid };
      axis.border = { ...axis.border, color: grid };
      if ('title' in axis && axis.title) axis.title.color = text;
    }
    this.chart.update('none');
  }
}
