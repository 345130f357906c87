/**
 * The one way a budget fraction or threshold is written as a percentage, in gate reasons and in
 * notifications alike (a page and the gate never disagree on "how much is left"). Pure.
 */

/**
 * Budget remaining as a percentage: whole percents, one decimal below 1% (`0.4%`), `<0.1%` for a
 * tiny non-zero amount, a real minus sign when overspent (`−12%`), `n/a` when not a finite number.
 */
export function formatBudgetPercent(remaining: number): string {
  if (!Number.isFinite(remaining)) return 'n/a';
  if (remaining === 0) return '0%';
  const sign = remaining < 0 ? '−' : '';
  const abs = Math.abs(remaining * 100);
  const tenths = Math.round(abs * 10) / 10;
  if (tenths >= 1) return `${sign}${Math.round(abs)}%`;
  if (tenths === 0) return `${sign}<0.1%`;
  return `${sign}${tenths.toFixed(1)}%`;
}

/** A configured threshold as a percentage, exact to two decimals (`25%`, `12.5%`). */
export function formatThresholdPercent(threshold: number): string {
  return `${Number((threshold * 100).toFixed(2))}%`;
}
