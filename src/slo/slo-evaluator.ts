import type { SloConfig } from '../config/app-config';
import type { EventStore } from '../sources/events/event-store';
import { computeBudget, BudgetNumbers } from './domain/budget-math';
import { windowsInUse } from './domain/rule-evaluation';
import { durationMs } from './domain/duration';

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

/** Budget numbers of an `events` SLO at `nowMs`, from the event store's local view. */
export function evaluateEventsSlo(
  slo: SloConfig,
  windows: SloWindows,
  store: EventStore,
  nowMs: number,
): BudgetNumbers {
  const sums = store.windowCounts(slo.id, nowMs, windows.readMs);
  const counts: Record<string, { good: number; total: number }> = {};
  windows.readLabels.forEach((label, i) => (counts[label] = sums[i]));
  return computeBudget({
    objective: slo.objective,
    windowMs: slo.windowMs,
    nowMs,
    windowLabels: windows.labels,
    counts,
    sloWindow: slo.window,
  });
}
