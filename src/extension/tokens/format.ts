export { formatPercent, formatTokens, formatUsd } from '../../core/format';

/** "≈" for estimates, nothing for exact counts. */
export function approx(exact: boolean): string {
  return exact ? '' : '≈';
}
