import fc from 'fast-check';
import type { CalendarWindow } from '../../config/app-config';
import { calendarDataState, calendarExhaustsAt, periodAt, periodGridMs, previousPeriod, warmUpEvents } from './calendar';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const period = (window: CalendarWindow, t: string) => {
  const p = periodAt(window, at(t));
  return { start: iso(p.startMs), end: iso(p.endMs) };
};

const UTC_MONTH: CalendarWindow = { unit: 'month', timeZone: 'UTC' };
const PARIS_MONTH: CalendarWindow = { unit: 'month', timeZone: 'Europe/Paris' };
const PARIS_WEEK: CalendarWindow = { unit: 'week', timeZone: 'Europe/Paris' };
const PARIS_QUARTER: CalendarWindow = { unit: 'quarter', timeZone: 'Europe/Paris' };

describe('calendar periods (SPEC §4)', () => {
  it.each([
    // [window, instant, period start, next period start]
    [UTC_MONTH, '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    [UTC_MONTH, '2026-11-30T23:59:59.999Z', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    [UTC_MONTH, '2028-02-15T12:00:00.000Z', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'], // leap February
    // Paris is UTC+1 in winter, UTC+2 in summer
    [PARIS_MONTH, '2026-12-01T00:00:00.000Z', '2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    [PARIS_MONTH, '2026-11-30T22:59:59.999Z', '2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z'],
    // March 2026: clocks go forward on Sunday 29 March (02:00 → 03:00): the month is 1 h shorter
    [PARIS_MONTH, '2026-03-29T01:30:00.000Z', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    [PARIS_MONTH, '2026-04-01T00:00:00.000Z', '2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z'],
    // October 2026: clocks go back on Sunday 25 October (03:00 → 02:00): the month is 1 h longer
    [PARIS_MONTH, '2026-10-25T01:30:00.000Z', '2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z'],
    // weeks start on Monday 00:00 local time (2026-12-07 is a Monday)
    [PARIS_WEEK, '2026-12-07T10:00:00.000Z', '2026-12-06T23:00:00.000Z', '2026-12-13T23:00:00.000Z'],
    [PARIS_WEEK, '2026-12-06T22:59:59.999Z', '2026-11-29T23:00:00.000Z', '2026-12-06T23:00:00.000Z'],
    // the week the clocks change in March: Monday 23 March to Monday 30 March, 167 h
    [PARIS_WEEK, '2026-03-29T12:00:00.000Z', '2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    // quarters start Jan/Apr/Jul/Oct 1st
    [PARIS_QUARTER, '2026-12-01T00:00:00.000Z', '2026-09-30T22:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    [PARIS_QUARTER, '2026-02-10T00:00:00.000Z', '2025-12-31T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    [{ unit: 'quarter', timeZone: 'UTC' }, '2026-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'],
    [{ unit: 'month', timeZone: 'Asia/Kolkata' }, '2026-12-01T00:00:00.000Z', '2026-11-30T18:30:00.000Z', '2026-12-31T18:30:00.000Z'],
  ] as Array<[CalendarWindow, string, string, string]>)('%j at %s: [%s, %s)', (window, t, start, end) => {
    expect(period(window, t)).toEqual({ start, end });
  });

  it('gives the previous period', () => {
    const previous = previousPeriod(PARIS_MONTH, at('2026-12-15T00:00:00Z'));
    expect({ start: iso(previous.startMs), end: iso(previous.endMs) }).toEqual({ start: '2026-10-31T23:00:00.000Z', end: '2026-11-30T23:00:00.000Z' });
  });

  it('puts period starts on an hour grid in whole-hour zones and a 5-minute grid elsewhere', () => {
    const now = at('2026-12-01T00:00:00Z');
    expect(periodGridMs('Europe/Paris', now)).toBe(3_600_000);
    expect(periodGridMs('UTC', now)).toBe(3_600_000);
    expect(periodGridMs('Asia/Kolkata', now)).toBe(300_000);
    expect(periodGridMs('Asia/Kathmandu', now)).toBe(300_000);
  });

  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
  const units = ['week', 'month', 'quarter'] as const;
  const instant = fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2035-12-31T00:00:00Z') });
  const windowArb = fc.record({ unit: fc.constantFrom(...units), timeZone: fc.constantFrom(...zones) });

  it('property: the period contains the instant, and the next period starts where it ends', () => {
    fc.assert(
      fc.property(windowArb, instant, (window, t) => {
        const p = periodAt(window, t);
        expect(p.startMs).toBeLessThanOrEqual(t);
        expect(p.endMs).toBeGreaterThan(t);
        expect(periodAt(window, p.endMs).startMs).toBe(p.endMs);
        expect(periodAt(window, p.startMs)).toEqual(p);
        expect(previousPeriod(window, t).endMs).toBe(p.startMs);
      }),
    );
  });

  it('property: a period start lies on the zone grid the event store keeps', () => {
    fc.assert(
      fc.property(windowArb, instant, (window, t) => {
        expect(periodAt(window, t).startMs % periodGridMs(window.timeZone, t)).toBe(0);
      }),
    );
  });
});

describe('calendar numbers (SPEC §4)', () => {
  const p = { startMs: at('2026-12-01T00:00:00Z'), endMs: at('2027-01-01T00:00:00Z') };

  it('forecasts exhaustion at t + remaining × L / (b_1h − 1) within the period', () => {
    const now = p.startMs + 10 * 86_400_000; // 10 days in
    expect(calendarExhaustsAt(now, 0.5, p, 3)).toBe(now + (0.5 * 10 * 86_400_000) / 2);
  });

  it('has no forecast at b_1h ≤ 1, with no budget left, or past the period end', () => {
    const now = p.startMs + 10 * 86_400_000;
    expect(calendarExhaustsAt(now, 0.5, p, 1)).toBeNull();
    expect(calendarExhaustsAt(now, 0, p, 10)).toBeNull();
    expect(calendarExhaustsAt(now, 0.9, p, 1.1)).toBeNull(); // 10 d × 0.9 / 0.1 = 90 d: after the period
  });

  it('needs 1/e events before the zone follows the budget', () => {
    expect(warmUpEvents(99.9)).toBe(1000);
    expect(warmUpEvents(99)).toBe(100);
    expect(calendarDataState(99.9, 999, 0)).toEqual({ noData: false, warmingUp: true });
    expect(calendarDataState(99.9, 1000, 0)).toEqual({ noData: false, warmingUp: false });
  });

  it('treats an empty period as full unless the previous one was empty too', () => {
    expect(calendarDataState(99.9, 0, 5)).toEqual({ noData: false, warmingUp: true });
    expect(calendarDataState(99.9, 0, 0)).toEqual({ noData: true, warmingUp: false });
  });
});
