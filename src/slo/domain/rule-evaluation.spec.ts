import fc from 'fast-check';
import type { AlertRule, Severity } from '../../config/app-config';
import { defaultRulesFor } from '../../config/default-rules';
import { durationMs } from '../../common/duration';
import { detectionTimeMs, evaluateRules, ruleHolds, ruleKey, windowsInUse } from './rule-evaluation';

const DAY = 86_400_000;

function rule(severity: Severity, burnRate: number, long: string, short: string): AlertRule {
  return { severity, burnRate, long, short, longMs: durationMs(long), shortMs: durationMs(short) };
}

/** counts with `bad` errors out of `total` */
const c = (bad: number, total: number) => ({ good: total - bad, total });

const PAGE_FAST = rule('page', 14.4, '1h', '5m');
const DEFAULTS_30D = defaultRulesFor(30 * DAY).rules;

describe('ruleKey', () => {
  it('is severity:burnRate:long:short', () => {
    expect(ruleKey(PAGE_FAST)).toBe('page:14.4:1h:5m');
    expect(ruleKey(rule('ticket', 1, '3d', '6h'))).toBe('ticket:1:3d:6h');
  });
});

describe('ruleHolds', () => {
  // objective 75% → e = 0.25 exactly, so burn rate 2 is exactly 50% errors
  const r2 = rule('page', 2, '1h', '5m');

  it('holds when both windows are exactly at the burn rate (≥)', () => {
    expect(ruleHolds(r2, 75, 0, { long: c(50, 100), short: c(5, 10) }, false)).toBe(true);
  });

  it('does not hold when either window is below the burn rate', () => {
    expect(ruleHolds(r2, 75, 0, { long: c(49, 100), short: c(10, 10) }, false)).toBe(false);
    expect(ruleHolds(r2, 75, 0, { long: c(100, 100), short: c(4, 10) }, false)).toBe(false);
    expect(ruleHolds(r2, 75, 0, { long: c(49, 100), short: c(4, 10) }, true)).toBe(false);
  });

  it('holds at the threshold despite e = 1 − O/100 not being exact in binary', () => {
    // 144 bad of 10,000 is burn rate 14.4 on 99.9%; 3 bad of 100 is burn rate 3 on 99%
    expect(ruleHolds(PAGE_FAST, 99.9, 0, { long: c(144, 10_000), short: c(144, 10_000) }, false)).toBe(true);
    const ticket = rule('ticket', 3, '1d', '2h');
    expect(ruleHolds(ticket, 99, 0, { long: c(3, 100), short: c(30, 1000) }, false)).toBe(true);
    expect(ruleHolds(PAGE_FAST, 99.9, 0, { long: c(143, 10_000), short: c(144, 10_000) }, false)).toBe(false);
    expect(ruleHolds(ticket, 99, 0, { long: c(3, 100), short: c(29, 1000) }, false)).toBe(false);
  });

  it('needs at least minEvents in the long window', () => {
    expect(ruleHolds(PAGE_FAST, 99.9, 100, { long: c(99, 99), short: c(5, 5) }, false)).toBe(false);
    expect(ruleHolds(PAGE_FAST, 99.9, 100, { long: c(99, 99), short: c(5, 5) }, true)).toBe(false);
    expect(ruleHolds(PAGE_FAST, 99.9, 100, { long: c(100, 100), short: c(5, 5) }, false)).toBe(true);
    // the short window is not subject to minEvents
    expect(ruleHolds(PAGE_FAST, 99.9, 100, { long: c(100, 1000), short: c(1, 1) }, false)).toBe(true);
  });

  it('never holds when the long window has no data, whatever the previous state', () => {
    expect(ruleHolds(PAGE_FAST, 99.9, 0, { long: c(0, 0), short: c(0, 0) }, true)).toBe(false);
    expect(ruleHolds(PAGE_FAST, 99.9, 0, { long: c(0, 0), short: c(10, 10) }, true)).toBe(false);
  });

  it('keeps the previous state when only the short window has no data', () => {
    const burning = c(1000, 1000);
    const healthy = c(0, 1000);
    for (const long of [burning, healthy]) {
      expect(ruleHolds(PAGE_FAST, 99.9, 0, { long, short: c(0, 0) }, true)).toBe(true);
      expect(ruleHolds(PAGE_FAST, 99.9, 0, { long, short: c(0, 0) }, false)).toBe(false);
    }
  });

  it('property: more errors in both windows never turn a holding rule off', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULTS_30D),
        fc.double({ noNaN: true, min: 90, max: 99.999 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        fc.tuple(fc.integer({ min: 0, max: 1e6 }), fc.nat(), fc.nat()),
        fc.tuple(fc.integer({ min: 0, max: 1e5 }), fc.nat(), fc.nat()),
        (r, objective, minEvents, previous, [lt, la, lb], [st, sa, sb]) => {
          // bad counts within [0, total], the second one at least the first
          const [lLow, lHigh] = [la % (lt + 1), lb % (lt + 1)].sort((x, y) => x - y);
          const [sLow, sHigh] = [sa % (st + 1), sb % (st + 1)].sort((x, y) => x - y);
          const before = ruleHolds(r, objective, minEvents, { long: c(lLow, lt), short: c(sLow, st) }, previous);
          const after = ruleHolds(r, objective, minEvents, { long: c(lHigh, lt), short: c(sHigh, st) }, previous);
          if (before) expect(after).toBe(true);
        },
      ),
    );
  });
});

describe('evaluateRules with the default table (99.9%, 30d)', () => {
  /** every default window at the same burn rate on 99.9% (bad per 100,000) */
  const allAt = (badPer100k: number) =>
    Object.fromEntries(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [w, c(badPer100k, 100_000)]));

  it('a hard outage (b = 20 everywhere) fires page and ticket, picking the highest burn rates', () => {
    const out = evaluateRules(DEFAULTS_30D, 99.9, 100, allAt(2000), {});
    expect(Object.keys(out.held).sort()).toEqual(DEFAULTS_30D.map(ruleKey).sort());
    expect(Object.values(out.held).every(Boolean)).toBe(true);
    expect(out.firing).toEqual({ page: true, ticket: true });
    expect(out.firingRules.page).toBe(DEFAULTS_30D[0]);
    expect(out.firingRules.ticket?.burnRate).toBe(3);
  });

  it('b = 7 fires the 6h page rule only', () => {
    const out = evaluateRules(DEFAULTS_30D, 99.9, 100, allAt(700), {});
    expect(out.held).toEqual({
      'page:14.4:1h:5m': false,
      'page:6:6h:30m': true,
      'ticket:3:1d:2h': true,
      'ticket:1:3d:6h': true,
    });
    expect(out.firing).toEqual({ page: true, ticket: true });
    expect(out.firingRules.page?.burnRate).toBe(6);
  });

  it('a slow burn (b = 2) opens a ticket from the 3d rule and no page', () => {
    const out = evaluateRules(DEFAULTS_30D, 99.9, 100, allAt(200), {});
    expect(out.firing).toEqual({ page: false, ticket: true });
    expect(out.firingRules).toEqual({ page: null, ticket: DEFAULTS_30D[3] });
  });

  it('healthy traffic fires nothing', () => {
    const out = evaluateRules(DEFAULTS_30D, 99.9, 100, allAt(50), {});
    expect(out.firing).toEqual({ page: false, ticket: false });
    expect(out.firingRules).toEqual({ page: null, ticket: null });
  });

  it('a page keeps firing when traffic stops for a few minutes (short window empty)', () => {
    const counts = { ...allAt(2000), '5m': c(0, 0), '30m': c(0, 0) };
    const previous = { 'page:14.4:1h:5m': true, 'page:6:6h:30m': false };
    const out = evaluateRules(DEFAULTS_30D, 99.9, 100, counts, previous);
    expect(out.held['page:14.4:1h:5m']).toBe(true);
    expect(out.held['page:6:6h:30m']).toBe(false);
    expect(out.firingRules.page).toBe(DEFAULTS_30D[0]);
    // with no previous state the rule stays off
    expect(evaluateRules(DEFAULTS_30D, 99.9, 100, counts, {}).firing.page).toBe(false);
  });

  it('missing window counts are no data', () => {
    const out = evaluateRules(DEFAULTS_30D, 99.9, 0, {}, { 'ticket:1:3d:6h': true });
    expect(Object.values(out.held).some(Boolean)).toBe(false);
  });

  it('firingRules picks the highest burn rate whatever the written order', () => {
    const rules = [rule('page', 2, '1h', '5m'), rule('page', 10, '1h', '5m'), rule('page', 5, '1h', '5m')];
    const out = evaluateRules(rules, 99, 0, { '1h': c(20, 100), '5m': c(20, 100) }, {}); // b = 20
    expect(out.firingRules.page).toBe(rules[1]);
    const partial = evaluateRules(rules, 99, 0, { '1h': c(6, 100), '5m': c(6, 100) }, {}); // b = 6
    expect(partial.firingRules.page).toBe(rules[2]);
  });

  it('property: a severity fires exactly when one of its rules holds', () => {
    const window = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })).map(([a, b]) => c(Math.min(a, b), Math.max(a, b)));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('5m', '30m', '1h', '2h', '6h', '1d', '3d'), window), (counts) => {
        const out = evaluateRules(DEFAULTS_30D, 99.9, 10, counts, {});
        for (const sev of ['page', 'ticket'] as const) {
          const holding = DEFAULTS_30D.filter((r) => r.severity === sev && out.held[ruleKey(r)]);
          expect(out.firing[sev]).toBe(holding.length > 0);
          expect(out.firingRules[sev]?.burnRate ?? null).toBe(holding.length ? Math.max(...holding.map((r) => r.burnRate)) : null);
        }
      }),
    );
  });
});

describe('detectionTimeMs', () => {
  it('is 51.84 s for the 14.4 / 1h page rule on 99.9% at ε = 1', () => {
    expect(Math.abs(detectionTimeMs(PAGE_FAST, 99.9, 1) / 1000 - 51.84)).toBeLessThan(1e-6);
  });

  it('scales with the burn rate and long window, inversely with ε', () => {
    const page6h = rule('page', 6, '6h', '30m');
    expect(detectionTimeMs(page6h, 99.9, 1)).toBeCloseTo(6 * 0.001 * 6 * 3_600_000, 3); // 129.6 s
    expect(detectionTimeMs(PAGE_FAST, 99.9, 0.1)).toBeCloseTo(518_400, 3);
    expect(detectionTimeMs(PAGE_FAST, 99, 1)).toBeCloseTo(518_400, 3);
  });

  it('is infinite without errors', () => {
    expect(detectionTimeMs(PAGE_FAST, 99.9, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('agrees with ruleHolds on steady traffic (1 event/ms) after ε starts', () => {
    for (const [r, eps] of [[PAGE_FAST, 1], [PAGE_FAST, 0.5], [rule('page', 6, '6h', '30m'), 0.2]] as const) {
      const t = detectionTimeMs(r, 99.9, eps);
      const at = (elapsed: number) => ({
        long: c(eps * elapsed, r.longMs),
        short: c(eps * Math.min(elapsed, r.shortMs), r.shortMs),
      });
      expect(ruleHolds(r, 99.9, 0, at(t), false)).toBe(true);
      expect(ruleHolds(r, 99.9, 0, at(t * 0.99), false)).toBe(false);
    }
  });
});

describe('windowsInUse', () => {
  it('lists the default windows by duration, plus 1h', () => {
    expect(windowsInUse(DEFAULTS_30D)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(windowsInUse(defaultRulesFor(DAY).rules)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d']);
  });

  it('adds 1h when no rule uses it and de-duplicates', () => {
    expect(windowsInUse([])).toEqual(['1h']);
    expect(windowsInUse([rule('page', 10, '2h', '10m'), rule('ticket', 2, '2d', '2h')])).toEqual(['10m', '1h', '2h', '2d']);
  });

  it('keeps labels as written, first-written first on equal durations', () => {
    expect(windowsInUse([rule('page', 10, '60m', '5m')])).toEqual(['5m', '60m', '1h']);
    expect(windowsInUse([rule('page', 10, '2h', '3600s'), rule('ticket', 1, '120m', '60m')])).toEqual([
      '3600s',
      '60m',
      '1h',
      '2h',
      '120m',
    ]);
  });
});
