/**
 * A small Prometheus registry: counters and histograms with labels, rendered in the text exposition
 * format 0.0.4. Label cardinality is bounded per family: past `maxSeries` distinct label sets, new ones
 * are folded into one series whose every label is "other", so a sender with a million model names
 * cannot grow the collector's memory without bound.
 */

export const exposition = 'text/plain; version=0.0.4; charset=utf-8';

/** Escapes a label value: backslash, double quote and newline (the format's three escapes). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the format writes it: +Inf, -Inf, NaN, else the shortest round-tripping decimal. */
function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const maxLabelLength = 200;

abstract class Family<S> {
  protected readonly series = new Map<string, { labels: string[]; value: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
  ) {}

  protected abstract fresh(): S;

  protected get(raw: readonly string[]): S {
    if (raw.length !== this.labelNames.length) throw new Error(`${this.name}: ${this.labelNames.length} label values expected, got ${raw.length}`);
    // Long values (a model "name" that is a whole prompt) are cut: memory per series stays bounded too.
    const labels = raw.some((v) => v.length > maxLabelLength) ? raw.map((v) => (v.length > maxLabelLength ? `${v.slice(0, maxLabelLength)}…` : v)) : raw;
    let key = labels.length === 1 ? (labels[0] as string) : labels.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      let values = [...labels];
      if (this.series.size >= this.maxSeries) {
        values = this.labelNames.map(() => 'other');
        key = values.join('\u0000');
        s = this.series.get(key);
      }
      if (!s) {
        s = { labels: values, value: this.fresh() };
        this.series.set(key, s);
      }
    }
    return s.value;
  }

  get size(): number {
    return this.series.size;
  }

  protected labelText(labels: readonly string[], extra?: [string, string]): string {
    const parts = this.labelNames.map((n, i) => `${n}="${escapeLabel(labels[i] ?? '')}"`);
    if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return parts.length > 0 ? `{${parts.join(',')}}` : '';
  }

  abstract render(out: string[]): void;
}

export class Counter extends Family<{ v: number }> {
  protected fresh(): { v: number } {
    return { v: 0 };
  }

  inc(labels: readonly string[], by = 1): void {
    if (!(by >= 0)) return; // counters never go down; NaN is ignored
    this.get(labels).v += by;
  }

  value(labels: readonly string[]): number {
    return this.series.get(labels.join('\u0000'))?.value.v ?? 0;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`);
    for (const { labels, value } of this.series.values()) out.push(`${this.name}${this.labelText(labels)} ${num(value.v)}`);
  }
}

interface HistogramState {
  /** Per bucket (not cumulative); the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramState> {
  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number, readonly bounds: readonly number[]) {
    super(name, help, labelNames, maxSeries);
  }

  protected fresh(): HistogramState {
    return { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: readonly string[], v: number): void {
    if (Number.isNaN(v)) return;
    const s = this.get(labels);
    let i = 0;
    while (i < this.bounds.length && v > (this.bounds[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += v;
    s.count++;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`);
    for (const { labels, value } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += value.counts[i] as number;
        const le = i < this.bounds.length ? num(this.bounds[i] as number) : '+Inf';
        out.push(`${this.name}_bucket${this.labelText(labels, ['le', le])} ${cumulative}`);
      }
      out.push(`${this.name}_sum${this.labelText(labels)} ${num(value.sum)}`, `${this.name}_count${this.labelText(labels)} ${value.count}`);
    }
  }
}

export class Registry {
  private readonly families: Family<unknown>[] = [];

  constructor(readonly maxSeries = 10_000) {}

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    const c = new Counter(name, help, labelNames, this.maxSeries);
    this.families.push(c as Family<unknown>);
    return c;
  }

  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    const h = new Histogram(name, help, labelNames, this.maxSeries, bounds);
    this.families.push(h as Family<unknown>);
    return h;
  }

  /** The whole registry in the text format (ends with a newline, as the format requires). */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) f.render(out);
    return `${out.join('\n')}\n`;
  }
}
