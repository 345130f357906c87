import { SloHistoryService } from '../../src/slo/slo-history.service';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

const DAY = 86_400_000;

/**
 * `GET /v1/slos/{id}/history` never answers for times the store cannot know as if the budget were
 * full, and a request of 2,000 points does not hold the event loop for its whole computation.
 */
describe('history bounds', () => {
  let t: TestApp;
  let now: number;

  beforeAll(async () => {
    t = await startTestApp(testConfig({ publicRead: true }));
    now = t.clock.now();
    // errors throughout the last 20 days: a point that sees them has spent budget
    const events = Array.from({ length: 20 }, (_, d) => ({ slo: 'checkout-availability', good: 900, total: 1_000, timestamp: new Date(now - d * DAY - 60_000).toISOString() }));
    const res = await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events } });
    expect(res.status).toBe(202);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers null (sli, remaining, burnRates) for points whose window reaches before what the store keeps', async () => {
    const res = await t.request({ url: '/v1/slos/checkout-availability/history?from=1970-01-01T00:00:00Z&step=1y' });
    expect(res.status).toBe(200);
    expect(res.body.points.length).toBeGreaterThan(50);
    for (const point of res.body.points) expect(point).toEqual({ t: expect.any(String), sli: null, remaining: null, burnRates: null });
  });

  it('answers numbers for points up to one SLO window (30d) back, null before', async () => {
    const from = new Date(now - 40 * DAY).toISOString();
    const res = await t.request({ url: `/v1/slos/checkout-availability/history?from=${from}&step=1d` });
    expect(res.status).toBe(200);
    const points = res.body.points as Array<{ t: string; sli: number | null; remaining: number | null; burnRates: Record<string, number> | null }>;
    expect(points).toHaveLength(41);
    for (const point of points) {
      const known = Date.parse(point.t) >= now - 30 * DAY;
      if (known) {
        expect(point.remaining).toEqual(expect.any(Number));
        expect(point.burnRates).toEqual(expect.objectContaining({ '1h': expect.any(Number) }));
      } else {
        expect(point).toEqual({ t: point.t, sli: null, remaining: null, burnRates: null });
      }
    }
    // the newest point sees the errors: not a full budget
    expect(points[points.length - 1].remaining).toBeLessThan(1);
  });

  it('lets the event loop run between chunks of a 2,000-point request', async () => {
    const service = t.app.get(SloHistoryService);
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    const history = service.history('checkout-availability', { fromMs: now - 29 * DAY, toMs: now, stepMs: Math.floor((29 * DAY) / 1_999) });
    setImmediate(spin);
    const result = await history;
    done = true;
    expect(result.points).toHaveLength(2_000);
    // without yielding, the whole computation runs in one turn after the store ping (a turn or two)
    expect(turns).toBeGreaterThanOrEqual(5);
  });
});
