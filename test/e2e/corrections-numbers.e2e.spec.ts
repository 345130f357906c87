import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';

/**
 * SPEC §4 corrections through the built service, in memory and with a real Redis: the budget
 * numbers equal the SPEC formulas applied to the events pushed minus those inside corrections
 * (every window); a correction created after the fact changes the numbers and the history;
 * deleting it restores them. Corrections here lie on whole hours within three days, where the
 * store keeps hour buckets or finer, so the removal is exact.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-21T10:00:00.000Z');
const WINDOWS: Record<string, number> = { '5m': 5 * MIN, '30m': 30 * MIN, '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '1d': DAY, '3d': 3 * DAY };
const CORRECTION = { from: NOW - 30 * HOUR, to: NOW - 28 * HOUR };

interface Ev {
  agoMs: number;
  good: number;
  total: number;
}

const EVENTS: Ev[] = [
  { agoMs: 2 * MIN, good: 990, total: 1000 },
  { agoMs: 40 * MIN, good: 1990, total: 2000 },
  { agoMs: 5 * HOUR, good: 4990, total: 5000 },
  { agoMs: 28 * HOUR, good: 300, total: 300 }, // at the correction's end: outside [start, end)
  { agoMs: 28 * HOUR + 1, good: 0, total: 700 }, // 1 ms before its end: inside
  { agoMs: 29 * HOUR, good: 0, total: 5000 }, // the maintenance burst
  { agoMs: 30 * HOUR, good: 0, total: 800 }, // at its start: inside
  { agoMs: 30 * HOUR + 1, good: 100, total: 100 }, // 1 ms before it: outside
  { agoMs: 2 * DAY, good: 9000, total: 10_000 },
  { agoMs: 10 * DAY, good: 1_000_000, total: 1_000_000 },
];

const insideCorrection = (ev: Ev) => NOW - ev.agoMs >= CORRECTION.from && NOW - ev.agoMs < CORRECTION.to;

/** SPEC §4, transcribed independently, over the events kept. */
function expected(kept: Ev[], objective = 99.9) {
  const e = 1 - objective / 100;
  const sum = (w: number) => kept.filter((ev) => ev.agoMs < w).reduce((a, ev) => ({ good: a.good + ev.good, total: a.total + ev.total }), { good: 0, total: 0 });
  const burn = (w: number) => {
    const { good, total } = sum(w);
    return total === 0 ? 0 : (total - good) / total / e;
  };
  const whole = sum(30 * DAY);
  return {
    good: whole.good,
    total: whole.total,
    remaining: 1 - (whole.total - whole.good) / whole.total / e,
    burnRates: Object.fromEntries(Object.entries(WINDOWS).map(([label, w]) => [label, burn(w)])),
  };
}

function config(redis: { url: string; prefix: string } | null, corrections: string): string {
  const server = redis ? `  redisUrl: ${redis.url}\n  redisPrefix: "${redis.prefix}"\n` : '';
  return `slos:
  - id: checkout-availability
    service: checkout
    objective: 99.9
    window: 30d
    sli: { source: events }
${corrections}
auth:
  tokens:
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
server:
  evaluationInterval: 30s
${server}`;
}

describe.each(['memory', 'redis'] as const)('corrections (%s state)', (mode) => {
  const redis = mode === 'redis' ? useTestRedis() : null;
  let t: TestApp;
  let n = 0;

  async function start(corrections: string): Promise<void> {
    t = await startTestApp(config(redis ? { url: redis.url, prefix: `corrections-${Date.now()}-${n++}:` } : null, corrections), { nowMs: NOW });
    const response = await t.request({
      method: 'POST',
      url: '/v1/events',
      token: TOKENS.ingest,
      body: { events: EVENTS.map((ev) => ({ slo: 'checkout-availability', good: ev.good, total: ev.total, timestamp: new Date(NOW - ev.agoMs).toISOString() })) },
    });
    expect(response.status).toBe(202);
    await t.evaluate();
  }
  afterEach(async () => {
    await t?.close();
  });

  const budget = async () => (await t.request({ url: '/v1/slos/checkout-availability/budget', token: TOKENS.reader })).body;
  const history = async () =>
    (
      await t.request({
        url: `/v1/slos/checkout-availability/history?from=${new Date(NOW - 27 * HOUR).toISOString()}&to=${new Date(NOW).toISOString()}&step=1h`,
        token: TOKENS.reader,
      })
    ).body.points as Array<{ t: string; remaining: number; burnRates: Record<string, number> }>;

  function expectNumbers(b: any, want: ReturnType<typeof expected>): void {
    expect(b.good).toBeCloseTo(want.good, 6);
    expect(b.total).toBeCloseTo(want.total, 6);
    expect(b.budget.remaining).toBeCloseTo(want.remaining, 9);
    for (const [label, value] of Object.entries(want.burnRates)) {
      expect([label, b.burnRates[label]]).toEqual([label, expect.closeTo(value, 9)]);
    }
  }

  it('leaves the events inside a config correction out of every window', async () => {
    await start(`corrections:
  - { service: checkout, reason: "database failover drill", start: "${new Date(CORRECTION.from).toISOString()}", duration: 2h }`);
    expect(EVENTS.filter(insideCorrection)).toHaveLength(3);
    expectNumbers(await budget(), expected(EVENTS.filter((ev) => !insideCorrection(ev))));
    const listed = (await t.request({ url: '/v1/corrections', token: TOKENS.reader })).body.corrections;
    expect(listed).toEqual([expect.objectContaining({ service: 'checkout', source: 'config', reason: 'database failover drill' })]);
  });

  it('changes the numbers and history when created after the fact, and restores them when deleted', async () => {
    await start('');
    const before = await budget();
    expectNumbers(before, expected(EVENTS));
    const historyBefore = await history();

    const created = await t.request({
      method: 'POST',
      url: '/v1/corrections',
      token: TOKENS.admin,
      body: { slo: 'checkout-availability', start: new Date(CORRECTION.from).toISOString(), end: new Date(CORRECTION.to).toISOString(), reason: 'maintenance announced late' },
    });
    expect(created.status).toBe(201);
    await t.evaluate();
    expectNumbers(await budget(), expected(EVENTS.filter((ev) => !insideCorrection(ev))));
    const historyCorrected = await history();
    // the points whose 1d window held the burst changed; their 30d budget no longer counts it
    expect(historyCorrected[0].remaining).toBeGreaterThan(historyBefore[0].remaining);
    expect(historyCorrected[0].burnRates['1d']).toBeLessThan(historyBefore[0].burnRates['1d']);

    const deleted = await t.request({ method: 'DELETE', url: `/v1/corrections/${created.body.id}`, token: TOKENS.admin });
    expect(deleted.status).toBe(204);
    await t.evaluate();
    expectNumbers(await budget(), expected(EVENTS));
    expect(await history()).toEqual(historyBefore);
  });

  it('makes a window covered whole by a correction a window with no data', async () => {
    await start(`corrections:
  - { slo: checkout-availability, reason: "load test", start: "${new Date(NOW - 3 * HOUR).toISOString()}", duration: 4h }`);
    const b = await budget();
    for (const label of ['5m', '30m', '1h', '2h']) expect([label, b.burnRates[label]]).toEqual([label, 0]);
    expect(b.burnRates['6h']).toBeCloseTo(expected(EVENTS.filter((ev) => ev.agoMs >= 3 * HOUR)).burnRates['6h'], 9);
  });
});
