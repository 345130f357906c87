import fc from 'fast-check';
import type { CorrectionSpec } from '../../config/app-config';
import { correctedIntervals, correctionCovers, correctionsBySlo, type Interval, mergeIntervals, occurrencesWithin, subtractCorrected } from './corrections';

/**
 * SPEC §4 "Corrections": a correction is `[start, start + duration)`, repeated every 24 h (daily) or
 * 7 × 24 h (weekly) from start, for one SLO, one service or "*"; what it covers is left out of every
 * window, good and total alike, clamped so that 0 ≤ good ≤ total.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PERIOD = { daily: DAY, weekly: WEEK } as const;

const CHECKOUT = { id: 'checkout-availability', service: 'checkout' };

function correction(fields: Partial<CorrectionSpec> & { startMs: number; durationMs: number }): CorrectionSpec {
  return { repeat: null, reason: 'maintenance', ...(fields.slo === undefined && fields.service === undefined ? { service: 'checkout' } : {}), ...fields };
}

/** Oracle: is `t` inside an occurrence of `c` (straight from the definition, no loop)? */
function occurrenceCovers(c: CorrectionSpec, t: number): boolean {
  if (t < c.startMs) return false;
  if (c.repeat === null) return t < c.startMs + c.durationMs;
  const k = Math.floor((t - c.startMs) / PERIOD[c.repeat]);
  return t - (c.startMs + k * PERIOD[c.repeat]) < c.durationMs;
}

const inUnion = (intervals: readonly Interval[], t: number) => intervals.some((i) => i.fromMs <= t && t < i.toMs);
const measure = (intervals: readonly Interval[]) => intervals.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0);

describe('correctionCovers', () => {
  it.each<[string, Partial<CorrectionSpec>, boolean]>([
    ['the SLO named', { slo: 'checkout-availability' }, true],
    ['another SLO of the same service', { slo: 'checkout-latency' }, false],
    ['its service', { service: 'checkout' }, true],
    ['another service', { service: 'search' }, false],
    ['"*": every service', { service: '*' }, true],
    ['a service named like the SLO', { service: 'checkout-availability' }, false],
  ])('%s → %s', (_what, target, covers) => {
    expect(correctionCovers(correction({ startMs: T0, durationMs: HOUR, ...target }), CHECKOUT)).toBe(covers);
  });
});

describe('occurrencesWithin', () => {
  it.each<[string, Partial<CorrectionSpec> & { startMs: number; durationMs: number }, number, number, Array<[number, number]>]>([
    ['a one-off inside the range', { startMs: T0 + HOUR, durationMs: HOUR }, T0, T0 + DAY, [[T0 + HOUR, T0 + 2 * HOUR]]],
    ['a one-off clipped at both ends', { startMs: T0 - HOUR, durationMs: 3 * HOUR }, T0, T0 + HOUR, [[T0, T0 + HOUR]]],
    ['a one-off ending where the range starts (half-open)', { startMs: T0 - HOUR, durationMs: HOUR }, T0, T0 + DAY, []],
    ['a one-off starting where the range ends', { startMs: T0 + DAY, durationMs: HOUR }, T0, T0 + DAY, []],
    ['a one-off long before the range', { startMs: T0 - 30 * DAY, durationMs: HOUR }, T0, T0 + DAY, []],
    ['daily over three days', { startMs: T0, durationMs: 2 * HOUR, repeat: 'daily' }, T0, T0 + 3 * DAY, [
      [T0, T0 + 2 * HOUR],
      [T0 + DAY, T0 + DAY + 2 * HOUR],
      [T0 + 2 * DAY, T0 + 2 * DAY + 2 * HOUR],
    ]],
    ['daily started long ago, the range cutting an occurrence', { startMs: T0 - 100 * DAY - HOUR, durationMs: 2 * HOUR, repeat: 'daily' }, T0, T0 + DAY, [
      [T0, T0 + HOUR],
      [T0 + DAY - HOUR, T0 + DAY],
    ]],
    ['daily: nothing before its first start', { startMs: T0 + 12 * HOUR, durationMs: HOUR, repeat: 'daily' }, T0 - 10 * DAY, T0 + DAY, [[T0 + 12 * HOUR, T0 + 13 * HOUR]]],
    ['weekly over a month', { startMs: T0, durationMs: DAY, repeat: 'weekly' }, T0 + DAY, T0 + 29 * DAY, [
      [T0 + WEEK, T0 + WEEK + DAY],
      [T0 + 2 * WEEK, T0 + 2 * WEEK + DAY],
      [T0 + 3 * WEEK, T0 + 3 * WEEK + DAY],
      [T0 + 4 * WEEK, T0 + 4 * WEEK + DAY],
    ]],
    ['an empty range', { startMs: T0, durationMs: HOUR }, T0 + 10, T0 + 10, []],
    ['a reversed range', { startMs: T0, durationMs: HOUR }, T0 + HOUR, T0, []],
  ])('%s', (_what, fields, from, to, expected) => {
    expect(occurrencesWithin(correction(fields), from, to)).toEqual(expected.map(([fromMs, toMs]) => ({ fromMs, toMs })));
  });
});

describe('mergeIntervals', () => {
  it.each<[string, Array<[number, number]>, Array<[number, number]>]>([
    ['nothing', [], []],
    ['disjoint ones, sorted', [[5, 6], [1, 2]], [[1, 2], [5, 6]]],
    ['touching ones joined', [[1, 2], [2, 3]], [[1, 3]]],
    ['overlapping ones joined', [[1, 4], [3, 6]], [[1, 6]]],
    ['one inside another', [[1, 10], [2, 3], [4, 5]], [[1, 10]]],
    ['a chain out of order', [[7, 9], [1, 3], [2, 7]], [[1, 9]]],
  ])('%s', (_what, input, expected) => {
    const given = input.map(([fromMs, toMs]) => ({ fromMs, toMs }));
    const copy = structuredClone(given);
    expect(mergeIntervals(given)).toEqual(expected.map(([fromMs, toMs]) => ({ fromMs, toMs })));
    expect(given).toEqual(copy); // the input is left as it was
  });
});

describe('correctedIntervals', () => {
  it('joins the occurrences of every correction covering the SLO, and only those', () => {
    const corrections = [
      correction({ service: 'checkout', startMs: T0, durationMs: 2 * HOUR }),
      correction({ slo: 'checkout-availability', startMs: T0 + HOUR, durationMs: 2 * HOUR }),
      correction({ service: 'search', startMs: T0 + 5 * HOUR, durationMs: HOUR }),
      correction({ service: '*', startMs: T0 + 6 * HOUR, durationMs: HOUR, repeat: 'daily' }),
      correction({ slo: 'checkout-latency', startMs: T0 + 4 * HOUR, durationMs: HOUR }),
    ];
    expect(correctedIntervals(corrections, CHECKOUT, T0 - DAY, T0 + DAY)).toEqual([
      { fromMs: T0, toMs: T0 + 3 * HOUR },
      { fromMs: T0 + 6 * HOUR, toMs: T0 + 7 * HOUR },
    ]);
    expect(correctedIntervals(corrections, { id: 'search-availability', service: 'search' }, T0, T0 + DAY)).toEqual([
      { fromMs: T0 + 5 * HOUR, toMs: T0 + 7 * HOUR },
    ]);
    expect(correctedIntervals(corrections, { id: 'cart', service: 'cart' }, T0, T0 + 6 * HOUR)).toEqual([]);
  });
});

describe('subtractCorrected', () => {
  it.each<[string, { good: number; total: number }, Array<{ good: number; total: number }>, boolean, { good: number; total: number }]>([
    ['nothing corrected', { good: 90, total: 100 }, [], false, { good: 90, total: 100 }],
    ['the corrected counts taken out, good and total alike', { good: 90, total: 100 }, [{ good: 2, total: 10 }], false, { good: 88, total: 90 }],
    ['several parts', { good: 90, total: 100 }, [{ good: 5, total: 5 }, { good: 0, total: 10 }], false, { good: 85, total: 85 }],
    ['fractional counts (Prometheus)', { good: 9.5, total: 10 }, [{ good: 0.5, total: 1 }], false, { good: 9, total: 9 }],
    ['more corrected errors than the window has: bad clamped at 0', { good: 95, total: 100 }, [{ good: 0, total: 10 }], false, { good: 90, total: 90 }],
    ['more corrected than the window has: total clamped at 0', { good: 5, total: 10 }, [{ good: 10, total: 20 }], false, { good: 0, total: 0 }],
    ['more corrected good than the window has: good clamped at 0', { good: 2, total: 10 }, [{ good: 5, total: 5 }], false, { good: 0, total: 5 }],
    ['covered whole: no data', { good: 90, total: 100 }, [{ good: 1, total: 1 }], true, { good: 0, total: 0 }],
  ])('%s', (_what, window, parts, whole, expected) => {
    const out = subtractCorrected(window, parts, whole);
    expect(out.good).toBeCloseTo(expected.good, 9);
    expect(out.total).toBeCloseTo(expected.total, 9);
  });
});

// ---------------------------------------------------------------- properties

const RANGE = 60 * DAY;
const instantArb = fc.integer({ min: T0 - RANGE, max: T0 + RANGE });
const repeatArb = fc.constantFrom<CorrectionSpec['repeat']>(null, 'daily', 'weekly');
const targetArb = fc.oneof(
  fc.constantFrom('checkout-availability', 'checkout-latency').map((slo) => ({ slo })),
  fc.constantFrom('checkout', 'search', '*').map((service) => ({ service })),
);
/** A valid correction: duration at least 1 s, shorter than its repeat period (SPEC §3 limits for a one-off). */
const correctionArb: fc.Arbitrary<CorrectionSpec> = fc
  .record({ target: targetArb, startMs: instantArb, repeat: repeatArb, fraction: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) })
  .map(({ target, startMs, repeat, fraction }) => {
    const longest = repeat === null ? 20 * DAY : PERIOD[repeat] - 1;
    const durationMs = 1_000 + Math.floor(fraction * (longest - 1_000));
    return { ...target, startMs, durationMs, repeat, reason: 'r' };
  });
const rangeArb = fc.tuple(instantArb, fc.integer({ min: 0, max: 40 * DAY })).map(([fromMs, length]) => ({ fromMs, toMs: fromMs + length }));
const sloArb = fc.constantFrom(CHECKOUT, { id: 'checkout-latency', service: 'checkout' }, { id: 'search-availability', service: 'search' });
const PROPERTY_RUNS = { numRuns: 300 };

describe('properties', () => {
  it('corrected intervals are non-empty, sorted, disjoint (never touching) and inside the range', () => {
    fc.assert(
      fc.property(fc.array(correctionArb, { maxLength: 6 }), sloArb, rangeArb, (corrections, slo, { fromMs, toMs }) => {
        const intervals = correctedIntervals(corrections, slo, fromMs, toMs);
        intervals.forEach((interval, i) => {
          expect(interval.toMs).toBeGreaterThan(interval.fromMs);
          expect(interval.fromMs).toBeGreaterThanOrEqual(fromMs);
          expect(interval.toMs).toBeLessThanOrEqual(toMs);
          if (i > 0) expect(interval.fromMs).toBeGreaterThan(intervals[i - 1].toMs);
        });
      }),
      PROPERTY_RUNS,
    );
  });

  it('an instant is corrected exactly when it is in the range and an occurrence of a covering correction holds it', () => {
    fc.assert(
      fc.property(
        fc.array(correctionArb, { maxLength: 6 }),
        sloArb,
        rangeArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (corrections, slo, { fromMs, toMs }, positions) => {
          const intervals = correctedIntervals(corrections, slo, fromMs, toMs);
          // probe random instants of the range and around it, and every edge of every occurrence
          const probes = positions.map((p) => Math.floor(fromMs - DAY + p * (toMs - fromMs + 2 * DAY)));
          for (const i of intervals) probes.push(i.fromMs - 1, i.fromMs, i.toMs - 1, i.toMs);
          for (const t of probes) {
            const expected = t >= fromMs && t < toMs && corrections.some((c) => correctionCovers(c, slo) && occurrenceCovers(c, t));
            expect([t, inUnion(intervals, t)]).toEqual([t, expected]);
          }
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it("a repeated correction's occurrences start exactly every period from start, each lasting its duration but where the range cuts it", () => {
    fc.assert(
      fc.property(
        correctionArb.filter((c) => c.repeat !== null),
        rangeArb,
        (c, { fromMs, toMs }) => {
          const period = PERIOD[c.repeat as 'daily' | 'weekly'];
          const out = occurrencesWithin(c, fromMs, toMs);
          out.forEach((o, i) => {
            // the occurrence holding its first instant (shorter than the period: exactly one)
            const k = Math.floor((o.fromMs - c.startMs) / period);
            const begin = c.startMs + k * period;
            expect(k).toBeGreaterThanOrEqual(0);
            // clipped only by the range
            expect(o.fromMs).toBe(Math.max(begin, fromMs));
            expect(o.toMs).toBe(Math.min(begin + c.durationMs, toMs));
            if (i > 0) {
              const previous = Math.floor((out[i - 1].fromMs - c.startMs) / period);
              expect(k).toBe(previous + 1); // none skipped
            }
          });
          // as many as the occurrences overlapping the range
          const first = Math.max(0, Math.floor((fromMs - c.startMs - c.durationMs) / period) + 1);
          const last = Math.ceil((toMs - c.startMs) / period) - 1;
          expect(out).toHaveLength(toMs > fromMs ? Math.max(0, last - first + 1) : 0);
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it('covering more never corrects less: an added correction keeps every corrected instant corrected', () => {
    fc.assert(
      fc.property(fc.array(correctionArb, { maxLength: 5 }), correctionArb, sloArb, rangeArb, (corrections, extra, slo, { fromMs, toMs }) => {
        const before = correctedIntervals(corrections, slo, fromMs, toMs);
        const after = correctedIntervals([...corrections, extra], slo, fromMs, toMs);
        expect(measure(after)).toBeGreaterThanOrEqual(measure(before));
        for (const i of before) for (const t of [i.fromMs, i.toMs - 1]) expect(inUnion(after, t)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  const countsArb = fc
    .tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([total, ratio]) => ({ total, good: total * ratio }));

  it('subtractCorrected keeps 0 ≤ good ≤ total and never raises total, whatever the parts', () => {
    fc.assert(
      fc.property(countsArb, fc.array(countsArb, { maxLength: 5 }), fc.boolean(), (window, parts, whole) => {
        const out = subtractCorrected(window, parts, whole);
        expect(out.good).toBeGreaterThanOrEqual(0);
        expect(out.good).toBeLessThanOrEqual(out.total);
        expect(out.total).toBeLessThanOrEqual(window.total);
        if (whole) expect(out).toEqual({ good: 0, total: 0 });
      }),
      PROPERTY_RUNS,
    );
  });

  it('subtractCorrected: correcting one more part never raises the corrected total', () => {
    fc.assert(
      fc.property(countsArb, fc.array(countsArb, { maxLength: 5 }), countsArb, (window, parts, extra) => {
        const before = subtractCorrected(window, parts, false);
        const after = subtractCorrected(window, [...parts, extra], false);
        expect(after.total).toBeLessThanOrEqual(before.total);
      }),
      PROPERTY_RUNS,
    );
  });

  it('subtractCorrected of consistent parts (sub-counts of the window) is exactly the remainder', () => {
    // a window of integer event counts split into parts: the corrected ones and the rest
    const splitArb = fc.array(fc.record({ good: fc.nat(1_000), bad: fc.nat(1_000), corrected: fc.boolean() }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(splitArb, (split) => {
        const window = { good: 0, total: 0 };
        const rest = { good: 0, total: 0 };
        const parts: Array<{ good: number; total: number }> = [];
        for (const s of split) {
          window.good += s.good;
          window.total += s.good + s.bad;
          if (s.corrected) parts.push({ good: s.good, total: s.good + s.bad });
          else {
            rest.good += s.good;
            rest.total += s.good + s.bad;
          }
        }
        expect(subtractCorrected(window, parts, false)).toEqual(rest);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('correctionsBySlo', () => {
  const spec = (scope: { slo?: string; service?: string }) => ({ ...scope, startMs: 0, durationMs: 1, repeat: null, reason: 'r' });
  const slos = [
    { id: 'a', service: 'checkout' },
    { id: 'b', service: 'checkout' },
    { id: 'c', service: 'search' },
  ];

  it('gives each SLO exactly the corrections that cover it', () => {
    const all = [spec({ service: '*' }), spec({ service: 'checkout' }), spec({ slo: 'c' }), spec({ service: 'billing' })];
    const by = correctionsBySlo(all, slos);
    expect(by.get('a')).toEqual([all[0], all[1]]);
    expect(by.get('b')).toEqual([all[0], all[1]]);
    expect(by.get('c')).toEqual([all[0], all[2]]);
    for (const slo of slos) expect(by.get(slo.id)).toEqual(all.filter((c) => correctionCovers(c, slo)));
  });

  it('leaves out SLOs no correction covers', () => {
    expect(correctionsBySlo([spec({ slo: 'a' })], slos).has('b')).toBe(false);
    expect(correctionsBySlo([], slos).size).toBe(0);
  });
});
