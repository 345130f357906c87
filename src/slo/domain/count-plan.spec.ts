import fc from 'fast-check';
import type { CorrectionSpec } from '../../config/app-config';
import { budgetRemaining, type Counts } from './budget-math';
import { periodAt } from './calendar';
import { composeCounts, CountPlan, planCounts } from './count-plan';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.parse('2026-12-15T10:00:00Z');

interface Ev {
  t: number;
  good: number;
  total: number;
}

/** An exact oracle for the sources: counts of events in a window (now − w, now] or a range [from, to]. */
function answer(plan: CountPlan, events: readonly Ev[], nowMs: number): Record<string, Counts> {
  const sum = (from: number, to: number): Counts =>
    events.filter((e) => e.t >= from && e.t <= to).reduce((acc, e) => ({ good: acc.good + e.good, total: acc.total + e.total }), { good: 0, total: 0 });
  const raw: Record<string, Counts> = {};
  plan.labels.forEach((label, i) => (raw[label] = sum(nowMs - plan.windowsMs[i] + 1, nowMs)));
  for (const range of plan.ranges) raw[range.key] = sum(range.fromMs, range.toMs);
  return raw;
}

const inside = (c: CorrectionSpec, t: number): boolean => {
  if (c.repeat === null) return t >= c.startMs && t < c.startMs + c.durationMs;
  const period = c.repeat === 'daily' ? D : 7 * D;
  if (t < c.startMs) return false;
  return (t - c.startMs) % period < c.durationMs;
};

const rolling = { slo: { id: 'api', service: 'api', window: '30d' }, labels: ['1h', '1d', '30d'], windowsMs: [H, D, 30 * D] };
const monthly = { slo: { id: 'orders', service: 'orders', window: 'month', calendar: { unit: 'month' as const, timeZone: 'Europe/Paris' } }, labels: ['1h'], windowsMs: [H] };

describe('planCounts / composeCounts', () => {
  it('asks nothing more than the windows when no correction applies', () => {
    const plan = planCounts(rolling, [{ service: 'other', startMs: NOW - H, durationMs: H, repeat: null, reason: 'x' }], NOW);
    expect(plan.ranges).toEqual([]);
    expect(composeCounts(plan, { '1h': { good: 9, total: 10 }, '1d': { good: 9, total: 10 }, '30d': { good: 90, total: 100 } }).counts['30d']).toEqual({ good: 90, total: 100 });
  });

  it('takes a correction out of every window it overlaps, asking its part once', () => {
    const correction: CorrectionSpec = { service: 'api', startMs: NOW - 3 * H, durationMs: 2 * H, repeat: null, reason: 'maintenance' };
    const plan = planCounts(rolling, [correction], NOW);
    expect(plan.ranges).toEqual([{ key: `@c:${NOW - 3 * H}:${NOW - H}`, fromMs: NOW - 3 * H, toMs: NOW - H - 1, interpolateEnd: true }]);
    const events: Ev[] = [
      { t: NOW - 2 * H, good: 0, total: 1000 },
      { t: NOW - 5 * H, good: 99, total: 100 },
      { t: NOW - 10 * M, good: 50, total: 50 },
    ];
    const { counts } = composeCounts(plan, answer(plan, events, NOW));
    expect(counts['1h']).toEqual({ good: 50, total: 50 });
    expect(counts['1d']).toEqual({ good: 149, total: 150 });
    expect(counts['30d']).toEqual({ good: 149, total: 150 });
  });

  it('makes a window covered whole by corrections a window with no data', () => {
    const plan = planCounts(rolling, [{ slo: 'api', startMs: NOW - 2 * H, durationMs: 3 * H, repeat: null, reason: 'outage drill' }], NOW);
    const { counts } = composeCounts(plan, answer(plan, [{ t: NOW - 30 * M, good: 0, total: 10 }], NOW));
    expect(counts['1h']).toEqual({ good: 0, total: 0 });
    expect(counts['1d']).toEqual({ good: 0, total: 0 });
  });

  it('counts a calendar period from its start, and the previous period whole', () => {
    const plan = planCounts(monthly, [], NOW);
    const start = Date.parse('2026-11-30T23:00:00Z');
    expect(plan.period).toEqual({ startMs: start, endMs: Date.parse('2026-12-31T23:00:00Z') });
    const raw = answer(plan, [
      { t: start - 1, good: 0, total: 7 },
      { t: start, good: 5, total: 5 },
    ], NOW);
    const composed = composeCounts(plan, raw);
    expect(composed.counts.month).toEqual({ good: 5, total: 5 });
    expect(composed.previousPeriodTotal).toBe(7);
  });

  const correctionArb: fc.Arbitrary<CorrectionSpec> = fc.record({
    service: fc.constantFrom('orders', '*', 'other'),
    startMs: fc.integer({ min: NOW - 70 * D, max: NOW }),
    durationMs: fc.integer({ min: M, max: 20 * H }),
    repeat: fc.constantFrom(null, 'daily' as const, 'weekly' as const),
    reason: fc.constant('maintenance'),
  });
  const eventArb: fc.Arbitrary<Ev> = fc
    .record({ t: fc.integer({ min: NOW - 70 * D, max: NOW }), bad: fc.integer({ min: 0, max: 50 }), good: fc.integer({ min: 0, max: 500 }) })
    .map(({ t, bad, good }) => ({ t, good, total: good + bad }));

  it('property: period counts are the events since the period start outside every correction; none before it counts', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.array(correctionArb, { maxLength: 4 }), fc.integer({ min: NOW - 40 * D, max: NOW }), (events, corrections, now) => {
        const plan = planCounts(monthly, corrections, now);
        const { counts } = composeCounts(plan, answer(plan, events, now));
        const start = periodAt(monthly.slo.calendar, now).startMs;
        const kept = events.filter((e) => e.t >= start && e.t <= now && !corrections.some((c) => c.service !== 'other' && inside(c, e.t)));
        const want = kept.reduce((acc, e) => ({ good: acc.good + e.good, total: acc.total + e.total }), { good: 0, total: 0 });
        expect(counts.month).toEqual(want);
      }),
    );
  });

  it('property: the budget is full at each period start (only events stamped at that instant count)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.integer({ min: NOW - 60 * D, max: NOW }), (events, t) => {
        const start = periodAt(monthly.slo.calendar, t).startMs;
        const plan = planCounts(monthly, [], start);
        const { counts } = composeCounts(plan, answer(plan, events.filter((e) => e.t !== start), start));
        expect(counts.month).toEqual({ good: 0, total: 0 });
        expect(budgetRemaining(counts.month.good, counts.month.total, 99.9)).toBe(1);
      }),
    );
  });
});
