import { TOKENS } from '../helpers/configs';
import { CounterSample, startPrometheus, TestPrometheus } from '../helpers/prometheus-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §4 corrections and calendar windows with a real Prometheus (backfilled with promtool): each
 * window's counts are reduced by `increase` over its overlap with each correction, asked at the
 * overlap's end; a calendar week counts `increase(…[L])` from the period start; a correction created
 * after the fact through the API changes the numbers, and deleting it restores them.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Evaluations and correction edges land on sample timestamps, so increase() needs no extrapolation.
const NOW = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const SPAN_MINUTES = 9 * 24 * 60;
const MAINTENANCE = { from: NOW - 30 * HOUR, to: NOW - 28 * HOUR };

/** The counter increment that lands in the sample at `t`: 0.1% errors, all errors during maintenance. */
function minuteCounts(t: number): { good: number; bad: number } {
  if (t > MAINTENANCE.from && t <= MAINTENANCE.to) return { good: 0, bad: 1000 };
  if (t > NOW - 45 * MINUTE) return { good: 980, bad: 20 };
  return { good: 999, bad: 1 };
}

function samples(): CounterSample[] {
  const out: CounterSample[] = [];
  let good = 0;
  let bad = 0;
  for (let ago = SPAN_MINUTES; ago >= 0; ago--) {
    const t = NOW - ago * MINUTE;
    if (ago < SPAN_MINUTES) {
      const c = minuteCounts(t);
      good += c.good;
      bad += c.bad;
    }
    out.push({ name: 'http_requests_total', labels: { code: '200' }, value: good, timestampMs: t });
    out.push({ name: 'http_requests_total', labels: { code: '500' }, value: bad, timestampMs: t });
  }
  return out;
}

/** good/total of the increments landing in (from, to], leaving out (a, b] of each correction given. */
function counted(from: number, to: number, corrections: Array<{ from: number; to: number }> = []) {
  let good = 0;
  let total = 0;
  for (let t = Math.floor(from / MINUTE) * MINUTE + MINUTE; t <= to; t += MINUTE) {
    if (corrections.some((c) => t > c.from && t <= c.to)) continue;
    const c = minuteCounts(t);
    good += c.good;
    total += c.good + c.bad;
  }
  return { good, total };
}

function config(prometheusUrl: string, corrections: string): string {
  return `slos:
  - id: api-availability
    service: api
    objective: 99.9
    window: 3d
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
${corrections}
sources:
  prometheus: { url: "${prometheusUrl}", timeout: 5s, concurrency: 8 }
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, admin] }
server:
  evaluationInterval: 30s
`;
}

let prometheus: TestPrometheus;
let t: TestApp | undefined;

beforeAll(async () => {
  prometheus = await startPrometheus(samples());
}, 90_000);
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  await prometheus?.stop();
});

const budget = async (slo: string) => (await t!.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body;
const WINDOWS: Record<string, number> = { '5m': 5 * MINUTE, '30m': 30 * MINUTE, '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '1d': DAY, '3d': 3 * DAY };

function expectRolling(b: any, corrections: Array<{ from: number; to: number }>): void {
  const e = 0.001;
  const whole = counted(NOW - 3 * DAY, NOW, corrections);
  expect(b.total).toBeCloseTo(whole.total, 3);
  expect(b.budget.remaining).toBeCloseTo(1 - (1 - whole.good / whole.total) / e, 6);
  for (const [label, ms] of Object.entries(WINDOWS)) {
    const w = counted(NOW - ms, NOW, corrections);
    expect([label, b.burnRates[label]]).toEqual([label, expect.closeTo((1 - w.good / w.total) / e, 6)]);
  }
}

it('takes a config correction out of every window, with increase() over each overlap', async () => {
  t = await startTestApp(
    config(prometheus.url, `corrections:\n  - { service: api, reason: "planned failover", start: "${new Date(MAINTENANCE.from).toISOString()}", duration: 2h }`),
    { nowMs: NOW },
  );
  await t.evaluate();
  expectRolling(await budget('api-availability'), [MAINTENANCE]);
}, 30_000);

it('counts a calendar week from its Monday 00:00 with increase() over the elapsed time', async () => {
  t = await startTestApp(config(prometheus.url, ''), { nowMs: NOW });
  await t.evaluate();
  const b = await budget('api-weekly');
  const monday = new Date(NOW);
  const day = (monday.getUTCDay() + 6) % 7; // days since Monday
  const start = Date.UTC(monday.getUTCFullYear(), monday.getUTCMonth(), monday.getUTCDate()) - day * DAY;
  expect(b.window).toBe('week');
  expect(b.period).toEqual({ start: new Date(start).toISOString(), end: new Date(start + 7 * DAY).toISOString() });
  const want = start === NOW ? { good: 0, total: 0 } : counted(start, NOW);
  expect(b.total).toBeCloseTo(want.total, 3);
  if (want.total > 0) expect(b.budget.remaining).toBeCloseTo(1 - (1 - want.good / want.total) / 0.01, 6);
}, 30_000);

it('changes the numbers when a correction is created after the fact, and restores them when it is deleted', async () => {
  t = await startTestApp(config(prometheus.url, ''), { nowMs: NOW });
  await t.evaluate();
  expectRolling(await budget('api-availability'), []);
  const created = await t.request({
    method: 'POST',
    url: '/v1/corrections',
    token: TOKENS.admin,
    body: { service: '*', start: new Date(MAINTENANCE.from).toISOString(), end: new Date(MAINTENANCE.to).toISOString(), reason: 'maintenance' },
  });
  expect(created.status).toBe(201);
  await t.evaluate();
  expectRolling(await budget('api-availability'), [MAINTENANCE]);
  expect((await t.request({ method: 'DELETE', url: `/v1/corrections/${created.body.id}`, token: TOKENS.admin })).status).toBe(204);
  await t.evaluate();
  expectRolling(await budget('api-availability'), []);
}, 30_000);
