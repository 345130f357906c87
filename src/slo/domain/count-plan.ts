/**
 * What one SLO evaluation at `nowMs` must count, and how the answers combine (SPEC §4): the
 * rolling windows `(now − w, now]`; for a calendar SLO the current period `[start, now]` (and the
 * whole previous period, for the no-data rule); and, for every window, the parts of it inside
 * corrections, whose counts are taken out. Pure: the sources answer the ranges, this composes.
 */
import type { CalendarWindow } from '../../config/app-config';
import type { Counts } from './budget-math';
import { periodAt, previousPeriod, type Period } from './calendar';
import { correctedIntervals, subtractCorrected } from './corrections';
import type { CorrectionSpec } from '../../config/app-config';

/** Counts of events stamped in `[fromMs, toMs]`; the end bucket pro rata when `interpolateEnd`. */
export interface CountRange {
  key: string;
  fromMs: number;
  toMs: number;
  interpolateEnd: boolean;
}

interface PlannedWindow {
  /** the label the composed counts are given (a rule window, `1h`, or the SLO window) */
  label: string;
  /** where its raw counts are: a window label, or a range key */
  rawKey: string;
  /** range keys of its corrected parts */
  parts: string[];
  /** corrections cover it whole: no data */
  coveredWhole: boolean;
}

export interface CountPlan {
  /** rolling windows read as windows: labels and lengths */
  labels: readonly string[];
  windowsMs: readonly number[];
  /** ranges read as ranges (the period, corrected parts) */
  ranges: CountRange[];
  windows: PlannedWindow[];
  /** the current period of a calendar SLO */
  period: Period | null;
}

export interface PlanInput {
  slo: { id: string; service: string; window: string; calendar?: CalendarWindow };
  /** the rolling windows (rule windows, 1h, and a rolling SLO window) */
  labels: readonly string[];
  windowsMs: readonly number[];
}

export const PERIOD_KEY = '@period';
export const PREVIOUS_PERIOD_KEY = '@previous-period';

export function planCounts(input: PlanInput, corrections: readonly CorrectionSpec[], nowMs: number): CountPlan {
  const { slo, labels, windowsMs } = input;
  const ranges: CountRange[] = [];
  const rangeKeys = new Set<string>();
  const windows: PlannedWindow[] = [];
  const addWindow = (label: string, rawKey: string, fromMs: number): void => {
    // the window holds events stamped in [fromMs, nowMs]
    const intervals = corrections.length === 0 ? [] : correctedIntervals(corrections, slo, fromMs, nowMs + 1);
    const coveredWhole = intervals.length === 1 && intervals[0].fromMs <= fromMs && intervals[0].toMs > nowMs;
    const parts: string[] = [];
    if (!coveredWhole) {
      for (const { fromMs: a, toMs: b } of intervals) {
        const key = `@c:${a}:${b}`;
        parts.push(key);
        if (rangeKeys.has(key)) continue;
        rangeKeys.add(key);
        ranges.push(b > nowMs ? { key, fromMs: a, toMs: nowMs, interpolateEnd: false } : { key, fromMs: a, toMs: b - 1, interpolateEnd: true });
      }
    }
    windows.push({ label, rawKey, parts, coveredWhole });
  };
  labels.forEach((label, i) => addWindow(label, label, nowMs - windowsMs[i] + 1));
  let period: Period | null = null;
  if (slo.calendar) {
    period = periodAt(slo.calendar, nowMs);
    const previous = previousPeriod(slo.calendar, nowMs);
    ranges.push({ key: PERIOD_KEY, fromMs: period.startMs, toMs: nowMs, interpolateEnd: false });
    ranges.push({ key: PREVIOUS_PERIOD_KEY, fromMs: previous.startMs, toMs: previous.endMs - 1, interpolateEnd: true });
    addWindow(slo.window, PERIOD_KEY, period.startMs);
  }
  return { labels, windowsMs, ranges, windows, period };
}

export interface ComposedCounts {
  /** corrected counts by label (rule windows, 1h, the SLO window) */
  counts: Record<string, Counts>;
  /** total of the whole previous period of a calendar SLO (uncorrected) */
  previousPeriodTotal: number | null;
}

const NONE: Counts = { good: 0, total: 0 };

/** The corrected counts of every planned window from the raw answers (window labels and range keys). */
export function composeCounts(plan: CountPlan, raw: Readonly<Record<string, Counts>>): ComposedCounts {
  const counts: Record<string, Counts> = {};
  for (const window of plan.windows) {
    const parts = window.parts.map((key) => raw[key] ?? NONE);
    counts[window.label] = subtractCorrected(raw[window.rawKey] ?? NONE, parts, window.coveredWhole);
  }
  return { counts, previousPeriodTotal: plan.period ? (raw[PREVIOUS_PERIOD_KEY] ?? NONE).total : null };
}
