import { computeBucketLayout, defaultWindowsMs, naturalTierWidth, ringCapacity, TIER_WIDTHS_MS, toleranceMs } from './bucket-layout';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('bucket layout', () => {
  it('picks the widest tier within max(10s, w/60)', () => {
    expect(naturalTierWidth(1 * M)).toBe(10 * S);
    expect(naturalTierWidth(5 * M)).toBe(10 * S);
    expect(naturalTierWidth(30 * M)).toBe(10 * S);
    expect(naturalTierWidth(1 * H)).toBe(1 * M);
    expect(naturalTierWidth(2 * H)).toBe(1 * M);
    expect(naturalTierWidth(6 * H)).toBe(5 * M);
    expect(naturalTierWidth(1 * D)).toBe(20 * M);
    expect(naturalTierWidth(3 * D)).toBe(1 * H);
    expect(naturalTierWidth(7 * D)).toBe(1 * H);
    expect(naturalTierWidth(28 * D)).toBe(4 * H);
    expect(naturalTierWidth(30 * D)).toBe(12 * H);
    expect(naturalTierWidth(90 * D)).toBe(1 * D);
    for (const w of [M, 7 * M, H, 13 * H, 5 * D, 45 * D, 365 * D]) expect(naturalTierWidth(w)).toBeLessThanOrEqual(toleranceMs(w));
  });

  it('widths are aligned and each divides the next', () => {
    for (let i = 1; i < TIER_WIDTHS_MS.length; i++) expect(TIER_WIDTHS_MS[i] % TIER_WIDTHS_MS[i - 1]).toBe(0);
  });

  it('default rules on a 30d SLO: rings 10s, 1m, 5m, 20m, 1h, 12h, about 690 slots', () => {
    const layout = computeBucketLayout(defaultWindowsMs(30 * D));
    expect(layout.tiers.map((t) => t.widthMs)).toEqual([10 * S, M, 5 * M, 20 * M, H, 12 * H]);
    expect(layout.tiers.map((t) => t.capacity)).toEqual([
      ringCapacity(30 * M, 10 * S), // 180 + 2 + 30
      ringCapacity(2 * H, M),
      ringCapacity(6 * H, 5 * M),
      ringCapacity(D, 20 * M),
      ringCapacity(3 * D, H),
      ringCapacity(60 * D, 12 * H), // two SLO windows
    ]);
    expect(layout.tiers[0].capacity).toBe(212);
    expect(layout.tiers[5].capacity).toBe(123);
    expect(layout.totalSlots).toBe(687);
    expect(layout.offsets).toEqual([0, 212, 339, 414, 489, 564]);
    expect(layout.longestWindowMs).toBe(30 * D);
  });

  it('a ring covers its longest window, the end partial bucket and 5 minutes of future', () => {
    for (const w of [M, 5 * M, 30 * M, H, 6 * H, D, 3 * D, 7 * D, 30 * D]) {
      const layout = computeBucketLayout([w, 90 * D]);
      const tier = layout.tiers.find((t) => t.widthMs === naturalTierWidth(w))!;
      expect(tier.capacity * tier.widthMs).toBeGreaterThanOrEqual(w + 5 * M + tier.widthMs);
    }
  });

  it('equal windows give equal keys; order and duplicates do not matter', () => {
    expect(computeBucketLayout([H, 5 * M, 30 * D]).key).toBe(computeBucketLayout([30 * D, 5 * M, H, H]).key);
    expect(computeBucketLayout([H, 30 * D]).key).not.toBe(computeBucketLayout([H, 28 * D]).key);
  });

  it('refuses empty or invalid windows', () => {
    expect(() => computeBucketLayout([])).toThrow();
    expect(() => computeBucketLayout([0])).toThrow();
    expect(() => computeBucketLayout([Number.NaN])).toThrow();
  });

  it('default windows leave out rows longer than the SLO window, keep 1h', () => {
    expect(defaultWindowsMs(30 * D)).toEqual([5 * M, 30 * M, H, 2 * H, 6 * H, D, 3 * D, 30 * D]);
    expect(defaultWindowsMs(12 * H)).toEqual([5 * M, 30 * M, H, 6 * H, 12 * H]);
    expect(defaultWindowsMs(30 * M)).toEqual([30 * M, H]);
  });
});
