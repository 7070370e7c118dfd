/** Formatting of the dashboard's figures: the trace viewer's, plus rates and chart labels. */
import { ms } from '../traceViewer/format';

export { count, format, ms, percent, usd } from '../traceViewer/format';

/** A per-second rate: two significant decimals for small rates, none for large ones; no trailing zeros. */
export function rate(value: number): string {
  if (value === 0) return '0';
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toFixed(value < 10 ? 2 : 1)));
}

/** A latency, with a plain 0 (an axis starting at "0 µs" reads oddly). */
export function latency(value: number): string {
  return value === 0 ? '0' : ms(value);
}

/** A bucket's label: the time of day for buckets under a day, the date (and hour) otherwise. */
export function bucketLabel(startMs: number, bucketMs: number, spanMs: number): string {
  const iso = new Date(startMs).toISOString();
  if (bucketMs >= 86_400_000) return iso.slice(5, 10);
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return bucketMs < 60_000 ? iso.slice(11, 19) : iso.slice(11, 16);
}

/** A bucket width as words a reader can say: "15 s", "5 min", "2 h", "1 d". */
export function duration(bucketMs: number): string {
  if (bucketMs < 60_000) return `${bucketMs / 1000} s`;
  if (bucketMs < 3_600_000) return `${bucketMs / 60_000} min`;
  if (bucketMs < 86_400_000) return `${bucketMs / 3_600_000} h`;
  return `${bucketMs / 86_400_000} d`;
}

/** UTC date and time to the minute. */
export function when(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ');
}
