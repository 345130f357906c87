/**
 * SPEC §4 "The numbers": error ratio, burn rate, SLI, error budget and the exhaustion forecast.
 * Pure functions, no framework imports. Values are never rounded here (rounding is for display).
 */

export interface Counts {
  good: number;
  total: number;
}

export interface BudgetInput {
  /** objective in percent, 0 < objective < 100 */
  objective: number;
  /** SLO window length in milliseconds */
  windowMs: number;
  /** evaluation time */
  nowMs: number;
  /** window labels used by the SLO's rules, as written in the config */
  windowLabels: string[];
  /** counts for every label of `windowLabels`, for `sloWindow` and for `'1h'` */
  counts: Record<string, Counts>;
  /** the SLO window label (`30d`) */
  sloWindow: string;
}

export interface BudgetNumbers {
  sli: number | null;
  good: number;
  total: number;
  remaining: number;
  consumed: number;
  exhaustsAtMs: number | null;
  burnRates: Record<string, number>;
  noData: boolean;
  /** a calendar SLO's period has counted fewer than 1/e events: its zone is `normal` (SPEC §4) */
  warmingUp?: boolean;
  /** a calendar SLO's current period (`endMs`: the next period's start) */
  period?: { startMs: number; endMs: number };
}

/** The window whose burn rate drives the exhaustion forecast; always computed. */
export const FORECAST_WINDOW = '1h';

const NO_COUNTS: Counts = { good: 0, total: 0 };

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** `(total − good) / total` clamped to [0, 1]; `null` when `total ≤ 0` (no data). */
export function errorRatio(good: number, total: number): number | null {
  if (!(total > 0)) return null;
  return clamp01((total - good) / total);
}

/** `e = 1 − O/100`. */
export function allowedErrorRatio(objectivePercent: number): number {
  return 1 - objectivePercent / 100;
}

/** `b = r / e`; no data → 0. */
export function burnRate(good: number, total: number, objectivePercent: number): number {
  const r = errorRatio(good, total);
  if (r === null) return 0;
  return r / allowedErrorRatio(objectivePercent);
}

/** `sli = 1 − r`; no data → `null`. */
export function sliValue(good: number, total: number): number | null {
  const r = errorRatio(good, total);
  return r === null ? null : 1 - r;
}

/** `remaining = 1 − r / e` (1 untouched, 0 spent, negative overspent); no data → 1. */
export function budgetRemaining(good: number, total: number, objectivePercent: number): number {
  const r = errorRatio(good, total);
  if (r === null) return 1;
  return 1 - r / allowedErrorRatio(objectivePercent);
}

/**
 * Straight-line projection at the last hour's burn rate: `now + remaining × W / b_1h`;
 * `null` when `b_1h ≤ 1` or `remaining ≤ 0`.
 */
export function exhaustsAt(
  nowMs: number,
  remaining: number,
  windowMs: number,
  burnRate1h: number,
): number | null {
  if (!(burnRate1h > 1) || !(remaining > 0)) return null;
  return nowMs + (remaining * windowMs) / burnRate1h;
}

/** All the numbers of one SLO evaluation. */
export function computeBudget(input: BudgetInput): BudgetNumbers {
  const { objective, windowMs, nowMs, windowLabels, counts, sloWindow } = input;
  const slo = counts[sloWindow] ?? NO_COUNTS;

  const burnRates: Record<string, number> = {};
  for (const label of [...windowLabels, FORECAST_WINDOW]) {
    if (label in burnRates) continue;
    const c = counts[label] ?? NO_COUNTS;
    burnRates[label] = burnRate(c.good, c.total, objective);
  }

  const remaining = budgetRemaining(slo.good, slo.total, objective);
  return {
    sli: sliValue(slo.good, slo.total),
    good: slo.good,
    total: slo.total,
    remaining,
    consumed: 1 - remaining,
    exhaustsAtMs: exhaustsAt(nowMs, remaining, windowMs, burnRates[FORECAST_WINDOW]),
    burnRates,
    noData: !(slo.total > 0),
  };
}
