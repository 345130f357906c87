import fc from 'fast-check';
import { computeBucketLayout, defaultWindowsMs } from './bucket-layout';
import { SloBuckets } from './slo-buckets';

/** `SloBuckets.rangeCounts` (SPEC §4 calendar periods and corrections): counts of [from, to]. */
const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.parse('2026-12-15T10:00:00Z');

/** A calendar-month SLO's layout: default rule windows and an hour ring over two months + 2 days. */
const calendarLayout = computeBucketLayout(
  defaultWindowsMs(30 * D).filter((w) => w !== 30 * D),
  [{ widthMs: H, spanMs: 2 * (31 * D + H) + 2 * D }],
);

interface Ev {
  t: number;
  good: number;
  total: number;
}

function fill(events: Ev[]): SloBuckets {
  const b = new SloBuckets(calendarLayout);
  for (const e of [...events].sort((x, y) => x.t - y.t)) b.add(e.t, e.good, e.total);
  return b;
}

const sumOf = (events: Ev[], from: number, to: number) =>
  events.filter((e) => e.t >= from && e.t <= to).reduce((acc, e) => ({ good: acc.good + e.good, total: acc.total + e.total }), { good: 0, total: 0 });

describe('SloBuckets.rangeCounts', () => {
  const periodStart = Date.parse('2026-11-30T23:00:00Z'); // December 1st 00:00 in Paris

  it('counts from a period start exactly, however old: an event 1 ms before it never counts', () => {
    const events: Ev[] = [
      { t: periodStart - 1, good: 0, total: 500 },
      { t: periodStart, good: 990, total: 1000 },
      { t: periodStart + 3 * D + 17 * M, good: 10, total: 10 },
      { t: NOW - 5 * S, good: 7, total: 8 },
    ];
    const b = fill(events);
    expect(b.rangeCounts(periodStart, NOW, false)).toEqual({ good: 1007, total: 1018 });
    // off the grid, the edge bucket is taken pro rata: 1 ms of the hour holding 500 events
    expect(b.rangeCounts(periodStart - 1, NOW, false).total).toBeCloseTo(1018 + 500 / H, 9);
  });

  it('counts the end bucket whole at "now" and pro rata at the end of a correction', () => {
    const b = fill([{ t: NOW - 2 * S, good: 10, total: 10 }]);
    expect(b.rangeCounts(NOW - H, NOW - 5 * S, false).total).toBe(10); // the whole 10 s bucket holding "now"
    const bucketStart = Math.floor((NOW - 5 * S) / (10 * S)) * 10 * S;
    expect(b.rangeCounts(NOW - H, NOW - 5 * S, true).total).toBeCloseTo((10 * (NOW - 5 * S + 1 - bucketStart)) / (10 * S), 9);
  });

  it('is exact for ranges on the grid of the finest ring holding them', () => {
    const events: Ev[] = [];
    for (let t = NOW - 20 * D; t < NOW; t += 7 * M + 13 * S) events.push({ t, good: 9, total: 10 });
    const b = fill(events);
    // a 2 h correction 9 days ago (hour ring), 3 h ago (5 min ring), 20 min ago (10 s ring)
    for (const [from, to] of [
      [NOW - 9 * D - 2 * H, NOW - 9 * D],
      [NOW - 3 * H, NOW - 2 * H],
      [NOW - 20 * M, NOW - 10 * M],
    ]) {
      const got = b.rangeCounts(from, to - 1, true);
      const want = sumOf(events, from, to - 1);
      expect([from, got.good, got.total]).toEqual([from, expect.closeTo(want.good, 9), expect.closeTo(want.total, 9)]);
    }
  });

  it('property: the count of [a, c] is the count of [a, b − 1] plus [b, c] (no event counted twice or lost)', () => {
    const events: Ev[] = [];
    for (let t = NOW - 40 * D; t < NOW; t += 11 * M + 7 * S) events.push({ t, good: 1, total: 2 });
    const b = fill(events);
    const hourAligned = fc.integer({ min: 1, max: 40 * 24 - 2 }).map((h) => Math.floor(NOW / H) * H - h * H);
    fc.assert(
      fc.property(hourAligned, hourAligned, (x, y) => {
        const [a, c] = x < y ? [x, y] : [y, x];
        fc.pre(c - a >= 2 * H);
        const mid = a + Math.floor((c - a) / H / 2) * H;
        const whole = b.rangeCounts(a, c - 1, true).total;
        const parts = b.rangeCounts(a, mid - 1, true).total + b.rangeCounts(mid, c - 1, true).total;
        expect(whole).toBeCloseTo(parts, 6);
        expect(whole).toBeCloseTo(sumOf(events, a, c - 1).total, 6);
      }),
    );
  });
});
