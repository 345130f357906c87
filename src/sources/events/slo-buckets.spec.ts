import fc from 'fast-check';
import { computeBucketLayout, defaultWindowsMs, layoutFromTiers } from './bucket-layout';
import { reshape } from './bucket-registry';
import { SloBuckets } from './slo-buckets';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-11-21T00:00:00Z');

function snapshot(b: SloBuckets): number[] {
  return [...b.buf];
}

describe('SloBuckets', () => {
  it('a ring keeps the newest buckets, refuses older ones and records the loss in completeFrom', () => {
    const b = new SloBuckets(layoutFromTiers([{ widthMs: 10 * S, capacity: 4 }], H));
    b.add(T0, 1, 1); // bucket i0
    expect(b.completeFromMs(0)).toBe(-Infinity);
    b.add(T0 + 30 * S, 1, 2); // i0 + 3: still fits
    expect(b.completeFromMs(0)).toBe(-Infinity);
    b.add(T0 + 40 * S, 1, 3); // i0 + 4: pushes i0 out
    expect(b.completeFromMs(0)).toBe(T0 + 10 * S);
    b.add(T0 + 5 * S, 1, 1); // refused, too old
    expect(b.windowCounts(T0 + 45 * S, [40 * S])).toEqual([{ good: 2, total: 5 }]);
    b.add(T0 + 10 * 60 * S, 1, 1); // far ahead: everything pushed out
    expect(b.completeFromMs(0)).toBe(T0 + 50 * S);
  });

  it('the final state does not depend on the order of writes', () => {
    const layout = computeBucketLayout([5 * M, H, D]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * D }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 })), { maxLength: 60 }),
        fc.integer(),
        (events, seed) => {
          const a = new SloBuckets(layout);
          const b = new SloBuckets(layout);
          for (const [t, g, n] of events) a.add(T0 + t, g, n);
          const shuffled = [...events].sort((x, y) => ((x[0] * 31 + seed) % 97) - ((y[0] * 31 + seed) % 97));
          for (const [t, g, n] of shuffled) b.add(T0 + t, g, n);
          expect(snapshot(b)).toEqual(snapshot(a));
        },
      ),
    );
  });

  it('the end edge is exact to the 10s bucket: a later event in the same 1h bucket is not counted', () => {
    const b = new SloBuckets(computeBucketLayout(defaultWindowsMs(30 * D)));
    const end = T0 + 10 * H + 30 * M + 5 * S;
    b.add(end - 2 * D, 1, 1);
    b.add(end, 1, 1); // at the end: counted
    b.add(end + 20 * S, 0, 100); // after the end, same hour
    expect(b.windowCounts(end, [3 * D, 30 * D])).toEqual([
      { good: 2, total: 2 },
      { good: 2, total: 2 },
    ]);
  });

  it('at a past instant only in a coarse ring, counts the share of the bucket up to the end, not the whole bucket', () => {
    // rings: 10s over 5 minutes, 1h over 4 hours; one event a minute for 3 hours
    const b = new SloBuckets(layoutFromTiers([{ widthMs: 10 * S, capacity: 40 }, { widthMs: H, capacity: 6 }], 4 * H));
    for (let t = T0; t < T0 + 3 * H; t += M) b.add(t, 1, 1);
    const past = T0 + H + 30 * M; // the 10s ring no longer reaches here
    expect(b.completeFromMs(0)).toBeGreaterThan(past);
    // the 5m window ending at past: 5/60 of the hour bucket holding it, not the 60 events of that hour
    expect(b.windowCounts(past, [5 * M])).toEqual([{ good: 5, total: 5 }]);
    // 90 minutes: the whole first hour, then 30/60 of the second
    expect(b.windowCounts(past, [90 * M])).toEqual([{ good: 90, total: 90 }]);
    // at the newest bucket the end stays whole (nothing after it but events stamped ahead)
    expect(b.windowCounts(T0 + 3 * H - 1, [5 * M])[0].total).toBe(5);
  });

  it('falls back to a coarser complete ring when the natural one is not complete yet', () => {
    const b = new SloBuckets(computeBucketLayout([H, D]));
    b.add(T0, 1, 1);
    b.raiseCompleteFrom(b.tierIndexOf(M), T0 + 30 * M); // as if the 1m ring had been added at T0+30m
    expect(b.chooseTier(T0 + 40 * M - H, H)).toBe(b.tierIndexOf(20 * M));
    expect(b.windowCounts(T0 + 40 * M, [H])).toEqual([{ good: 1, total: 1 }]);
  });

  it('reshape keeps rings, seeds new coarser rings exactly from finer ones', () => {
    const before = new SloBuckets(computeBucketLayout([5 * M, H]));
    for (let m = 0; m < 100; m++) before.add(T0 + m * M + 7 * S, 1, 2);
    const after = reshape(before, computeBucketLayout([5 * M, H, 6 * H]));
    const end = T0 + 100 * M;
    expect(after.windowCounts(end, [5 * M, H])).toEqual(before.windowCounts(end, [5 * M, H]));
    const five = after.tierIndexOf(5 * M);
    // the 1m ring held 127 minutes: the new 5m ring is complete from T0
    expect(after.completeFromMs(five)).toBe(-Infinity);
    expect(after.windowCounts(end, [6 * H])).toEqual([{ good: 100, total: 200 }]);
  });

  it('reshape: a new finest ring starts empty, complete from the end of the newest data', () => {
    const before = new SloBuckets(computeBucketLayout([H]));
    before.add(T0 + 30 * S, 1, 1);
    const after = reshape(before, computeBucketLayout([5 * M, H]));
    expect(after.completeFromMs(after.tierIndexOf(10 * S))).toBe(T0 + M);
    after.add(T0 + 2 * M, 1, 1);
    expect(after.windowCounts(T0 + 3 * M, [5 * M, H])).toEqual([
      { good: 2, total: 2 },
      { good: 2, total: 2 },
    ]);
  });
});
