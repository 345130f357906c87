import { PrometheusMetricsSource } from '../../src/sources/prometheus/prometheus-metrics-source';
import { TOKENS } from '../helpers/configs';
import { CounterSample, startPrometheus, TestPrometheus } from '../helpers/prometheus-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §5 history of Prometheus SLOs, against a real Prometheus (backfilled with promtool): each
 * point is what the budget API gives after an evaluation at that instant (range queries for the
 * rolling windows, instant queries for a calendar period and corrected parts); null where
 * Prometheus has no sample; the instant queries only where a point needs them; the burn-down
 * endpoint gives the history's `remaining`; a source that does not answer is a 503.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// On an hour, an hour in the past (behind Prometheus' head): the hourly grids land on samples.
const NOW = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const DATA_START = NOW - 9 * DAY;
const MAINTENANCE = { from: NOW - 30 * HOUR, to: NOW - 28 * HOUR };
/** evaluation instants compared with history: before, inside and after the correction, now */
const INSTANTS = [NOW - 8 * DAY, NOW - 50 * HOUR, NOW - 29 * HOUR, NOW - 27 * HOUR, NOW - 3 * HOUR, NOW];

/** The counter increments landing at `t`: errors varying from hour to hour, all errors in maintenance. */
function minuteCounts(t: number): { good: number; bad: number } {
  if (t > MAINTENANCE.from && t <= MAINTENANCE.to) return { good: 0, bad: 1000 };
  const bad = 1 + ((Math.floor(t / HOUR) * 7919) % 13);
  return { good: 1000 - bad, bad };
}

function samples(): CounterSample[] {
  const out: CounterSample[] = [];
  let good = 0;
  let bad = 0;
  for (let at = DATA_START; at <= NOW; at += MINUTE) {
    if (at > DATA_START) {
      const c = minuteCounts(at);
      good += c.good;
      bad += c.bad;
    }
    out.push({ name: 'http_requests_total', labels: { code: '200' }, value: good, timestampMs: at });
    out.push({ name: 'http_requests_total', labels: { code: '500' }, value: bad, timestampMs: at });
  }
  return out;
}

function config(prometheusUrl: string): string {
  return `slos:
  - id: api-availability
    service: api
    objective: 99.5
    window: 1d
    sli:
      source: prometheus
      errorQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{window}}]))'
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))'
  - id: api-weekly
    service: api
    objective: 99
    window: { calendar: week, timeZone: UTC }
    sli:
      source: prometheus
      goodQuery: 'sum(increase(http_requests_total{code="200"}[{{window}}]))'
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))'
corrections:
  - { slo: api-availability, reason: "planned failover", start: "${new Date(MAINTENANCE.from).toISOString()}", duration: 2h }
sources:
  prometheus: { url: "${prometheusUrl}", timeout: 5s, concurrency: 8 }
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 30s
`;
}

interface Numbers {
  sli: number | null;
  remaining: number | null;
  burnRates: Record<string, number | null> | null;
}

/** Equal, or within 1e-9 relative, field by field. */
function sameNumbers(a: Numbers, b: Numbers): boolean {
  const close = (x: number | null | undefined, y: number | null | undefined) =>
    x === y || (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y)));
  const keys = [...new Set([...Object.keys(a.burnRates ?? {}), ...Object.keys(b.burnRates ?? {})])];
  return close(a.sli, b.sli) && close(a.remaining, b.remaining) && (a.burnRates === null) === (b.burnRates === null) && keys.every((k) => close(a.burnRates?.[k], b.burnRates?.[k]));
}

let prometheus: TestPrometheus;
let t: TestApp;
const iso = (ms: number) => new Date(ms).toISOString();
const get = async (url: string) => t.request({ url, token: TOKENS.reader });
const history = async (slo: string, fromMs: number, toMs: number, step: string) => {
  const res = await get(`/v1/slos/${slo}/history?from=${iso(fromMs)}&to=${iso(toMs)}&step=${step}`);
  expect([slo, res.status]).toEqual([slo, 200]);
  return res.body.points as Array<Numbers & { t: string }>;
};

beforeAll(async () => {
  prometheus = await startPrometheus(samples());
  t = await startTestApp(config(prometheus.url), { nowMs: NOW });
}, 90_000);
afterAll(async () => {
  await t?.close();
  await prometheus?.stop();
});
afterEach(() => {
  jest.restoreAllMocks();
  t.clock.set(NOW);
});

it('gives at each instant the numbers the budget API gave after an evaluation then (rolling with a correction, calendar week)', async () => {
  const budgets = new Map<string, Numbers>();
  for (const at of INSTANTS) {
    t.clock.set(at);
    await t.evaluate();
    for (const slo of ['api-availability', 'api-weekly']) {
      const b = (await get(`/v1/slos/${slo}/budget`)).body;
      expect([slo, at, b.evaluatedAt]).toEqual([slo, at, iso(at)]);
      budgets.set(`${slo}@${iso(at)}`, { sli: b.sli, remaining: b.budget.remaining, burnRates: b.burnRates });
    }
  }
  t.clock.set(NOW);
  const mismatches: unknown[] = [];
  for (const slo of ['api-availability', 'api-weekly']) {
    const points = await history(slo, NOW - 8 * DAY, NOW, '1h');
    expect(points).toHaveLength(8 * 24 + 1);
    for (const at of INSTANTS) {
      const point = points.find((p) => p.t === iso(at))!;
      const want = budgets.get(`${slo}@${iso(at)}`)!;
      if (!sameNumbers(point, want)) mismatches.push({ slo, at: iso(at), history: point, budget: want });
    }
  }
  expect(mismatches).toEqual([]);
  // not vacuous: the numbers move from instant to instant, and the correction shows
  const remaining = INSTANTS.map((at) => budgets.get(`api-availability@${iso(at)}`)!.remaining);
  expect(new Set(remaining).size).toBeGreaterThan(3);
  expect(budgets.get(`api-availability@${iso(NOW - 29 * HOUR)}`)!.burnRates!['1h']).toBe(0); // the last hour is inside the correction: no data
  expect(budgets.get(`api-weekly@${iso(NOW - 29 * HOUR)}`)!.burnRates!['1h']).toBeGreaterThan(90); // not corrected: all errors
}, 60_000);

it('is null where Prometheus has no sample, numbers where it has', async () => {
  for (const slo of ['api-availability', 'api-weekly']) {
    const points = await history(slo, DATA_START - DAY, NOW, '1h');
    expect(points).toHaveLength(10 * 24 + 1);
    const nulls = points.filter((p) => Date.parse(p.t) <= DATA_START); // a window with one sample has no increase
    const known = points.filter((p) => Date.parse(p.t) > DATA_START);
    expect(nulls).toHaveLength(25);
    for (const p of nulls) expect([slo, p]).toEqual([slo, { t: p.t, sli: null, remaining: null, burnRates: null }]);
    for (const p of known) {
      // (a calendar point on the period's start has an empty period: sli null, the budget full)
      expect([slo, p.t, typeof p.remaining]).toEqual([slo, p.t, 'number']);
      expect(p.burnRates).toEqual(expect.objectContaining({ '1h': expect.any(Number), '5m': expect.any(Number) }));
    }
  }
}, 60_000);

it('reads each rolling window with one range query, and asks instant queries only for the points that need them', async () => {
  const source = t.app.get(PrometheusMetricsSource);
  const ranges = jest.spyOn(source, 'countsOverRange');
  const instants = jest.spyOn(source, 'counts');
  // no window of these points overlaps the correction: range queries only
  await history('api-availability', DATA_START, NOW - 3 * DAY, '1h');
  const windows = ranges.mock.calls.map((call) => call[1]);
  expect(windows.length).toBeGreaterThan(3);
  expect(new Set(windows).size).toBe(windows.length);
  expect(instants).not.toHaveBeenCalled();
  // the points whose 1d window overlaps the correction (events stamped in [from, to)) ask for their corrected parts
  await history('api-availability', NOW - 3 * DAY, NOW, '1h');
  const asked = instants.mock.calls.map((call) => call[1]);
  expect(asked.length).toBeGreaterThan(0);
  for (const at of asked) expect([iso(at), at >= MAINTENANCE.from && at < MAINTENANCE.to + DAY]).toEqual([iso(at), true]);
  // a calendar SLO's period differs at each point: asked for each
  instants.mockClear();
  await history('api-weekly', NOW - 10 * HOUR, NOW, '1h');
  expect(new Set(instants.mock.calls.map((call) => call[1])).size).toBe(11);
}, 60_000);

it("gives the burn-down as the history's remaining at the same instants", async () => {
  const res = await get('/v1/burndown?service=api&points=24');
  expect(res.status).toBe(200);
  expect(res.body.slos.map((s: { slo: string }) => s.slo)).toEqual(['api-availability', 'api-weekly']);
  for (const series of res.body.slos as Array<{ slo: string; from: string; to: string; step: number; remaining: Array<number | null> }>) {
    expect(series.to).toBe(iso(NOW));
    expect(series.remaining).toHaveLength(24);
    const points = await history(series.slo, Date.parse(series.from), Date.parse(series.to), `${series.step}s`);
    expect([series.slo, series.remaining]).toEqual([series.slo, points.map((p) => p.remaining)]);
    expect(series.remaining.filter((r) => typeof r === 'number').length).toBeGreaterThan(0);
  }
  const rolling = res.body.slos[0];
  expect(Date.parse(rolling.from)).toBeGreaterThanOrEqual(NOW - DAY);
  expect(Date.parse(rolling.from)).toBeLessThan(NOW - DAY + 23 * 1000);
}, 60_000);

it('refuses steps under 1 s (range queries), and answers 503 when Prometheus does not answer', async () => {
  const short = await get(`/v1/slos/api-availability/history?from=${iso(NOW - MINUTE)}&step=500ms`);
  expect(short.status).toBe(400);
  expect(short.body.details[0].path).toBe('step');

  const down = await startTestApp(config('http://127.0.0.1:9'), { nowMs: NOW });
  try {
    const res = await down.request({ url: '/v1/slos/api-availability/history', token: TOKENS.reader });
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/^metrics source unavailable: the history of "api-availability" cannot be read \(prometheus: /);
    // the board still gets its answer: a series of nulls for each SLO whose source failed
    const burndown = await down.request({ url: '/v1/burndown', token: TOKENS.reader });
    expect(burndown.status).toBe(200);
    for (const series of burndown.body.slos) expect(series.remaining).toEqual(new Array(48).fill(null));
  } finally {
    await down.close();
  }
}, 60_000);
