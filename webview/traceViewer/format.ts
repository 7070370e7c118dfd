export function ms(value: number): string {
  if (value >= 60_000) return `${(value / 60_000).toFixed(1)} min`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 1) return `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
  return `${(value * 1000).toFixed(0)} µs`;
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '$0';
  if (value >= 1) return `$${value.toFixed(2)}`;
  if (value >= 0.01) return `$${value.toFixed(3)}`;
  return `$${value.toFixed(Math.min(20, 1 - Math.floor(Math.log10(value))))}`;
}

const integer = new Intl.NumberFormat('en-US');
export function count(value: number): string {
  return integer.format(value);
}

export function time(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}

/** A change with its sign (a true minus sign), formatted by `format` on its magnitude; zero has no sign. */
export function signed(value: number, format: (magnitude: number) => string): string {
  if (value === 0) return format(0);
  return `${value > 0 ? '+' : '\u2212'}${format(Math.abs(value))}`;
}

/** A rate in 0..1 as a percentage; tiny non-zero rates stay visible as "<0.1%". */
export function percent(rate: number): string {
  if (rate === 0) return '0%';
  if (Math.abs(rate) < 0.001) return '<0.1%';
  return `${(rate * 100).toFixed(1)}%`;
}

/** Fills a localized template's `{0}`, `{1}`… with `args`; a placeholder without an argument stays as it is. */
export function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? match : String(arg);
  });
}
