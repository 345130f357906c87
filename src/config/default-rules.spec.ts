import { DEFAULT_RULE_TABLE, defaultRulesFor } from './default-rules';

const H = 3_600_000;
const D = 24 * H;

describe('defaultRulesFor', () => {
  it('keeps all four rows for a 30d window, in table order, with their milliseconds', () => {
    const { rules, omitted } = defaultRulesFor(30 * D);
    expect(omitted).toEqual([]);
    expect(rules).toEqual([
      { severity: 'page', burnRate: 14.4, long: '1h', short: '5m', longMs: H, shortMs: 5 * 60_000 },
      { severity: 'page', burnRate: 6, long: '6h', short: '30m', longMs: 6 * H, shortMs: 30 * 60_000 },
      { severity: 'ticket', burnRate: 3, long: '1d', short: '2h', longMs: D, shortMs: 2 * H },
      { severity: 'ticket', burnRate: 1, long: '3d', short: '6h', longMs: 3 * D, shortMs: 6 * H },
    ]);
  });

  it('spends 2%, 5%, 10%, 10% of a 30d budget when each row fires (burn rate × long / W)', () => {
    const W = 30 * D;
    const spent = defaultRulesFor(W).rules.map((r) => (r.burnRate * r.longMs) / W);
    [0.02, 0.05, 0.1, 0.1].forEach((expected, i) => expect(spent[i]).toBeCloseTo(expected, 12));
  });

  it('leaves out the 3d row for a 1d window and keeps the burn rates as written', () => {
    const { rules, omitted } = defaultRulesFor(D);
    expect(rules.map((r) => [r.severity, r.burnRate, r.long, r.short])).toEqual([
      ['page', 14.4, '1h', '5m'],
      ['page', 6, '6h', '30m'],
      ['ticket', 3, '1d', '2h'],
    ]);
    expect(omitted.map((r) => r.long)).toEqual(['3d']);
    expect(omitted[0].longMs).toBe(3 * D);
  });

  it.each<[string, number, string[]]>([
    ['7d', 7 * D, ['1h', '6h', '1d', '3d']],
    ['3d (equal long window is kept)', 3 * D, ['1h', '6h', '1d', '3d']],
    ['just under 3d', 3 * D - 1, ['1h', '6h', '1d']],
    ['6h', 6 * H, ['1h', '6h']],
    ['1h', H, ['1h']],
    ['30m', 30 * 60_000, []],
  ])('a %s window keeps long windows %p', (_name, windowMs, longs) => {
    const { rules, omitted } = defaultRulesFor(windowMs);
    expect(rules.map((r) => r.long)).toEqual(longs);
    expect(rules.length + omitted.length).toBe(DEFAULT_RULE_TABLE.length);
    for (const r of omitted) expect(r.longMs).toBeGreaterThan(windowMs);
  });

  it('returns fresh rule objects (callers may not corrupt the table)', () => {
    const a = defaultRulesFor(30 * D).rules;
    a[0].burnRate = 99;
    expect(defaultRulesFor(30 * D).rules[0].burnRate).toBe(14.4);
    expect(DEFAULT_RULE_TABLE[0].burnRate).toBe(14.4);
  });
});
