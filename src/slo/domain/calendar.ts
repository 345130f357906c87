/**
 * SPEC §4 "Calendar windows": the current period of a calendar SLO (week, month, quarter in its
 * time zone) and the numbers that differ from a rolling window. Time-zone arithmetic is Luxon's
 * (the IANA database of the runtime); nothing here adds hours by hand.
 */
import { DateTime, IANAZone } from 'luxon';
import type { CalendarUnit, CalendarWindow } from '../../config/app-config';
import { allowedErrorRatio } from './budget-math';

export type { CalendarUnit, CalendarWindow };

export interface Period {
  startMs: number;
  /** the next period's start */
  endMs: number;
}

/** True when `timeZone` is an IANA zone name the runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  return IANAZone.isValidZone(timeZone);
}

/** The period containing `atMs`: Monday 00:00, the 1st 00:00, or Jan/Apr/Jul/Oct 1st 00:00 local time, to the next one. */
export function periodAt(window: CalendarWindow, atMs: number): Period {
  // Every calendar SLO asks at every cycle, and periods last days: the last answer per unit and
  // zone is kept (a pure cache: the same inputs give the same period).
  const key = `${window.unit} ${window.timeZone}`;
  const last = lastPeriods.get(key) ?? [];
  for (const period of last) if (period.startMs <= atMs && atMs < period.endMs) return period;
  const period = computePeriod(window, atMs);
  if (lastPeriods.size > 1_000) lastPeriods.clear();
  lastPeriods.set(key, [period, ...last.slice(0, 2)]); // the current, previous and next periods
  return period;
}

const lastPeriods = new Map<string, Period[]>();

function computePeriod(window: CalendarWindow, atMs: number): Period {
  const local = DateTime.fromMillis(atMs, { zone: window.timeZone });
  if (!local.isValid) throw new Error(`unknown time zone "${window.timeZone}"`);
  // Luxon's startOf('week') is the ISO week: Monday.
  const start = local.startOf(window.unit);
  const end = start.plus({ [`${window.unit}s`]: 1 }).startOf(window.unit);
  return Object.freeze({ startMs: start.toMillis(), endMs: end.toMillis() });
}

/** The period before the one containing `atMs`. */
export function previousPeriod(window: CalendarWindow, atMs: number): Period {
  const current = periodAt(window, atMs);
  return periodAt(window, current.startMs - 1);
}

/**
 * Width (ms) of a bucket grid every period start of the zone lies on: one hour where the zone's
 * offsets are whole hours (standard and daylight time of the current year), five minutes
 * otherwise (offsets such as +05:30 or +05:45). The event store keeps a ring of this width over a
 * calendar SLO's retention, so that counts from a period start are exact.
 */
export function periodGridMs(timeZone: string, atMs: number): number {
  const year = DateTime.fromMillis(atMs, { zone: 'UTC' }).year;
  const zone = IANAZone.create(timeZone);
  const offsets = [0, 3, 6, 9].map((month) => zone.offset(DateTime.utc(year, month + 1, 1).toMillis()));
  return offsets.every((minutes) => minutes % 60 === 0) ? 3_600_000 : 300_000;
}

/**
 * `exhaustsAt` of a calendar SLO: `t + remaining × L / (b_1h − 1)` with `L` the time elapsed in
 * the period, when `b_1h > 1` and `remaining > 0`; `null` otherwise and when it falls at or after
 * the period's end (the budget is full again then).
 */
export function calendarExhaustsAt(nowMs: number, remaining: number, period: Period, burnRate1h: number): number | null {
  if (!(burnRate1h > 1) || !(remaining > 0)) return null;
  const elapsed = nowMs - period.startMs;
  const at = nowMs + (remaining * elapsed) / (burnRate1h - 1);
  return at < period.endMs ? at : null;
}

/** Events a period must count before its zone follows the budget: `1/e` (1,000 for 99.9%). */
export function warmUpEvents(objectivePercent: number): number {
  // 12 significant digits: 1 / (1 − 99.9/100) is 999.99999999999 in floating point, not 1,000
  return Number((1 / allowedErrorRatio(objectivePercent)).toPrecision(12));
}

/**
 * What the zone of a calendar SLO rests on: `noData` (`policy.onNoData` applies) only when the
 * current period and the whole previous one have no data; `warmingUp` (zone `normal`, numbers as
 * computed) while the period has counted fewer than `1/e` events.
 */
export function calendarDataState(
  objectivePercent: number,
  periodTotal: number,
  previousPeriodTotal: number,
): { noData: boolean; warmingUp: boolean } {
  if (periodTotal > 0) return { noData: false, warmingUp: periodTotal < warmUpEvents(objectivePercent) };
  if (previousPeriodTotal > 0) return { noData: false, warmingUp: true };
  return { noData: true, warmingUp: false };
}
