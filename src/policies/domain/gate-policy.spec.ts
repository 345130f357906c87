import type { ChangeType } from './gate-matrix';
import {
  decideGate,
  freezeCovers,
  overrideActive,
  type ActiveFreeze,
  type ActiveOverride,
  type GateInput,
  type GateSloInput,
} from './gate-policy';
import type { Zone } from '../../slo/domain/zones';
import { formatBudgetPercent, formatThresholdPercent } from '../../common/format-percent';

const T = { caution: 0.5, freeze: 0.25 };
const ALL: ChangeType[] = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'];
const AVAIL = 'checkout-availability';
const LATENCY = 'checkout-latency';
const FREEZE: ActiveFreeze = {
  id: 'fz-1',
  service: 'checkout',
  start: '2025-12-20T00:00:00Z',
  end: '2025-12-27T00:00:00Z',
  reason: 'holiday',
};
const OVERRIDE: ActiveOverride = {
  id: 'ov-1',
  service: 'checkout',
  reason: 'incident 42 hotfix',
  expiresAt: '2025-12-21T12:00:00Z',
  approvedBy: 'alice',
};
const OVERRIDE_REASON = 'override ov-1 approved by alice allows every change until 2025-12-21T12:00:00Z: incident 42 hotfix';
const REMAINING: Record<Zone, number | null> = { normal: 0.8, caution: 0.41, freeze: 0.18, exhausted: -0.12, unknown: null };

function slo(id: string, zone: Zone, remaining: number | null = REMAINING[zone]): GateSloInput {
  return { slo: id, zone, remaining };
}

function gate(over: Partial<GateInput>): GateInput {
  return {
    service: 'checkout',
    changeType: 'feature',
    slos: [slo(AVAIL, 'normal')],
    freezes: [],
    overrides: [],
    onUnknown: 'deny',
    thresholds: T,
    ...over,
  };
}

/** SPEC §7 per cell, written out by hand: A allow, W allow + warning, D deny (feature fix rollback security db-migration infra). */
const EXPECTED: Record<'allow' | 'deny', Record<Zone, string>> = {
  deny: { normal: 'AAAAAA', caution: 'WAAADD', freeze: 'DAAADD', exhausted: 'DDAADD', unknown: 'DDAADD' },
  allow: { normal: 'AAAAAA', caution: 'WAAADD', freeze: 'DAAADD', exhausted: 'DDAADD', unknown: 'AAAAAA' },
};
const ZONES: Zone[] = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'];
const cells = (['deny', 'allow'] as const).flatMap((onUnknown) =>
  ZONES.flatMap((zone) => ALL.map((change, i) => ({ onUnknown, zone, change, want: EXPECTED[onUnknown][zone][i] }))),
);

describe('decideGate: every cell of the SPEC §7 matrix', () => {
  it('has 60 cases', () => expect(cells).toHaveLength(60));

  it.each(cells)('onUnknown=$onUnknown, $zone × $change → $want', ({ onUnknown, zone, change, want }) => {
    const out = decideGate(gate({ changeType: change, onUnknown, slos: [slo(AVAIL, zone)] }));
    expect(out.decision).toBe(want === 'D' ? 'deny' : 'allow');
    expect(out.zone).toBe(zone);
    expect(out.slos).toEqual([{ slo: AVAIL, zone, remaining: REMAINING[zone], decision: out.decision }]);
    expect(out.reasons).toHaveLength(1);
    expect(out.reasons[0]).toMatch(new RegExp(`^${AVAIL}: `));
    expect(out.warnings).toEqual(want === 'W' ? [expect.stringContaining(AVAIL)] : []);
  });
});

describe('decideGate: wording', () => {
  it.each<[string, Partial<GateInput>, string]>([
    ['normal', {}, `${AVAIL}: 80% of the error budget left (normal zone)`],
    ['caution feature', { slos: [slo(AVAIL, 'caution')] }, `${AVAIL}: 41% of the error budget left (caution zone)`],
    [
      'freeze-zone feature',
      { slos: [slo(AVAIL, 'freeze')] },
      `${AVAIL}: 18% of the error budget left (freeze zone); feature changes are blocked until it recovers to at least 25%`,
    ],
    [
      'caution db-migration',
      { changeType: 'db-migration', slos: [slo(AVAIL, 'caution')] },
      `${AVAIL}: 41% of the error budget left (caution zone); db-migration changes are blocked until it recovers above 50%`,
    ],
    [
      'freeze-zone infra, custom thresholds',
      { changeType: 'infra', slos: [slo(AVAIL, 'freeze', 0.1)], thresholds: { caution: 0.8, freeze: 0.125 } },
      `${AVAIL}: 10% of the error budget left (freeze zone); infra changes are blocked until it recovers above 80%`,
    ],
    [
      'freeze-zone feature, custom thresholds',
      { slos: [slo(AVAIL, 'freeze', 0.1)], thresholds: { caution: 0.8, freeze: 0.125 } },
      `${AVAIL}: 10% of the error budget left (freeze zone); feature changes are blocked until it recovers to at least 12.5%`,
    ],
    ['freeze-zone fix', { changeType: 'fix', slos: [slo(AVAIL, 'freeze')] }, `${AVAIL}: 18% of the error budget left (freeze zone); fix changes are still allowed`],
    [
      'exhausted fix',
      { changeType: 'fix', slos: [slo(LATENCY, 'exhausted')] },
      `${LATENCY}: error budget exhausted (−12% left); only rollback and security changes may ship`,
    ],
    ['exhausted rollback', { changeType: 'rollback', slos: [slo(LATENCY, 'exhausted')] }, `${LATENCY}: error budget exhausted (−12% left); rollback changes are still allowed`],
    ['unknown, never evaluated', { slos: [slo(LATENCY, 'unknown')] }, `${LATENCY}: zone unknown (never evaluated successfully); policy.onUnknown is deny`],
    [
      'unknown, stale',
      { onUnknown: 'allow', slos: [slo(LATENCY, 'unknown', 0.6)] },
      `${LATENCY}: zone unknown (no successful evaluation recently, or no data in its window); policy.onUnknown is allow`,
    ],
    ['unknown security', { changeType: 'security', slos: [slo(LATENCY, 'unknown')] }, `${LATENCY}: zone unknown (never evaluated successfully); security changes are still allowed`],
  ])('%s', (_name, over, reason) => {
    expect(decideGate(gate(over)).reasons).toEqual([reason]);
  });

  it('caution warning names the SLO and its budget', () => {
    expect(decideGate(gate({ slos: [slo(AVAIL, 'caution')] })).warnings).toEqual([
      `caution zone: extra review required for risky changes (${AVAIL}: 41% of the error budget left)`,
    ]);
  });

  it('freeze reasons name id, reason, scope and end', () => {
    expect(decideGate(gate({ freezes: [FREEZE] })).reasons).toEqual([
      'freeze fz-1 (holiday) covers checkout until 2025-12-27T00:00:00Z; only rollback and security changes may ship',
    ]);
    expect(decideGate(gate({ changeType: 'rollback', freezes: [{ ...FREEZE, service: '*' }] })).reasons).toEqual([
      'freeze fz-1 (holiday) covers all services (checkout included) until 2025-12-27T00:00:00Z; rollback changes are exempt from freezes',
      `${AVAIL}: 80% of the error budget left (normal zone)`,
    ]);
  });

  it.each<[number, string]>([
    [1, '100%'],
    [0.995, '100%'],
    [0.41, '41%'],
    [0.125, '13%'],
    [0.0096, '1%'],
    [0.005, '0.5%'],
    [0.0004, '<0.1%'],
    [0, '0%'],
    [-0.004, '−0.4%'],
    [-0.12, '−12%'],
    [-3, '−300%'],
    [Number.NaN, 'n/a'],
  ])('formatBudgetPercent(%p) = %s', (remaining, text) => {
    expect(formatBudgetPercent(remaining)).toBe(text);
  });

  it.each<[number, string]>([
    [0.5, '50%'],
    [0.25, '25%'],
    [0.125, '12.5%'],
    [1 / 3, '33.33%'],
  ])('formatThresholdPercent(%p) = %s', (t, text) => {
    expect(formatThresholdPercent(t)).toBe(text);
  });
});

describe('decideGate: combinations', () => {
  it('an override beats a freeze and denying SLOs, and keeps the per-SLO rows', () => {
    const out = decideGate(
      gate({ freezes: [FREEZE], overrides: [OVERRIDE], slos: [slo(AVAIL, 'normal'), slo(LATENCY, 'exhausted')] }),
    );
    expect(out.decision).toBe('allow');
    expect(out.zone).toBe('exhausted');
    expect(out.reasons).toEqual([OVERRIDE_REASON]);
    expect(out.slos.map((s) => s.decision)).toEqual(['allow', 'deny']);
    expect(out.warnings).toEqual([`override bypasses what would deny this feature change: freeze fz-1, ${LATENCY} (exhausted zone)`]);
  });

  it.each(ALL)('an override allows %s in every zone', (change) => {
    const slos = ZONES.map((z) => slo(`slo-${z}`, z));
    const out = decideGate(gate({ changeType: change, slos, freezes: [FREEZE], overrides: [OVERRIDE, { ...OVERRIDE, id: 'ov-2' }] }));
    expect(out.decision).toBe('allow');
    expect(out.reasons).toEqual([OVERRIDE_REASON, OVERRIDE_REASON.replace('ov-1', 'ov-2')]);
  });

  it('an override with nothing to bypass adds no bypass warning but keeps caution warnings', () => {
    const out = decideGate(gate({ overrides: [OVERRIDE], slos: [slo(AVAIL, 'caution')] }));
    expect(out.warnings).toEqual([expect.stringMatching(/^caution zone: .*checkout-availability/)]);
  });

  it.each<[ChangeType, 'allow' | 'deny']>([
    ['feature', 'deny'],
    ['fix', 'deny'],
    ['rollback', 'allow'],
    ['security', 'allow'],
    ['db-migration', 'deny'],
    ['infra', 'deny'],
  ])('a freeze on healthy SLOs: %s → %s', (change, decision) => {
    for (const freeze of [FREEZE, { ...FREEZE, service: '*' }]) {
      const out = decideGate(gate({ changeType: change, freezes: [freeze] }));
      expect(out.decision).toBe(decision);
      expect(out.reasons[0]).toMatch(/^freeze fz-1 \(holiday\) covers .* until 2025-12-27T00:00:00Z; /);
      expect(out.reasons).toHaveLength(decision === 'deny' ? 1 : 2);
    }
  });

  it('a freeze and a denying SLO both give reasons', () => {
    const out = decideGate(gate({ freezes: [FREEZE, { ...FREEZE, id: 'fz-2' }], slos: [slo(LATENCY, 'exhausted')] }));
    expect(out.decision).toBe('deny');
    expect(out.reasons.map((r) => r.split(' ')[0] + ' ' + r.split(' ')[1])).toEqual(['freeze fz-1', 'freeze fz-2', `${LATENCY}: error`]);
  });

  it('one denying SLO among several: the reasons name it and not the allowing ones', () => {
    const slos = [slo('avail', 'normal'), slo('latency', 'freeze'), slo('errors', 'caution')];
    const out = decideGate(gate({ slos }));
    expect(out.decision).toBe('deny');
    expect(out.zone).toBe('freeze');
    expect(out.reasons).toEqual([expect.stringMatching(/^latency: 18% .*feature changes are blocked/)]);
    expect(out.reasons.join('\n')).not.toMatch(/avail|errors/);
    expect(out.warnings).toEqual([]);
    expect(out.slos.map((s) => s.decision)).toEqual(['allow', 'deny', 'allow']);
  });

  it('several denying SLOs: one reason each, in input order', () => {
    const slos = [slo('a', 'exhausted'), slo('b', 'normal'), slo('c', 'unknown'), slo('d', 'caution')];
    const out = decideGate(gate({ changeType: 'infra', slos }));
    expect(out.reasons.map((r) => r.split(':')[0])).toEqual(['a', 'c', 'd']);
  });

  it('warnings are collected from every caution SLO; reasons give one line per SLO', () => {
    const slos = [slo('a', 'caution', 0.3), slo('b', 'normal'), slo('c', 'caution', 0.5)];
    const out = decideGate(gate({ slos }));
    expect(out.decision).toBe('allow');
    expect(out.zone).toBe('caution');
    expect(out.warnings).toEqual([
      'caution zone: extra review required for risky changes (a: 30% of the error budget left)',
      'caution zone: extra review required for risky changes (c: 50% of the error budget left)',
    ]);
    expect(out.reasons).toEqual([
      'a: 30% of the error budget left (caution zone)',
      'b: 80% of the error budget left (normal zone)',
      'c: 50% of the error budget left (caution zone)',
    ]);
  });

  it('no caution warning for a fix', () => {
    expect(decideGate(gate({ changeType: 'fix', slos: [slo('a', 'caution')] })).warnings).toEqual([]);
  });

  it.each<[ChangeType, 'allow' | 'deny', 'allow' | 'deny']>([
    ['feature', 'deny', 'deny'],
    ['feature', 'allow', 'allow'],
    ['rollback', 'deny', 'allow'],
  ])('a service without SLOs (%s, onUnknown=%s) is treated as unknown → %s', (change, onUnknown, decision) => {
    const out = decideGate(gate({ changeType: change, onUnknown, slos: [] }));
    expect(out).toMatchObject({ decision, zone: 'unknown', slos: [] });
    expect(out.reasons).toEqual([expect.stringMatching(/^checkout: no SLOs, zone unknown; /)]);
  });
});

describe('freezeCovers / overrideActive', () => {
  const start = Date.parse(FREEZE.start);
  const end = Date.parse(FREEZE.end);

  it.each<[string, number, string, boolean]>([
    ['before start', start - 1, 'checkout', false],
    ['at start (inclusive)', start, 'checkout', true],
    ['inside', start + 1000, 'checkout', true],
    ['just before end', end - 1, 'checkout', true],
    ['at end (exclusive)', end, 'checkout', false],
    ['another service', start + 1000, 'search', false],
  ])('freeze of checkout %s, asking %s', (_name, now, service, covers) => {
    expect(freezeCovers(FREEZE, service, now)).toBe(covers);
  });

  it.each<[number, boolean]>([
    [start - 1, false],
    [start, true],
    [end - 1, true],
    [end, false],
  ])("'*' freeze covers any service at %p: %p", (now, covers) => {
    for (const service of ['checkout', 'search', '*']) {
      expect(freezeCovers({ ...FREEZE, service: '*' }, service, now)).toBe(covers);
    }
  });

  it('an unparsable freeze time covers nothing', () => {
    expect(freezeCovers({ ...FREEZE, end: 'soon' }, 'checkout', start + 1)).toBe(false);
  });

  const expires = Date.parse(OVERRIDE.expiresAt);
  it.each<[string, number, string, boolean]>([
    ['well before expiry', expires - 3_600_000, 'checkout', true],
    ['1 ms before expiry', expires - 1, 'checkout', true],
    ['at expiry (exclusive)', expires, 'checkout', false],
    ['after expiry', expires + 1, 'checkout', false],
    ['another service', expires - 1, 'search', false],
  ])('override %s, asking %s', (_name, now, service, active) => {
    expect(overrideActive(OVERRIDE, service, now)).toBe(active);
  });

  it("an override of '*' is not an override of every service", () => {
    expect(overrideActive({ ...OVERRIDE, service: '*' }, 'checkout', expires - 1)).toBe(false);
  });
});

describe('decideGate: a state loss not yet accepted (SPEC §7, §12)', () => {
  const LOSS = 'shared state lost at 2025-12-21T10:00:00.000Z (the state marker vanished)';

  it.each(ALL)('%s: only rollback and security pass, whatever the zones, freezes and overrides say', (changeType) => {
    for (const over of [{}, { overrides: [OVERRIDE] }, { freezes: [FREEZE] }, { slos: [slo(AVAIL, 'exhausted')] }, { onUnknown: 'allow' as const, slos: [slo(AVAIL, 'unknown')] }]) {
      const outcome = decideGate(gate({ ...over, changeType, stateLoss: LOSS }));
      const exempt = changeType === 'rollback' || changeType === 'security';
      expect(outcome.decision).toBe(exempt ? 'allow' : 'deny');
      expect(outcome.reasons).toEqual([`${LOSS}; ${exempt ? `${changeType} changes still pass` : 'only rollback and security changes pass'}`]);
    }
  });

  it('without a loss (null) the gate decides as before', () => {
    expect(decideGate(gate({ stateLoss: null }))).toEqual(decideGate(gate({})));
  });
});

describe('decideGate: an overdue postmortem with policy.postmortems.gate (SPEC §7, §13)', () => {
  const OVERDUE = [{ incidentId: 'inc-20251220-0123456789ab', dueAt: '2025-12-22T10:00:00.000Z' }];
  const REASON = 'the postmortem of incident inc-20251220-0123456789ab is overdue (due 2025-12-22T10:00:00.000Z; policy.postmortems.gate)';

  it.each<[ChangeType, 'allow' | 'deny']>([
    ['feature', 'deny'],
    ['db-migration', 'deny'],
    ['infra', 'deny'],
    ['fix', 'allow'],
    ['rollback', 'allow'],
    ['security', 'allow'],
  ])('%s: %s, naming the incident', (changeType, decision) => {
    const outcome = decideGate(gate({ changeType, overduePostmortems: OVERDUE }));
    expect(outcome.decision).toBe(decision);
    expect(outcome.reasons[0]).toBe(
      decision === 'deny' ? `${REASON}; only fix, rollback and security changes may ship until it is written` : `${REASON}; ${changeType} changes still pass`,
    );
  });

  it('adds to what else denies, and an override lets the change pass, saying what it bypasses', () => {
    const frozen = decideGate(gate({ freezes: [FREEZE], overduePostmortems: OVERDUE }));
    expect(frozen.decision).toBe('deny');
    expect(frozen.reasons).toHaveLength(2);
    const overridden = decideGate(gate({ overrides: [OVERRIDE], overduePostmortems: OVERDUE }));
    expect(overridden).toMatchObject({ decision: 'allow', reasons: [OVERRIDE_REASON] });
    expect(overridden.warnings).toEqual([expect.stringContaining('overdue postmortem of incident inc-20251220-0123456789ab')]);
  });

  it('none overdue (or the rule off: no list) decides as before', () => {
    expect(decideGate(gate({ overduePostmortems: [] }))).toEqual(decideGate(gate({})));
  });
});
