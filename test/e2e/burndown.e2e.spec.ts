import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * `GET /v1/burndown` (the board's home page): for every SLO (of a service), sorted by id, the
 * remaining budget at `points` instants evenly spaced over its window (rolling) or current period
 * (calendar), ending now — exactly the history's `remaining` at those instants.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-21T10:00:00.000Z');
const MONTHLY = `  - id: checkout-monthly
    service: checkout
    objective: 99.5
    window: { calendar: month, timeZone: Europe/Paris }
    sli: { source: events }`;

interface Series {
  slo: string;
  from: string;
  to: string;
  step: number;
  remaining: Array<number | null>;
}

let t: TestApp;
const get = (url: string, token: string | undefined = TOKENS.reader) => t.request({ url, token });

beforeAll(async () => {
  t = await startTestApp(testConfig({ extraSlos: MONTHLY }), { nowMs: NOW });
  // six days of traffic every 20 minutes, errors growing day by day; search fails for the last hour
  const events = [];
  for (let at = NOW - 6 * DAY + MINUTE; at <= NOW; at += 20 * MINUTE) {
    const day = Math.floor((NOW - at) / DAY);
    const timestamp = new Date(at).toISOString();
    for (const slo of ['checkout-availability', 'checkout-latency', 'checkout-monthly']) events.push({ slo, good: 1000 - (6 - day), total: 1000, timestamp });
    events.push({ slo: 'search-availability', good: at > NOW - HOUR ? 50 : 100, total: 100, timestamp });
  }
  expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events } })).status).toBe(202);
  await t.evaluate();
});
afterAll(async () => {
  await t?.close();
});

it("gives every SLO's remaining budget over its window, as the history gives it at the same instants", async () => {
  const res = await get('/v1/burndown');
  expect(res.status).toBe(200);
  const slos = res.body.slos as Series[];
  expect(slos.map((s) => s.slo)).toEqual(['checkout-availability', 'checkout-latency', 'checkout-monthly', 'search-availability']);
  const windowStart: Record<string, number> = {
    'checkout-availability': NOW - 30 * DAY,
    'checkout-latency': NOW - 7 * DAY,
    'checkout-monthly': Date.parse('2026-10-31T23:00:00.000Z'), // November 1st 00:00 in Paris
    'search-availability': NOW - 28 * DAY,
  };
  for (const series of slos) {
    expect(series.remaining).toHaveLength(48);
    expect(series.to).toBe(new Date(NOW).toISOString());
    // the step: the window over 47 steps, in whole seconds (rounded down: never before the window)
    const stepMs = Math.floor((NOW - windowStart[series.slo]) / 47 / 1000) * 1000;
    expect([series.slo, series.step]).toEqual([series.slo, stepMs / 1000]);
    expect(Date.parse(series.from)).toBe(NOW - 47 * stepMs);
    expect(Date.parse(series.from)).toBeGreaterThanOrEqual(windowStart[series.slo]);

    const history = await get(`/v1/slos/${series.slo}/history?from=${series.from}&to=${series.to}&step=${series.step}s`);
    expect(history.status).toBe(200);
    expect([series.slo, series.remaining]).toEqual([series.slo, history.body.points.map((p: { remaining: number | null }) => p.remaining)]);
  }
  // not vacuous: budgets burn down over the window, and the failing search has spent more than half of its own
  const availability = slos[0].remaining as number[];
  expect(availability[0]).toBe(1); // before any traffic
  expect(availability[47]).toBeLessThan(availability[40]);
  expect(slos[3].remaining[47]).toBeLessThan(0.5);
});

it('filters by service, takes points from 2 to 200, refuses anything else', async () => {
  const search = await get('/v1/burndown?service=search&points=2');
  expect(search.status).toBe(200);
  expect(search.body.slos).toHaveLength(1);
  expect(search.body.slos[0]).toEqual({
    slo: 'search-availability',
    description: null,
    labels: {},
    from: new Date(NOW - 28 * DAY).toISOString(),
    to: new Date(NOW).toISOString(),
    step: 28 * 86_400,
    remaining: [1, expect.any(Number)],
  });
  expect((await get('/v1/burndown?points=200')).body.slos[0].remaining).toHaveLength(200);
  for (const query of ['points=1', 'points=201', 'points=0', 'points=abc', 'points=2.5', 'points=', 'bogus=1']) {
    const res = await get(`/v1/burndown?${query}`);
    expect([query, res.status]).toEqual([query, 400]);
    expect(res.body.details.length).toBeGreaterThan(0);
  }
  expect((await get('/v1/burndown?points=201')).body.details[0].path).toBe('points');
  const unknown = await get('/v1/burndown?service=nope');
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ statusCode: 404, message: 'unknown service "nope"' });
});

it('needs a token with the read scope', async () => {
  expect((await get('/v1/burndown', '')).status).toBe(401);
  expect((await get('/v1/burndown', 'not-a-token')).status).toBe(401);
  expect((await get('/v1/burndown', TOKENS.ingest)).status).toBe(403);
  expect((await get('/v1/burndown', TOKENS.ci)).status).toBe(200);
});
