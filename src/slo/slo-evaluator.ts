import type { SloConfig } from '../config/app-config';
import { computeBudget, BudgetNumbers, type Counts } from './domain/budget-math';
import { evaluateRules, windowsInUse } from './domain/rule-evaluation';
import { durationMs } from '../common/duration';

/** The window labels an SLO's budget object reports (`burnRates` keys) and their lengths. */
export interface SloWindows {
  labels: string[];
  ms: number[];
  /** labels plus the SLO window itself, for reading counts */
  readLabels: string[];
  readMs: number[];
}

export function sloWindows(slo: SloConfig): SloWindows {
  const labels = windowsInUse(slo.alerting.rules);
  const ms = labels.map(durationMs);
  const readLabels = labels.includes(slo.window) ? labels : [...labels, slo.window];
  const readMs = readLabels.map(durationMs);
  return { labels, ms, readLabels, readMs };
}

/** The windows the event store must keep for an SLO: every rule window, 1h and the SLO window. */
export function storeWindowsMs(slo: SloConfig): number[] {
  return sloWindows(slo).readMs;
}

export interface SloEvaluation {
  numbers: BudgetNumbers;
  /** `ruleKey`s of the rules holding now (SPEC §4; a rule with no short-window data keeps its previous state) */
  rulesHeld: string[];
}

/** Budget numbers and rule states of an SLO from its window counts; `previouslyHeld` as last stored. */
export function evaluateSlo(
  slo: SloConfig,
  windows: SloWindows,
  counts: Record<string, Counts>,
  previouslyHeld: readonly string[],
  nowMs: number,
): SloEvaluation {
  const numbers = budgetFromCounts(slo, windows, counts, nowMs);
  const previous: Record<string, boolean> = {};
  for (const key of previouslyHeld) previous[key] = true;
  const { held } = evaluateRules(slo.alerting.rules, slo.objective, slo.alerting.minEvents, counts, previous);
  const rulesHeld: string[] = [];
  for (const key in held) if (held[key]) rulesHeld.push(key);
  return { numbers, rulesHeld };
}

export function budgetFromCounts(slo: SloConfig, windows: SloWindows, counts: Record<string, Counts>, nowMs: number): BudgetNumbers {
  return computeBudget({
    objective: slo.objective,
    windowMs: slo.windowMs,
    nowMs,
    windowLabels: windows.labels,
    counts,
    sloWindow: slo.window,
  });
}
