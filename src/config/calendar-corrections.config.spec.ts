import { loadConfig } from './config.loader';
import { problemsOf, removeTempDirs, tempFile } from '../../test/fixtures/config/helpers';

afterAll(removeTempDirs);

/** SPEC §3/§4: calendar windows and the `corrections:` section of the config file. */
const slos = `slos:
  - { id: orders-monthly, service: orders, objective: 99.5, window: { calendar: month, timeZone: Europe/Paris }, sli: { source: events } }
  - { id: orders-weekly, service: orders, objective: 99, window: { calendar: week }, sli: { source: events } }
  - { id: checkout, service: checkout, objective: 99.9, sli: { source: events } }
`;
const load = (extra: string) => loadConfig({ path: tempFile(slos + extra), env: {} });
const problems = (extra: string) => problemsOf({ path: tempFile(slos + extra), env: {} }).map((p) => `${p.path}: ${p.message}`);

describe('calendar windows in the config', () => {
  it('reads the unit and the time zone (UTC by default); default rules apply as for 30d', () => {
    const config = load('');
    const [monthly, weekly, rolling] = config.slos;
    expect(monthly).toMatchObject({ window: 'month', calendar: { unit: 'month', timeZone: 'Europe/Paris' } });
    expect(weekly).toMatchObject({ window: 'week', calendar: { unit: 'week', timeZone: 'UTC' } });
    expect(rolling.calendar).toBeUndefined();
    expect(weekly.alerting.rules.map((r) => r.long)).toEqual(['1h', '6h', '1d', '3d']);
    expect(config.warnings.join('\n')).not.toContain('left out');
  });

  it('refuses an unknown unit, an unknown time zone and an unknown key, naming the field', () => {
    expect(
      problemsOf({
        path: tempFile(`slos:
  - { id: a, service: s, objective: 99, window: { calendar: year }, sli: { source: events } }
  - { id: b, service: s, objective: 99, window: { calendar: month, timeZone: Mars/Olympus }, sli: { source: events } }
  - { id: c, service: s, objective: 99, window: { calendar: month, startTime: x }, sli: { source: events } }
  - { id: d, service: s, objective: 99, window: 500d, sli: { source: events } }
`),
        env: {},
      }).map((p) => p.path),
    ).toEqual(['slos[0].window', 'slos[1].window.timeZone', 'slos[2].window.startTime', 'slos[3].window']);
  });

  it('refuses a rule whose long window is longer than the shortest period', () => {
    expect(
      problemsOf({
        path: tempFile(`slos:
  - id: w
    service: s
    objective: 99
    window: { calendar: week }
    sli: { source: events }
    alerting: { rules: [{ severity: ticket, burnRate: 1, long: 7d, short: 12h }] }
`),
        env: {},
      }).map((p) => `${p.path}: ${p.message}`),
    ).toEqual(['slos[0].alerting.rules[0].long: the 7d long window is longer than the shortest week (167h)']);
  });
});

describe('corrections in the config', () => {
  it('parses one-off and repeating corrections, with stable ids', () => {
    const extra = `corrections:
  - { service: orders, reason: "weekly DB maintenance", start: "2026-12-06T02:00:00+01:00", duration: 2h, repeat: weekly }
  - { slo: checkout, reason: "load test", start: "2026-12-10T09:00:00Z", end: "2026-12-10T09:30:00Z" }
  - { service: "*", reason: "provider outage", start: "2026-12-11T00:00:00Z", duration: 1h }
`;
    const first = load(extra).corrections;
    expect(first).toEqual([
      { id: expect.stringMatching(/^config-[0-9a-f]{16}$/), service: 'orders', startMs: Date.parse('2026-12-06T01:00:00Z'), durationMs: 2 * 3_600_000, repeat: 'weekly', reason: 'weekly DB maintenance' },
      { id: expect.stringMatching(/^config-/), slo: 'checkout', startMs: Date.parse('2026-12-10T09:00:00Z'), durationMs: 30 * 60_000, repeat: null, reason: 'load test' },
      { id: expect.stringMatching(/^config-/), service: '*', startMs: Date.parse('2026-12-11T00:00:00Z'), durationMs: 3_600_000, repeat: null, reason: 'provider outage' },
    ]);
    expect(load(extra).corrections.map((c) => c.id)).toEqual(first.map((c) => c.id));
  });

  it('refuses bad corrections with one problem naming each field', () => {
    expect(
      problems(`corrections:
  - { service: orders, reason: "x", start: "2026-12-06T02:00:00+01:00", end: "2026-12-06T01:00:00+01:00" }
  - { slo: nope, reason: "x", start: "2026-12-06T02:00:00Z", duration: 1h }
  - { service: billing, reason: "x", start: "2026-12-06T02:00:00Z", duration: 1h }
  - { service: orders, reason: "x", start: "2026-12-06T02:00:00Z", duration: 1h, repeat: monthly }
  - { service: orders, start: "2026-12-06T02:00:00Z", duration: 1h }
  - { service: orders, reason: "x", start: "2026-12-06 02:00", duration: 1h }
  - { service: orders, slo: checkout, reason: "x", start: "2026-12-06T02:00:00Z", duration: 1h }
  - { service: orders, reason: "x", start: "2026-12-06T02:00:00Z" }
  - { service: orders, reason: "x", start: "2026-12-06T02:00:00Z", duration: 25h, repeat: daily }
`),
    ).toEqual([
      'corrections[0].end: must be after start',
      'corrections[3].repeat: must be one of: daily, weekly',
      expect.stringMatching(/^corrections\[4\]\.reason: /),
      'corrections[5].start: must be an ISO-8601 timestamp with Z or an offset',
      expect.stringMatching(/^corrections\[6\]\.service: give exactly one of slo or service/),
      'corrections[7].duration: give exactly one of duration or end',
      'corrections[8].duration: must be shorter than the 24 h between two daily occurrences',
      'corrections[1].slo: SLO "nope" is not defined',
      'corrections[2].service: no SLO has the service "billing"',
    ]);
  });
});
