/**
 * SPEC §4 multiwindow, multi-burn-rate rules: when a rule holds, which severities fire,
 * detection time and the windows an SLO must count. Pure functions, no framework imports.
 */
import type { AlertRule, Severity } from '../../config/app-config';
import { allowedErrorRatio, burnRate, type Counts } from './budget-math';

export interface RuleWindowInput {
  long: Counts;
  short: Counts;
}

export interface RuleEvaluation {
  /** by {@link ruleKey} */
  held: Record<string, boolean>;
  firing: Record<Severity, boolean>;
  /** the first holding rule of each severity, highest burn rate first; null if none */
  firingRules: Record<Severity, AlertRule | null>;
}

/**
 * Relative slack on the `b ≥ burnRate` comparison. `e = 1 − O/100` is not exact in binary
 * floating point (99% gives 0.010000000000000009), so an error ratio of exactly
 * `burnRate × e` (3% bad on a 99% SLO for burn rate 3) would otherwise compute as 2.9999999999999973
 * and miss the threshold it sits on.
 */
export const BURN_RATE_TOLERANCE = 1e-9;

const ONE_HOUR = '1h';
const ONE_HOUR_MS = 3_600_000;
const NO_COUNTS: Counts = { good: 0, total: 0 };
const SEVERITIES: Severity[] = ['page', 'ticket'];

const ruleKeys = new WeakMap<object, string>();

/**
 * Identity of a rule across evaluations: `${severity}:${burnRate}:${long}:${short}`. Memoised per
 * rule object (every cycle asks it for every rule of every SLO; rules are never mutated).
 */
export function ruleKey(rule: Pick<AlertRule, 'severity' | 'burnRate' | 'long' | 'short'>): string {
  let key = ruleKeys.get(rule);
  if (key === undefined) {
    key = `${rule.severity}:${rule.burnRate}:${rule.long}:${rule.short}`;
    ruleKeys.set(rule, key);
  }
  return key;
}

function reaches(b: number, threshold: number): boolean {
  return b >= threshold - Math.abs(threshold) * BURN_RATE_TOLERANCE;
}

/**
 * A rule holds when `b_long ≥ burnRate`, `b_short ≥ burnRate` and the long window counted at
 * least `minEvents` events. No data in the long window → false; data in the long window but none
 * in the short one → the previous state, unchanged.
 */
export function ruleHolds(
  rule: AlertRule,
  objective: number,
  minEvents: number,
  counts: RuleWindowInput,
  previouslyHeld: boolean,
): boolean {
  const { long, short } = counts;
  if (!(long.total > 0)) return false;
  if (!(short.total > 0)) return previouslyHeld;
  return (
    long.total >= minEvents &&
    reaches(burnRate(long.good, long.total, objective), rule.burnRate) &&
    reaches(burnRate(short.good, short.total, objective), rule.burnRate)
  );
}

/** Evaluates every rule and derives, per severity, whether it fires and which rule fired it. */
export function evaluateRules(
  rules: AlertRule[],
  objective: number,
  minEvents: number,
  countsByLabel: Record<string, Counts>,
  previous: Record<string, boolean>,
): RuleEvaluation {
  const held: Record<string, boolean> = {};
  const firing: Record<Severity, boolean> = { page: false, ticket: false };

  const holding: AlertRule[] = [];
  for (const rule of rules) {
    const key = ruleKey(rule);
    const holds = ruleHolds(
      rule,
      objective,
      minEvents,
      { long: countsByLabel[rule.long] ?? NO_COUNTS, short: countsByLabel[rule.short] ?? NO_COUNTS },
      previous[key] ?? false,
    );
    held[key] = holds;
    if (holds) holding.push(rule);
  }

  const firingRules = firingRulesOf(holding);
  for (const severity of SEVERITIES) firing[severity] = firingRules[severity] !== null;
  return { held, firing, firingRules };
}

/**
 * Per severity, the holding rule that fires it: the highest burn rate, equal burn rates in written
 * order; null when no rule of that severity holds.
 */
export function firingRulesOf(holding: readonly AlertRule[]): Record<Severity, AlertRule | null> {
  // Stable sort: equal burn rates keep their written order.
  const byBurnRate = [...holding].sort((a, b) => b.burnRate - a.burnRate);
  return {
    page: byBurnRate.find((rule) => rule.severity === 'page') ?? null,
    ticket: byBurnRate.find((rule) => rule.severity === 'ticket') ?? null,
  };
}

/**
 * Time for a rule's long window to reach its burn rate after an error ratio `ε` starts on steady
 * traffic that was good for at least the long window: `burnRate × e × long / ε` (the SPEC formula;
 * a result longer than the long window means ε alone never makes the rule hold).
 * `ε ≤ 0` → `Infinity`.
 */
export function detectionTimeMs(rule: AlertRule, objective: number, errorRatio: number): number {
  if (!(errorRatio > 0)) return Number.POSITIVE_INFINITY;
  return (rule.burnRate * allowedErrorRatio(objective) * rule.longMs) / errorRatio;
}

/**
 * The distinct window labels of the rules (long, then short, rule by rule) plus `'1h'`, ordered by
 * duration ascending; labels of equal duration keep the order in which they were first written.
 */
export function windowsInUse(rules: AlertRule[]): string[] {
  const seen = new Map<string, number>();
  for (const rule of rules) {
    if (!seen.has(rule.long)) seen.set(rule.long, rule.longMs);
    if (!seen.has(rule.short)) seen.set(rule.short, rule.shortMs);
  }
  if (!seen.has(ONE_HOUR)) seen.set(ONE_HOUR, ONE_HOUR_MS);
  return [...seen.entries()].sort((a, b) => a[1] - b[1]).map(([label]) => label);
}
