import fc from 'fast-check';
import type { IncidentRecord } from './incident';
import { durationStats, reliabilitySummary } from './reliability';

const H = 3_600_000;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

function incident(n: number, ttd: number | null, ttr: number | null, over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: `inc-${n}`,
    service: 'checkout',
    state: ttr === null ? 'open' : 'resolved',
    startedAtMs: T0,
    detectedAtMs: T0,
    resolvedAtMs: ttr === null ? null : T0 + ttr * 1000,
    timeToDetect: ttd,
    timeToResolve: ttr,
    zoneAtOpen: 'normal',
    zoneNow: 'normal',
    slos: [{ slo: 'a', budgetConsumed: ttr === null ? null : 0.1 }],
    pages: [{ slo: 'a', rule: null, firedAtMs: T0, resolvedAtMs: null }],
    postmortem: { required: false, reasons: [], dueAtMs: null, url: null, summary: null, actionItems: [] },
    timeline: [],
    ...over,
  };
}

describe('the reliability summary', () => {
  it.each([
    [[], { mean: null, p50: null, max: null }],
    [[60], { mean: 60, p50: 60, max: 60 }],
    [[60, 120, 300], { mean: 160, p50: 120, max: 300 }],
    [[60, 120, 300, 600], { mean: 270, p50: 210, max: 600 }],
  ])('of %p seconds: %p', (values, want) => {
    expect(durationStats(values)).toEqual(want);
  });

  it('mean and median lie between the least and the greatest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 50 }), (values) => {
        const { mean, p50, max } = durationStats(values.map((v) => v / 1000));
        const least = Math.min(...values) / 1000;
        expect(max).toBe(Math.max(...values) / 1000);
        for (const v of [mean!, p50!]) {
          expect(v).toBeGreaterThanOrEqual(least - 0.001);
          expect(v).toBeLessThanOrEqual(max! + 0.001);
        }
      }),
    );
  });

  it('counts incidents, MTTD over those with one, MTTR over resolved ones, budgets, postmortems and action items', () => {
    const item = (done: boolean, dueAtMs: number) => ({ title: 't', owner: 'o', dueAtMs, category: 'detection' as const, done });
    const pm = (url: string | null, dueAtMs: number, items: ReturnType<typeof item>[]) => ({ required: true, reasons: ['r'], dueAtMs, url, summary: null, actionItems: items });
    const now = T0 + 100 * H;
    const summary = reliabilitySummary('checkout', '30d', [
      incident(1, 60, 600, { postmortem: pm('https://wiki.example/1', T0, [item(true, T0), item(false, now - 1), item(false, now + H)]) }),
      incident(2, 120, 1200, { postmortem: pm(null, now - H, []) }),
      incident(3, 90, null),
      incident(4, null, null),
    ], now);
    expect(summary).toEqual({
      service: 'checkout',
      window: '30d',
      incidents: 4,
      timeToDetect: { mean: 90, p50: 90, max: 120 },
      timeToResolve: { mean: 900, p50: 900, max: 1200 },
      budgetConsumedByIncidents: { a: 0.2 },
      postmortems: { required: 2, done: 1, overdue: 1 },
      actionItems: { open: 1, overdue: 1, done: 1 },
    });
  });
});
