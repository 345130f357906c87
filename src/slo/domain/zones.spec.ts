import fc from 'fast-check';
import {
  serviceZone,
  sloZone,
  ZONE_SEVERITY_ORDER,
  zoneForRemaining,
  type SloZoneInput,
  type Zone,
  type ZoneThresholds,
} from './zones';

const DEFAULTS: ZoneThresholds = { caution: 0.5, freeze: 0.25 };
const CUSTOM: ZoneThresholds = { caution: 0.8, freeze: 0.1 };
const MINUTE = 60_000;

describe('zoneForRemaining', () => {
  it.each<[number, Zone]>([
    [1, 'normal'],
    [0.75, 'normal'],
    [0.5000001, 'normal'],
    [0.5, 'caution'], // exactly c
    [0.4, 'caution'],
    [0.25, 'caution'], // exactly f
    [0.2499999, 'freeze'],
    [0.1, 'freeze'],
    [Number.MIN_VALUE, 'freeze'],
    [0, 'exhausted'],
    [-0.01, 'exhausted'],
    [-5, 'exhausted'],
  ])('default thresholds: remaining %p → %p', (remaining, zone) => {
    expect(zoneForRemaining(remaining, DEFAULTS)).toBe(zone);
  });

  it.each<[number, Zone]>([
    [1, 'normal'],
    [0.81, 'normal'],
    [0.8, 'caution'],
    [0.5, 'caution'], // would be caution by default too
    [0.3, 'caution'], // freeze under the defaults
    [0.1, 'caution'],
    [0.09, 'freeze'],
    [0, 'exhausted'],
    [-1, 'exhausted'],
  ])('custom thresholds 0.8/0.1: remaining %p → %p', (remaining, zone) => {
    expect(zoneForRemaining(remaining, CUSTOM)).toBe(zone);
  });

  it('a remaining above 1 (never happens from counts, but harmless) is normal', () => {
    expect(zoneForRemaining(1.5, DEFAULTS)).toBe('normal');
  });
});

describe('sloZone', () => {
  const now = Date.parse('2026-11-21T10:00:00.000Z');
  const base: SloZoneInput = {
    remaining: 0.41,
    evaluatedAtMs: now - 10_000,
    nowMs: now,
    evaluationIntervalMs: MINUTE,
    noData: false,
    onNoData: 'unknown',
    thresholds: DEFAULTS,
  };

  it('uses the remaining budget when fresh and with data', () => {
    expect(sloZone(base)).toBe('caution');
    expect(sloZone({ ...base, remaining: 0.9 })).toBe('normal');
    expect(sloZone({ ...base, remaining: 0.1 })).toBe('freeze');
    expect(sloZone({ ...base, remaining: -0.3 })).toBe('exhausted');
    expect(sloZone({ ...base, remaining: 0.41, thresholds: { caution: 0.4, freeze: 0.2 } })).toBe('normal');
  });

  it('is unknown when never evaluated', () => {
    expect(sloZone({ ...base, evaluatedAtMs: null, remaining: null })).toBe('unknown');
    expect(sloZone({ ...base, evaluatedAtMs: null })).toBe('unknown');
    expect(sloZone({ ...base, remaining: null })).toBe('unknown');
  });

  it('stays known at exactly 3 intervals old and turns unknown just beyond', () => {
    expect(sloZone({ ...base, evaluatedAtMs: now - 3 * MINUTE })).toBe('caution');
    expect(sloZone({ ...base, evaluatedAtMs: now - 3 * MINUTE - 1 })).toBe('unknown');
    expect(sloZone({ ...base, evaluatedAtMs: now - 3 * 10_000, evaluationIntervalMs: 10_000 })).toBe('caution');
    expect(sloZone({ ...base, evaluatedAtMs: now - 3 * 10_000 - 1, evaluationIntervalMs: 10_000 })).toBe('unknown');
  });

  it('staleness wins over any remaining, even an exhausted one', () => {
    expect(sloZone({ ...base, remaining: -1, evaluatedAtMs: now - 4 * MINUTE })).toBe('unknown');
  });

  it('no data in the whole window follows policy.onNoData', () => {
    expect(sloZone({ ...base, remaining: 1, noData: true, onNoData: 'unknown' })).toBe('unknown');
    expect(sloZone({ ...base, remaining: 1, noData: true, onNoData: 'normal' })).toBe('normal');
    // onNoData only matters when there is no data
    expect(sloZone({ ...base, onNoData: 'normal' })).toBe('caution');
  });

  it('no data with onNoData normal is still unknown when stale or never evaluated', () => {
    const noData = { ...base, remaining: 1, noData: true, onNoData: 'normal' as const };
    expect(sloZone({ ...noData, evaluatedAtMs: now - 3 * MINUTE - 1 })).toBe('unknown');
    expect(sloZone({ ...noData, evaluatedAtMs: null })).toBe('unknown');
  });
});

describe('serviceZone', () => {
  // worst first, as SPEC §4 writes it
  const worstFirst: Zone[] = ['exhausted', 'freeze', 'unknown', 'caution', 'normal'];

  it('an empty service is unknown', () => {
    expect(serviceZone([])).toBe('unknown');
  });

  it.each(worstFirst)('a single %p SLO gives its own zone', (zone) => {
    expect(serviceZone([zone])).toBe(zone);
    expect(serviceZone([zone, zone, zone])).toBe(zone);
  });

  const pairs: Array<[Zone, Zone]> = [];
  worstFirst.forEach((worse, i) => worstFirst.slice(i + 1).forEach((better) => pairs.push([worse, better])));

  it.each(pairs)('%p beats %p in either order', (worse, better) => {
    expect(serviceZone([worse, better])).toBe(worse);
    expect(serviceZone([better, worse])).toBe(worse);
    expect(serviceZone([better, worse, better])).toBe(worse);
  });

  it('ZONE_SEVERITY_ORDER lists the zones best to worst', () => {
    expect([...ZONE_SEVERITY_ORDER]).toEqual([...worstFirst].reverse());
  });

  it('property: the result is one of the inputs and no input is worse', () => {
    const rank = (z: Zone) => worstFirst.length - 1 - worstFirst.indexOf(z);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...worstFirst), { minLength: 1, maxLength: 20 }), (zones) => {
        const zone = serviceZone(zones);
        expect(zones).toContain(zone);
        for (const z of zones) expect(rank(z)).toBeLessThanOrEqual(rank(zone));
      }),
    );
  });
});

describe('properties', () => {
  const budgetOrder: Zone[] = ['normal', 'caution', 'freeze', 'exhausted'];
  const thresholds = fc
    .tuple(fc.double({ noNaN: true, min: 0, max: 1 }), fc.double({ noNaN: true, min: 0, max: 1 }))
    .map(([a, b]) => ({ caution: Math.max(a, b), freeze: Math.min(a, b) }));
  const remaining = fc.double({ noNaN: true, min: -10, max: 2 });

  it('a lower remaining never gives a better zone', () => {
    fc.assert(
      fc.property(thresholds, remaining, remaining, (t, a, b) => {
        const low = zoneForRemaining(Math.min(a, b), t);
        const high = zoneForRemaining(Math.max(a, b), t);
        expect(budgetOrder.indexOf(low)).toBeGreaterThanOrEqual(budgetOrder.indexOf(high));
      }),
    );
  });

  it('the zone agrees with the SPEC inequalities', () => {
    fc.assert(
      fc.property(thresholds, remaining, (t, r) => {
        const zone = zoneForRemaining(r, t);
        if (r <= 0) expect(zone).toBe('exhausted');
        else if (r > t.caution) expect(zone).toBe('normal');
        else if (r >= t.freeze) expect(zone).toBe('caution');
        else expect(zone).toBe('freeze');
      }),
    );
  });
});
