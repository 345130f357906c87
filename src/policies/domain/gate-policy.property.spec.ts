import fc from 'fast-check';
import type { ChangeType } from './gate-matrix';
import { decideGate, type ActiveFreeze, type ActiveOverride, type GateInput, type GateSloInput } from './gate-policy';
import { zoneForRemaining, type Zone, type ZoneThresholds } from '../../slo/domain/zones';

const CHANGES: ChangeType[] = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'];

/** SPEC §7, written out again for the oracle: D marks a denying cell (feature … infra); `?` is onUnknown. */
const ROWS: Record<Zone, string> = {
  normal: '......',
  caution: '....DD',
  freeze: 'D...DD',
  exhausted: 'DD..DD',
  unknown: '??..??',
};
function oracleCellDenies(zone: Zone, change: ChangeType, onUnknown: 'allow' | 'deny'): boolean {
  const mark = ROWS[zone][CHANGES.indexOf(change)];
  return mark === 'D' || (mark === '?' && onUnknown === 'deny');
}
const WORST_FIRST: Zone[] = ['exhausted', 'freeze', 'unknown', 'caution', 'normal'];

/** An SLO as the generator sees it: a budget (zone from thresholds) or unknown with an optional stale budget. */
type SloSeed = { known: true; remaining: number } | { known: false; remaining: number | null };

const thresholdsArb: fc.Arbitrary<ZoneThresholds> = fc
  .tuple(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }))
  .map(([a, b]) => ({ freeze: Math.min(a, b), caution: Math.max(a, b) }));
const remainingArb = fc.double({ min: -2, max: 1, noNaN: true });
const seedArb: fc.Arbitrary<SloSeed> = fc.oneof(
  { weight: 4, arbitrary: remainingArb.map((remaining) => ({ known: true as const, remaining })) },
  { weight: 1, arbitrary: fc.option(remainingArb).map((remaining) => ({ known: false as const, remaining })) },
);
const freezeArb: fc.Arbitrary<ActiveFreeze> = fc.record({
  id: fc.constantFrom('fz-1', 'fz-2'),
  service: fc.constantFrom('svc', '*'),
  start: fc.constant('2025-01-01T00:00:00Z'),
  end: fc.constant('2025-01-02T00:00:00Z'),
  reason: fc.constantFrom('holiday', 'maintenance'),
});
const overrideArb: fc.Arbitrary<ActiveOverride> = fc.record({
  id: fc.constantFrom('ov-1', 'ov-2'),
  service: fc.constant('svc'),
  reason: fc.constantFrom('incident', 'launch'),
  expiresAt: fc.constant('2025-01-01T06:00:00Z'),
  approvedBy: fc.constantFrom('alice', 'bob'),
});

interface Scenario {
  seeds: SloSeed[];
  thresholds: ZoneThresholds;
  changeType: ChangeType;
  onUnknown: 'allow' | 'deny';
  freezes: ActiveFreeze[];
  overrides: ActiveOverride[];
}
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  seeds: fc.array(seedArb, { minLength: 1, maxLength: 5 }),
  thresholds: thresholdsArb,
  changeType: fc.constantFrom(...CHANGES),
  onUnknown: fc.constantFrom('allow' as const, 'deny' as const),
  freezes: fc.array(freezeArb, { maxLength: 2 }),
  overrides: fc.array(overrideArb, { maxLength: 2 }),
});

/** SLO ids `s0x`, `s1x`, … : none is a substring of another. */
function toSlos(seeds: SloSeed[], t: ZoneThresholds): GateSloInput[] {
  return seeds.map((s, i) => ({
    slo: `s${i}x`,
    zone: s.known ? zoneForRemaining(s.remaining, t) : 'unknown',
    remaining: s.remaining,
  }));
}
function toInput(s: Scenario): GateInput {
  const { seeds, ...rest } = s;
  return { service: 'svc', slos: toSlos(seeds, s.thresholds), ...rest };
}

const RUNS = { numRuns: 500 };

describe('decideGate properties', () => {
  it('decision is deny iff no override and (a freeze for a non-exempt change, or some SLO cell denies)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = toInput(s);
        const exempt = s.changeType === 'rollback' || s.changeType === 'security';
        const cellDenies = input.slos.some((o) => oracleCellDenies(o.zone, s.changeType, s.onUnknown));
        const expected = s.overrides.length === 0 && ((s.freezes.length > 0 && !exempt) || cellDenies);
        expect(decideGate(input).decision).toBe(expected ? 'deny' : 'allow');
      }),
      RUNS,
    );
  });

  it('reasons are never empty, the zone is the worst SLO zone, per-SLO rows follow the matrix', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = toInput(s);
        const out = decideGate(input);
        expect(out.reasons.length).toBeGreaterThan(0);
        for (const r of out.reasons) expect(r.trim().length).toBeGreaterThan(0);
        expect(out.zone).toBe(WORST_FIRST.find((z) => input.slos.some((o) => o.zone === z)));
        expect(out.slos.map((o) => o.decision)).toEqual(
          input.slos.map((o) => (oracleCellDenies(o.zone, s.changeType, s.onUnknown) ? 'deny' : 'allow')),
        );
        if (out.decision === 'deny') expect(out.warnings).toEqual([]);
      }),
      RUNS,
    );
  });

  it('a deny names every denying SLO and freeze, and no allowing SLO', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = toInput(s);
        const out = decideGate(input);
        fc.pre(out.decision === 'deny');
        const text = out.reasons.join('\n');
        for (const o of input.slos) {
          const denies = oracleCellDenies(o.zone, s.changeType, s.onUnknown);
          expect(text.includes(`${o.slo}:`)).toBe(denies);
        }
        for (const f of s.freezes) expect(text).toContain(`freeze ${f.id}`);
      }),
      RUNS,
    );
  });

  it('an allow without override gives one reason per SLO; a caution feature gives one warning per caution SLO', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = toInput({ ...s, overrides: [] });
        const out = decideGate(input);
        fc.pre(out.decision === 'allow');
        for (const o of input.slos) expect(out.reasons.filter((r) => r.startsWith(`${o.slo}: `))).toHaveLength(1);
        const cautious = s.changeType === 'feature' ? input.slos.filter((o) => o.zone === 'caution') : [];
        expect(out.warnings).toHaveLength(cautious.length);
        cautious.forEach((o, i) => expect(out.warnings[i]).toContain(`(${o.slo}: `));
      }),
      RUNS,
    );
  });

  it('a lower budget for one SLO never turns a deny into an allow', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.double({ min: 0, max: 3, noNaN: true }), (s, pick, drop) => {
        const knownAt = s.seeds.flatMap((seed, i) => (seed.known ? [i] : []));
        fc.pre(knownAt.length > 0);
        const i = knownAt[pick % knownAt.length];
        const lowered = s.seeds.map((seed, j) => (j === i ? { known: true as const, remaining: seed.remaining! - drop } : seed));
        const before = decideGate(toInput(s)).decision;
        const after = decideGate(toInput({ ...s, seeds: lowered })).decision;
        if (before === 'deny') expect(after).toBe('deny');
      }),
      RUNS,
    );
  });

  it('adding a freeze never turns a deny into an allow', () => {
    fc.assert(
      fc.property(scenarioArb, freezeArb, (s, freeze) => {
        const before = decideGate(toInput(s)).decision;
        const after = decideGate(toInput({ ...s, freezes: [...s.freezes, freeze] })).decision;
        if (before === 'deny') expect(after).toBe('deny');
      }),
      RUNS,
    );
  });

  it('adding an override always allows, and the reasons name it', () => {
    fc.assert(
      fc.property(scenarioArb, overrideArb, (s, override) => {
        const out = decideGate(toInput({ ...s, overrides: [...s.overrides, override] }));
        expect(out.decision).toBe('allow');
        expect(out.reasons).toContainEqual(expect.stringContaining(`override ${override.id} approved by ${override.approvedBy}`));
        expect(out.reasons.join('\n')).toContain(override.expiresAt);
      }),
      RUNS,
    );
  });
});
