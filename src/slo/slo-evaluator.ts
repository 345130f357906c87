import type { CorrectionSpec, SloConfig } from '../config/app-config';
import { computeBudget, BudgetNumbers, type Counts } from './domain/budget-math';
import { calendarDataState, calendarExhaustsAt, periodGridMs } from './domain/calendar';
import { composeCounts, CountPlan, planCounts } from './domain/count-plan';
import { evaluateRules, windowsInUse } from './domain/rule-evaluation';
import { durationMs } from '../common/duration';

/** A ring the event store must keep beyond the windows' own (the store's `ExtraRing`). */
export interface ExtraRing {
  widthMs: number;
  spanMs: number;
}

/** The window labels an SLO's budget object reports (`burnRates` keys) and their lengths. */
export interface SloWindows {
  labels: string[];
  ms: number[];
  /** rolling windows read: labels plus a rolling SLO window (a calendar period is read as a range) */
  readLabels: string[];
  readMs: number[];
  /** equal for SLOs whose evaluation counts the same windows and period (window label, read windows, calendar) */
  key: string;
}

export function sloWindows(slo: SloConfig): SloWindows {
  const labels = windowsInUse(slo.alerting.rules);
  const ms = labels.map(durationMs);
  const readLabels = slo.calendar || labels.includes(slo.window) ? labels : [...labels, slo.window];
  const readMs = readLabels.map(durationMs);
  const key = `${slo.window}|${readLabels.join(',')}|${slo.calendar ? `${slo.calendar.unit}@${slo.calendar.timeZone}` : ''}`;
  return { labels, ms, readLabels, readMs, key };
}

const TWO_DAYS_MS = 2 * 86_400_000;

/**
 * How long events of an SLO are kept and accepted (SPEC §4): its longest rolling window; for a
 * calendar SLO, two of its longest periods plus 2 days.
 */
export function retentionMs(slo: SloConfig): number {
  if (slo.calendar) return 2 * slo.windowMs + TWO_DAYS_MS;
  return Math.max(...sloWindows(slo).readMs);
}

/** What the event store must keep for an SLO: its rolling windows, and a calendar SLO's period grid. */
export function storeLayoutOf(slo: SloConfig, nowMs: number): { windowsMs: number[]; extraRings: ExtraRing[] } {
  const windowsMs = sloWindows(slo).readMs;
  if (!slo.calendar) return { windowsMs, extraRings: [] };
  return { windowsMs, extraRings: [{ widthMs: periodGridMs(slo.calendar.timeZone, nowMs), spanMs: retentionMs(slo) }] };
}

/** What an evaluation of the SLO at `nowMs` must count, corrections applied (see count-plan.ts). */
export function countPlanOf(slo: SloConfig, windows: SloWindows, corrections: readonly CorrectionSpec[], nowMs: number): CountPlan {
  return planCounts({ slo, labels: windows.readLabels, windowsMs: windows.readMs }, corrections, nowMs);
}

export interface SloEvaluation {
  numbers: BudgetNumbers;
  /** `ruleKey`s of the rules holding now (SPEC §4; a rule with no short-window data keeps its previous state) */
  rulesHeld: string[];
}

/** Budget numbers and rule states of an SLO from the raw answers to its plan; `previouslyHeld` as last stored. */
export function evaluateSlo(
  slo: SloConfig,
  windows: SloWindows,
  plan: CountPlan,
  raw: Record<string, Counts>,
  previouslyHeld: readonly string[],
  nowMs: number,
): SloEvaluation {
  const numbers = budgetFromAnswers(slo, windows, plan, raw, nowMs);
  const { counts } = composeCounts(plan, raw);
  const previous: Record<string, boolean> = {};
  for (const key of previouslyHeld) previous[key] = true;
  const { held } = evaluateRules(slo.alerting.rules, slo.objective, slo.alerting.minEvents, counts, previous);
  const rulesHeld: string[] = [];
  for (const key in held) if (held[key]) rulesHeld.push(key);
  return { numbers, rulesHeld };
}

/** The budget numbers of SPEC §4 from the raw answers to the SLO's plan (rolling or calendar). */
export function budgetFromAnswers(slo: SloConfig, windows: SloWindows, plan: CountPlan, raw: Record<string, Counts>, nowMs: number): BudgetNumbers {
  const { counts, previousPeriodTotal } = composeCounts(plan, raw);
  const numbers = computeBudget({
    objective: slo.objective,
    windowMs: slo.windowMs,
    nowMs,
    windowLabels: windows.labels,
    counts,
    sloWindow: slo.window,
  });
  if (!plan.period) return numbers;
  const state = calendarDataState(slo.objective, numbers.total, previousPeriodTotal ?? 0);
  return {
    ...numbers,
    exhaustsAtMs: calendarExhaustsAt(nowMs, numbers.remaining, plan.period, numbers.burnRates['1h']),
    noData: state.noData,
    warmingUp: state.warmingUp,
    period: { startMs: plan.period.startMs, endMs: plan.period.endMs },
  };
}
