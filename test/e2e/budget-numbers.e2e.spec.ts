import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * Events pushed through POST /v1/events with timestamps give budget objects whose numbers equal the
 * SPEC §4 formulas (to 1e-9: every event lies well inside or well outside each window), in memory
 * and with a real Redis.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WINDOWS: Record<string, number> = { '5m': 5 * MIN, '30m': 30 * MIN, '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '1d': DAY, '3d': 3 * DAY };

interface RawEvent {
  agoMs: number;
  good: number;
  total: number;
}

const EVENTS: RawEvent[] = [
  { agoMs: 2 * MIN, good: 990, total: 1000 },
  { agoMs: 20 * MIN, good: 1980, total: 2000 },
  { agoMs: 3 * HOUR, good: 4000, total: 5000 },
  { agoMs: 2 * DAY, good: 9000, total: 10000 },
  { agoMs: 10 * DAY, good: 10_000_000, total: 10_000_000 },
];

/** An independent transcription of SPEC §4, for the expected values. */
function expected(now: number, windowMs: number, objective: number) {
  const e = 1 - objective / 100;
  const sum = (w: number) =>
    EVENTS.filter((ev) => ev.agoMs < w).reduce((acc, ev) => ({ good: acc.good + ev.good, total: acc.total + ev.total }), {
      good: 0,
      total: 0,
    });
  const burn = (w: number) => {
    const { good, total } = sum(w);
    return total === 0 ? 0 : (total - good) / total / e;
  };
  const whole = sum(windowMs);
  const r = (whole.total - whole.good) / whole.total;
  const remaining = 1 - r / e;
  const b1h = burn(HOUR);
  return {
    good: whole.good,
    total: whole.total,
    sli: 1 - r,
    remaining,
    consumed: 1 - remaining,
    exhaustsAt: b1h > 1 && remaining > 0 ? new Date(now + (remaining * windowMs) / b1h).toISOString() : null,
    burnRates: Object.fromEntries(Object.entries(WINDOWS).map(([label, w]) => [label, burn(w)])),
  };
}

describe.each(['memory', 'redis'] as const)('budget numbers (%s state)', (mode) => {
  const redis = mode === 'redis' ? useTestRedis() : null;
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(testConfig({ redisUrl: redis?.url, redisPrefix: `numbers-${Date.now()}:` }));
  });
  afterEach(async () => {
    await t?.close();
  });

  it('equals the SPEC §4 formulas for events pushed with timestamps', async () => {
    const now = t.clock.now();
    const response = await t.request({
      method: 'POST',
      url: '/v1/events',
      token: TOKENS.ingest,
      body: {
        events: EVENTS.map((ev) => ({
          slo: 'checkout-availability',
          good: ev.good,
          total: ev.total,
          timestamp: new Date(now - ev.agoMs).toISOString(),
        })),
      },
    });
    expect(response).toMatchObject({ status: 202, body: { accepted: EVENTS.length } });
    await t.evaluate();

    const { status, body } = await t.request({ url: '/v1/slos/checkout-availability/budget', token: TOKENS.reader });
    expect(status).toBe(200);
    const want = expected(now, 30 * DAY, 99.9);
    expect(body.slo).toBe('checkout-availability');
    expect(body.service).toBe('checkout');
    expect(body.team).toBe('payments');
    expect(body.objective).toBe(99.9);
    expect(body.window).toBe('30d');
    expect(body.evaluatedAt).toBe(new Date(now).toISOString());
    expect(body.good).toBe(want.good);
    expect(body.total).toBe(want.total);
    expect(body.sli).toBeCloseTo(want.sli, 9);
    expect(body.budget.remaining).toBeCloseTo(want.remaining, 9);
    expect(body.budget.consumed).toBeCloseTo(want.consumed, 9);
    expect(Object.keys(body.burnRates)).toEqual(Object.keys(WINDOWS));
    for (const [label, value] of Object.entries(want.burnRates)) {
      expect([label, body.burnRates[label]]).toEqual([label, expect.closeTo(value, 9)]);
    }
    expect(want.exhaustsAt).not.toBeNull();
    expect(Math.abs(Date.parse(body.budget.exhaustsAt) - Date.parse(want.exhaustsAt!))).toBeLessThanOrEqual(1);
    expect(body.zone).toBe(want.remaining > 0.5 ? 'normal' : want.remaining >= 0.25 ? 'caution' : want.remaining > 0 ? 'freeze' : 'exhausted');
    // The default rules of SPEC §4, transcribed: an alert of a severity fires when any of its rules holds.
    const b = want.burnRates;
    const holds = (rate: number, long: string, short: string) => b[long] >= rate && b[short] >= rate;
    const firing = [
      ...(holds(14.4, '1h', '5m') || holds(6, '6h', '30m') ? ['page'] : []),
      ...(holds(3, '1d', '2h') || holds(1, '3d', '6h') ? ['ticket'] : []),
    ];
    expect(firing.length).toBeGreaterThan(0); // the fixture burns fast enough to show alerts
    expect(body.alerts).toEqual(
      firing.map((severity) => ({ severity, kind: 'burn-rate', state: 'firing', since: new Date(now).toISOString() })),
    );
  });

  it('shows null numbers and the unknown zone before the first evaluation', async () => {
    const { status, body } = await t.request({ url: '/v1/slos/checkout-latency/budget', token: TOKENS.reader });
    expect(status).toBe(200);
    expect(body).toMatchObject({ zone: 'unknown', evaluatedAt: null, sli: null, good: null, total: null });
    expect(body.budget).toEqual({ remaining: null, consumed: null, exhaustsAt: null });
  });

  it('keys burnRates by the SLO rule windows as configured, plus 1h', async () => {
    await t.evaluate();
    const { body } = await t.request({ url: '/v1/slos/search-availability/budget', token: TOKENS.reader });
    expect(Object.keys(body.burnRates)).toEqual(['2m', '30m', '1h', '6h']);
  });
});
