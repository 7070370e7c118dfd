/** Number formatting shared by the editor and the CLI, so both print the same figures. */
const integer = new Intl.NumberFormat('en-US');

export function formatTokens(n: number): string {
  return integer.format(n);
}

/** Dollars with enough significant digits for sub-cent prompt costs. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(3)}`;
  // Two significant digits without exponent notation: 0.0000047, not 4.7e-6.
  const digits = Math.min(20, 1 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(digits)}`;
}

export function formatPercent(share: number): string {
  const pct = share * 100;
  return pct >= 10 ? `${pct.toFixed(0)}%` : pct >= 0.1 ? `${pct.toFixed(1)}%` : '<0.1%';
}
