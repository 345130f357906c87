import { TOKENS } from '../helpers/configs';
import { CounterSample, startPrometheus, TestPrometheus } from '../helpers/prometheus-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §4 (Incidents) with a real Prometheus (backfilled with promtool): a `prometheus` SLO's
 * incident has its `startedAt` from one `query_range` of the 5m error ratio at 10 s steps, and its
 * `budgetConsumed` from instant queries at startedAt and resolvedAt, as for the event store.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const STEP = 10 * SECOND;
// an hour in the past, on a minute: the backfilled data lies behind Prometheus' head
const ONSET = Math.floor(Date.now() / MINUTE) * MINUTE - HOUR;
const START = ONSET - 2 * HOUR;
const END = ONSET + 20 * MINUTE;
const ERRORS_FOR = 3 * MINUTE;
const PER_STEP = 100; // 10 requests a second

/** Errors in the step ending at `at`: every request of the 3 minutes after the onset fails. */
const failing = (at: number) => at - STEP >= ONSET && at <= ONSET + ERRORS_FOR;

function samples(): CounterSample[] {
  const out: CounterSample[] = [];
  let good = 0;
  let bad = 0;
  for (let at = START; at <= END; at += STEP) {
    if (at > START) {
      if (failing(at)) bad += PER_STEP;
      else good += PER_STEP;
    }
    out.push({ name: 'http_requests_total', labels: { code: '200' }, value: good, timestampMs: at });
    out.push({ name: 'http_requests_total', labels: { code: '500' }, value: bad, timestampMs: at });
  }
  return out;
}

/** SPEC §4's remaining over (at − 1d, at], from the generator. */
function remainingAt(at: number): number {
  let bad = 0;
  let total = 0;
  for (let s = START + STEP; s <= at; s += STEP) {
    total += PER_STEP;
    if (failing(s)) bad += PER_STEP;
  }
  return 1 - bad / total / 0.01;
}

let prometheus: TestPrometheus;
let t: TestApp;

beforeAll(async () => {
  prometheus = await startPrometheus(samples());
}, 60_000);
afterAll(async () => {
  await t?.close();
  await prometheus?.stop();
});

it('finds when the errors began with a range query, and what the incident cost', async () => {
  t = await startTestApp(
    `slos:
  - id: api-availability
    service: api
    objective: 99
    window: 1d
    sli:
      source: prometheus
      errorQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{window}}]))'
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))'
    alerting: { rules: [{ severity: page, burnRate: 10, long: 5m, short: 1m }] }
sources:
  prometheus: { url: "${prometheus.url}", timeout: 5s }
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 10s
`,
    { nowMs: ONSET - MINUTE },
  );
  let pagedAt: number | null = null;
  let resolvedAt: number | null = null;
  for (let at = ONSET - MINUTE; at <= ONSET + 10 * MINUTE; at += STEP) {
    t.clock.set(at);
    await t.evaluate();
    const paging = (await t.request({ url: '/v1/alerts', token: TOKENS.reader })).body.alerts.length > 0;
    if (paging && pagedAt === null) pagedAt = at;
    if (!paging && pagedAt !== null && resolvedAt === null) resolvedAt = at;
  }
  const { incidents } = (await t.request({ url: '/v1/incidents', token: TOKENS.reader })).body;
  expect(incidents).toHaveLength(1);
  const [incident] = incidents;
  expect(pagedAt).not.toBeNull();
  expect(resolvedAt).not.toBeNull();
  expect(incident).toMatchObject({
    state: 'resolved',
    detectedAt: new Date(pagedAt!).toISOString(),
    resolvedAt: new Date(resolvedAt!).toISOString(),
    // the 5m error ratio is 0 at the onset and above e from the next 10 s step on
    startedAt: new Date(ONSET).toISOString(),
    timeToDetect: (pagedAt! - ONSET) / 1000,
    timeToResolve: (resolvedAt! - ONSET) / 1000,
  });
  expect(incident.slos[0].budgetConsumed).toBeCloseTo(remainingAt(ONSET) - remainingAt(resolvedAt!), 2);
}, 60_000);
