import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from '../helpers/configs';
import { CounterSample, startPrometheus, TestPrometheus } from '../helpers/prometheus-server';
import { LoopbackReceiver, startSlackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §1, §3, §4 with a real Prometheus (backfilled with promtool): `prometheus` SLIs evaluate to
 * the SPEC formulas over the counters' increases, with `goodQuery` or `errorQuery`; when Prometheus
 * goes away the SLOs fail, their source-unavailable ticket fires at the 3rd failure and resolves at
 * the first good evaluation once it is back.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Evaluations land exactly on sample timestamps, so increase() needs no extrapolation: exact counts.
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE - HOUR;
const BURST = 30; // minutes of 10% errors before NOW

/** Per minute over two days: 999 good + 1 bad, then 900 + 100 during the last BURST minutes. */
function minuteCounts(minutesAgo: number): { good: number; bad: number } {
  return minutesAgo < BURST ? { good: 900, bad: 100 } : { good: 999, bad: 1 };
}

function samples(): CounterSample[] {
  const out: CounterSample[] = [];
  let good = 0;
  let bad = 0;
  for (let ago = 2 * 24 * 60; ago >= 0; ago--) {
    if (ago < 2 * 24 * 60) {
      const c = minuteCounts(ago);
      good += c.good;
      bad += c.bad;
    }
    const timestampMs = NOW - ago * MINUTE;
    out.push({ name: 'http_requests_total', labels: { code: '200' }, value: good, timestampMs });
    out.push({ name: 'http_requests_total', labels: { code: '500' }, value: bad, timestampMs });
  }
  return out;
}

/** good/total counted over (NOW − w, NOW], from the generator, independently of Prometheus. */
function expected(windowMs: number): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (let ago = 0; ago < windowMs / MINUTE; ago++) {
    const c = minuteCounts(ago);
    good += c.good;
    total += c.good + c.bad;
  }
  return { good, total };
}

function config(prometheusUrl: string, slackUrl: string): string {
  return `slos:
  - id: api-availability
    service: api
    objective: 99.9
    window: 1d
    sli:
      source: prometheus
      errorQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{window}}]))'
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))'
  - id: api-good
    service: api
    objective: 99
    window: 1d
    sli:
      source: prometheus
      goodQuery: 'sum(increase(http_requests_total{code="200"}[{{window}}]))'
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))'
sources:
  prometheus: { url: "${prometheusUrl}", timeout: 5s, concurrency: 8, headers: { Authorization: "Bearer prom-secret-0123456789" } }
notifiers:
  slack: { type: slack, webhookUrl: "${slackUrl}" }
routes:
  - match: { severity: ticket }
    notify: [slack]
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 30s
`;
}

let prometheus: TestPrometheus;
let slack: LoopbackReceiver;
let t: TestApp;

beforeAll(async () => {
  prometheus = await startPrometheus(samples());
  slack = await startSlackReceiver();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await prometheus?.stop();
  await slack?.close();
});

const budget = async (slo: string) => (await t.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body;

it('evaluates prometheus SLIs to the SPEC formulas, with errorQuery or goodQuery', async () => {
  t = await startTestApp(config(prometheus.url, slack.url), { nowMs: NOW });
  await t.evaluate();
  for (const [slo, objective] of [
    ['api-availability', 99.9],
    ['api-good', 99],
  ] as const) {
    const b = await budget(slo);
    const e = 1 - objective / 100;
    const day = expected(DAY);
    expect(b.evaluatedAt).toBe(new Date(NOW).toISOString());
    expect(b.good).toBeCloseTo(day.good, 6);
    expect(b.total).toBeCloseTo(day.total, 6);
    expect(b.sli).toBeCloseTo(day.good / day.total, 9);
    expect(b.budget.remaining).toBeCloseTo(1 - (1 - day.good / day.total) / e, 9);
    const windows: Record<string, number> = { '5m': 5 * MINUTE, '30m': 30 * MINUTE, '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '1d': DAY };
    for (const [label, ms] of Object.entries(windows)) {
      const w = expected(ms);
      expect([slo, label, b.burnRates[label]]).toEqual([slo, label, expect.closeTo((1 - w.good / w.total) / e, 6)]);
    }
  }
  // 10% errors for 30 minutes on a 99.9% SLO: the 14.4×/1h page holds (b_1h ≈ 50, b_5m = 100).
  const alerts = (await t.request({ url: '/v1/alerts', token: TOKENS.reader })).body.alerts;
  expect(alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'api-availability', severity: 'page', kind: 'burn-rate' })]));
});

it('fires the source-unavailable ticket at the 3rd failed evaluation and resolves it when Prometheus is back', async () => {
  const port = prometheus.port;
  await prometheus.stop();
  for (let i = 1; i <= 3; i++) {
    t.clock.set(NOW + i * 30_000);
    await t.evaluate();
    await t.app.get(DeliveryWorker).drain();
  }
  const failing = (await t.request({ url: '/v1/alerts', token: TOKENS.reader })).body.alerts;
  expect(failing.filter((a: { kind: string }) => a.kind === 'source-unavailable').map((a: { slo: string }) => a.slo).sort()).toEqual([
    'api-availability',
    'api-good',
  ]);
  expect(slack.accepted()).toHaveLength(1); // one message per second per webhook: the second waits
  t.clock.advance(1_000);
  await t.app.get(DeliveryWorker).drain();
  const texts = slack.accepted().map((r) => String(r.body.text));
  expect(texts.filter((x) => /source unavailable/i.test(x))).toHaveLength(2);
  expect(texts.join('\n')).toContain('ECONNREFUSED');
  expect(texts.join('\n')).not.toContain('prom-secret');
  // The last good numbers are kept; after 3 intervals without a good evaluation the zone is unknown.
  t.clock.set(NOW + 91_000);
  expect((await budget('api-good')).zone).toBe('unknown');
  expect((await budget('api-good')).evaluatedAt).toBe(new Date(NOW).toISOString());

  prometheus = await startPrometheus(samples(), { port });
  t.clock.set(NOW + 2 * MINUTE); // on a sample timestamp again (the backfilled data ends at NOW)
  await t.evaluate();
  await t.app.get(DeliveryWorker).drain();
  t.clock.advance(1_000);
  await t.app.get(DeliveryWorker).drain();
  const after = (await t.request({ url: '/v1/alerts', token: TOKENS.reader })).body.alerts;
  expect(after.filter((a: { kind: string }) => a.kind === 'source-unavailable')).toEqual([]);
  const resolved = slack.accepted().filter((r) => /source unavailable|available again/i.test(JSON.stringify(r.body)) && /resolved/i.test(JSON.stringify(r.body)));
  expect(resolved).toHaveLength(2);
}, 60_000);
