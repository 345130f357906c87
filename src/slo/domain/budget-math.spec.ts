import fc from 'fast-check';
import {
  allowedErrorRatio,
  budgetRemaining,
  burnRate,
  computeBudget,
  errorRatio,
  exhaustsAt,
  sliValue,
  type BudgetInput,
} from './budget-math';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const W30D = 30 * DAY;

/** `expect(actual).toBeCloseTo(expected)` with a relative tolerance. */
function expectRel(actual: number | null, expected: number, rel = 1e-9): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel + 1e-15);
}

describe('allowedErrorRatio', () => {
  it.each([
    [99.9, 0.001],
    [99, 0.01],
    [99.99, 0.0001],
    [95, 0.05],
    [50, 0.5],
  ])('objective %p%% allows %p', (objective, e) => {
    expectRel(allowedErrorRatio(objective), e, 1e-12);
  });
});

describe('errorRatio / sliValue / burnRate / budgetRemaining, hand-computed', () => {
  // SPEC §5 example: 99.9% over 30d, 10,000,000 events, 5,900 bad.
  it('99.9% with 10,000,000 total and 9,994,100 good', () => {
    expectRel(errorRatio(9_994_100, 10_000_000), 0.00059);
    expectRel(sliValue(9_994_100, 10_000_000), 0.99941);
    expectRel(burnRate(9_994_100, 10_000_000, 99.9), 0.59);
    expectRel(budgetRemaining(9_994_100, 10_000_000, 99.9), 0.41);
  });

  it.each([
    // objective, good, total, r, burn rate, remaining
    [99, 990, 1000, 0.01, 1, 0],
    [99, 995, 1000, 0.005, 0.5, 0.5],
    [99, 970, 1000, 0.03, 3, -2],
    [99.9, 100, 100, 0, 0, 1],
    [99.9, 9856, 10000, 0.0144, 14.4, -13.4],
    [95, 0, 40, 1, 20, -19],
    [75, 50, 100, 0.5, 2, -1],
  ])('O=%p good=%p total=%p → r=%p b=%p remaining=%p', (objective, good, total, r, b, remaining) => {
    expectRel(errorRatio(good, total), r);
    expectRel(sliValue(good, total), 1 - r);
    expectRel(burnRate(good, total, objective), b);
    expectRel(budgetRemaining(good, total, objective), remaining);
  });

  it('accepts fractional counts (Prometheus increase())', () => {
    // 0.75 bad out of 100.25
    const r = 0.75 / 100.25;
    expectRel(errorRatio(99.5, 100.25), r);
    expectRel(burnRate(99.5, 100.25, 99), r / 0.01);
    expectRel(budgetRemaining(99.5, 100.25, 99), 1 - r / 0.01);
    expectRel(errorRatio(0.2, 0.5), 0.6);
  });

  it.each([0, -1, -0.5])('total %p is no data', (total) => {
    expect(errorRatio(0, total)).toBeNull();
    expect(sliValue(0, total)).toBeNull();
    expect(burnRate(0, total, 99.9)).toBe(0);
    expect(budgetRemaining(0, total, 99.9)).toBe(1);
  });

  it('clamps good > total to no errors', () => {
    expect(errorRatio(150, 100)).toBe(0);
    expect(sliValue(150, 100)).toBe(1);
    expect(burnRate(150, 100, 99)).toBe(0);
    expect(budgetRemaining(150, 100, 99)).toBe(1);
  });

  it('clamps negative good to all errors', () => {
    expect(errorRatio(-50, 100)).toBe(1);
    expect(sliValue(-50, 100)).toBe(0);
    expectRel(burnRate(-50, 100, 99), 100);
    expectRel(budgetRemaining(-50, 100, 99), -99);
  });
});

describe('exhaustsAt', () => {
  it('reproduces the SPEC budget example (remaining 0.41, 30d, b_1h = 3.1)', () => {
    const now = Date.parse('2026-11-21T10:00:00.000Z');
    const at = exhaustsAt(now, 0.41, W30D, 3.1);
    // 0.41 × 2,592,000,000 ms / 3.1 = 342,812,903.2258 ms = 3 d 23 h 13 min 32.903 s
    expectRel(at === null ? null : at - now, 342_812_903.2258, 1e-10);
    expect(new Date(Math.round((at as number) / 1000) * 1000).toISOString()).toBe('2026-11-25T09:13:33.000Z');
  });

  it('is a straight line: half the budget at burn rate 2 on a 30d window lasts 7.5 days', () => {
    expectRel(exhaustsAt(1_000, 0.5, W30D, 2), 1_000 + 7.5 * DAY);
  });

  it.each([
    [0.5, 1],
    [0.5, 0.3],
    [0.5, 0],
    [0, 5],
    [-0.2, 5],
  ])('remaining %p, b_1h %p → null', (remaining, b) => {
    expect(exhaustsAt(1_000, remaining, W30D, b)).toBeNull();
  });

  it('just above burn rate 1 gives a forecast', () => {
    expect(exhaustsAt(0, 1, W30D, 1.0000001)).toBeGreaterThan(0);
  });
});

describe('computeBudget', () => {
  const labels = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
  const base = (counts: BudgetInput['counts']): BudgetInput => ({
    objective: 99.9,
    windowMs: W30D,
    nowMs: Date.parse('2026-11-21T10:00:00.000Z'),
    windowLabels: labels,
    counts,
    sloWindow: '30d',
  });

  it('assembles the SPEC example', () => {
    const counts: BudgetInput['counts'] = {
      '5m': { good: 9979, total: 10_000 }, // b 2.1
      '30m': { good: 9972, total: 10_000 }, // b 2.8
      '1h': { good: 99_690, total: 100_000 }, // b 3.1
      '2h': { good: 9965, total: 10_000 }, // b 3.5
      '6h': { good: 9967, total: 10_000 }, // b 3.3
      '1d': { good: 9968, total: 10_000 }, // b 3.2
      '3d': { good: 9976, total: 10_000 }, // b 2.4
      '30d': { good: 9_994_100, total: 10_000_000 },
    };
    const out = computeBudget(base(counts));
    expect(out.good).toBe(9_994_100);
    expect(out.total).toBe(10_000_000);
    expect(out.noData).toBe(false);
    expectRel(out.sli, 0.99941);
    expectRel(out.remaining, 0.41);
    expectRel(out.consumed, 0.59);
    expect(Object.keys(out.burnRates).sort()).toEqual([...labels].sort());
    const expected: Record<string, number> = { '5m': 2.1, '30m': 2.8, '1h': 3.1, '2h': 3.5, '6h': 3.3, '1d': 3.2, '3d': 2.4 };
    for (const [label, b] of Object.entries(expected)) expectRel(out.burnRates[label], b);
    expect(new Date(Math.round((out.exhaustsAtMs as number) / 1000) * 1000).toISOString()).toBe(
      '2026-11-25T09:13:33.000Z',
    );
  });

  it('always includes 1h, and no SLO-window key unless it is a rule window', () => {
    const out = computeBudget({
      ...base({ '5m': { good: 90, total: 100 }, '1h': { good: 995, total: 1000 }, '30d': { good: 10, total: 10 } }),
      windowLabels: ['5m'],
    });
    expect(Object.keys(out.burnRates).sort()).toEqual(['1h', '5m']);
    expectRel(out.burnRates['5m'], 100);
    expectRel(out.burnRates['1h'], 5);
    expect(out.remaining).toBe(1);
    // b_1h = 5 with the whole budget left: 30d / 5 = 6 days
    expectRel((out.exhaustsAtMs as number) - base({}).nowMs, 6 * DAY);
  });

  it('no data over the SLO window: sli null, remaining 1, no forecast, noData', () => {
    const out = computeBudget({ ...base({ '1h': { good: 0, total: 0 }, '30d': { good: 0, total: 0 } }), windowLabels: [] });
    expect(out).toEqual({
      sli: null,
      good: 0,
      total: 0,
      remaining: 1,
      consumed: 0,
      exhaustsAtMs: null,
      burnRates: { '1h': 0 },
      noData: true,
    });
  });
});

describe('properties', () => {
  const objective = fc.double({ noNaN: true, min: 50, max: 99.999 });

  it('more bad events (same total) never raise remaining', () => {
    fc.assert(
      fc.property(objective, fc.integer({ min: 1, max: 1e9 }), fc.double({ noNaN: true, min: 0, max: 1 }), fc.double({ noNaN: true, min: 0, max: 1 }), (o, total, a, b) => {
        const goodHigh = Math.floor(total * Math.max(a, b));
        const goodLow = Math.floor(total * Math.min(a, b));
        expect(budgetRemaining(goodLow, total, o)).toBeLessThanOrEqual(budgetRemaining(goodHigh, total, o));
        expect(burnRate(goodLow, total, o)).toBeGreaterThanOrEqual(burnRate(goodHigh, total, o));
      }),
    );
  });

  it('burn rate scales linearly with the error ratio', () => {
    fc.assert(
      fc.property(
        objective,
        fc.double({ noNaN: true, min: 1, max: 1e9 }),
        fc.double({ noNaN: true, min: 1e-4, max: 1 }),
        fc.double({ noNaN: true, min: 1e-2, max: 1 }),
        (o, total, r, k) => {
          const b = burnRate(total - r * total, total, o);
          const bk = burnRate(total - k * r * total, total, o);
          expectRel(bk, k * b, 1e-9);
        },
      ),
    );
  });

  it('remaining = 1 − burn rate over the SLO window, consumed + remaining = 1, sli ∈ [0, 1]', () => {
    fc.assert(
      fc.property(
        objective,
        fc.double({ noNaN: true, min: -1e9, max: 1e9 }),
        fc.double({ noNaN: true, min: -10, max: 1e9 }),
        (o, good, total) => {
          const out = computeBudget({
            objective: o,
            windowMs: W30D,
            nowMs: 0,
            windowLabels: ['30d'],
            counts: { '30d': { good, total }, '1h': { good, total } },
            sloWindow: '30d',
          });
          expect(out.remaining).toBe(1 - out.burnRates['30d']);
          expect(out.consumed + out.remaining).toBeCloseTo(1, 9);
          expect(out.noData).toBe(!(total > 0));
          if (out.sli === null) {
            expect(total).toBeLessThanOrEqual(0);
          } else {
            expect(out.sli).toBeGreaterThanOrEqual(0);
            expect(out.sli).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('exhaustsAt is null or after now, and later when more budget remains', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.double({ noNaN: true, min: -1, max: 1 }),
        fc.double({ noNaN: true, min: 0.01, max: 1 }),
        fc.integer({ min: HOUR, max: 400 * DAY }),
        fc.double({ noNaN: true, min: 0, max: 1000 }),
        (now, remaining, grow, windowMs, b1h) => {
          const at = exhaustsAt(now, remaining, windowMs, b1h);
          if (b1h <= 1 || remaining <= 0) {
            expect(at).toBeNull();
            return;
          }
          expect(at).not.toBeNull();
          const later = exhaustsAt(now, remaining * (1 + grow), windowMs, b1h) as number;
          // a vanishing remaining (1e-300) lands on `now` itself in floating point
          expect(at as number).toBeGreaterThanOrEqual(now);
          expect(later).toBeGreaterThanOrEqual(at as number);
          if (remaining >= 1e-3) {
            expect(at as number).toBeGreaterThan(now);
            expect(later).toBeGreaterThan(at as number);
          }
        },
      ),
    );
  });
});
