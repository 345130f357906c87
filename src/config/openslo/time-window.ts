import { CONFIG_DURATION_LIMITS } from '../../common/duration-limits';
import type { Field } from './field';
import { formatSeconds, parseOpenSloDuration, shown } from './durations';
import type { MappingContext } from './context';
import type { NativeWindow, Origin } from './types';

type CalendarUnit = 'week' | 'month' | 'quarter';
const CALENDAR_DURATIONS: Record<string, CalendarUnit> = { '1w': 'week', '1M': 'month', '1Q': 'quarter' };
const BOUNDARY: Record<CalendarUnit, string> = {
  week: 'Monday 00:00',
  month: 'the 1st 00:00',
  quarter: 'Jan/Apr/Jul/Oct 1st 00:00',
};

/**
 * `spec.timeWindow` (SPEC §3): absent → 30d; `{duration, isRolling: true}` → a rolling window;
 * `{duration: 1w | 1M | 1Q, isRolling: false, calendar: {startTime, timeZone}}` → a calendar window.
 */
export function mapTimeWindow(spec: Field, ctx: MappingContext): { window: NativeWindow; origin: Origin } | undefined {
  const list = spec.get('timeWindow');
  if (!list.present || (list.isList && (list.value as unknown[]).length === 0)) return { window: '30d', origin: spec.location };
  if (!list.isList) {
    ctx.report.refuse(list, `must be a list with one time window, not ${list.describe()}`);
    return undefined;
  }
  if ((list.value as unknown[]).length > 1) {
    ctx.report.refuse(list, 'more than one time window is not supported: an SLO has one window');
    return undefined;
  }
  const item = list.item(0);
  if (!item.isMap) {
    ctx.report.refuse(item, `must be a mapping with duration and isRolling, not ${item.describe()}`);
    return undefined;
  }
  const duration = item.get('duration');
  const isRolling = item.get('isRolling');
  const calendar = item.get('calendar');
  if (isRolling.present && typeof isRolling.value !== 'boolean') {
    ctx.report.refuse(isRolling, `must be true or false, not ${isRolling.describe()}`);
    return undefined;
  }
  if (!duration.present) {
    ctx.report.refuse(duration, 'is required: the window length, e.g. 28d (rolling) or 1M (calendar)');
    return undefined;
  }
  const rolling = isRolling.value === true || (!isRolling.present && !calendar.present);
  if (rolling) return rollingWindow(duration, ctx);
  return calendarWindow(duration, calendar, ctx);
}

function rollingWindow(duration: Field, ctx: MappingContext): { window: NativeWindow; origin: Origin } | undefined {
  const parsed = parseOpenSloDuration(duration.value);
  if (!parsed.ok) {
    ctx.report.refuse(duration, `${parsed.reason}${/has no fixed length/.test(parsed.reason) ? ' or use a calendar window (isRolling: false)' : ''}`);
    return undefined;
  }
  const ms = parsed.seconds * 1000;
  if (ms < CONFIG_DURATION_LIMITS.minMs || ms > CONFIG_DURATION_LIMITS.maxMs) {
    ctx.report.refuse(duration, `a rolling window must be between 1s and 400d (got ${shown(String(duration.value))})`);
    return undefined;
  }
  return { window: formatSeconds(parsed.seconds), origin: duration.location };
}

function calendarWindow(duration: Field, calendar: Field, ctx: MappingContext): { window: NativeWindow; origin: Origin } | undefined {
  const text = duration.text?.trim() ?? '';
  const unit = CALENDAR_DURATIONS[text];
  let ok = true;
  if (!unit) {
    const minute = text === '1m' ? ' (1m is one minute; a calendar month is 1M)' : '';
    ctx.report.refuse(
      duration,
      `a calendar window must be 1w, 1M or 1Q (a week, a month or a quarter), not ${duration.text !== undefined ? `"${shown(text)}"` : duration.describe()}${minute}`,
    );
    ok = false;
  }
  if (calendar.present && !calendar.isMap) {
    ctx.report.refuse(calendar, `must be a mapping with timeZone (and startTime), not ${calendar.describe()}`);
    return undefined;
  }
  const zoneField = calendar.get('timeZone');
  let timeZone = 'UTC';
  if (zoneField.present) {
    if (zoneField.text === undefined || !isTimeZone(zoneField.text)) {
      const got = zoneField.text !== undefined ? ` (got "${shown(zoneField.text)}")` : '';
      ctx.report.refuse(zoneField, `must be an IANA time zone such as UTC or Europe/Paris${got}`);
      return undefined;
    }
    timeZone = zoneField.text;
  }
  if (!ok || !unit) return undefined;
  const startTime = calendar.get('startTime');
  if (startTime.present) {
    const off = offBoundary(startTime.value, unit);
    if (off) ctx.report.note(startTime, `${off}: ${unit}s start at ${BOUNDARY[unit]} in ${timeZone}; only the time zone of calendar is used`);
  }
  return { window: { calendar: unit, timeZone }, origin: duration.location };
}

export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why a `startTime` is not at the start of a period of `unit` (its wall-clock reading), or undefined. */
export function offBoundary(value: unknown, unit: CalendarUnit): string | undefined {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/.exec(text);
  if (!match) return 'startTime is not a date-time such as 2024-01-01 00:00:00';
  const [, y, m, d, hh = '00', mm = '00', ss = '00'] = match;
  const month = Number(m);
  const day = Number(d);
  const weekday = new Date(Date.UTC(Number(y), month - 1, day)).getUTCDay();
  const midnight = hh === '00' && mm === '00' && ss === '00';
  const startDay = unit === 'week' ? weekday === 1 : unit === 'month' ? day === 1 : day === 1 && [1, 4, 7, 10].includes(month);
  if (midnight && startDay) return undefined;
  return `startTime ${shown(text ?? '')} is not at the start of a ${unit}`;
}
