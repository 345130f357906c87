import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DELIVERY_LEASE_MS } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from '../helpers/configs';
import { ROUTING_KEY, pdEvents } from '../helpers/alerting';
import { startPrometheusStandin, type PrometheusStandin } from '../helpers/prometheus-standin';
import { LoopbackReceiver, NO_ANSWER, startPagerDutyReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import { startService, ServiceProcess } from '../helpers/service-process';

/**
 * SPEC §12, "SIGKILL at any point of a cycle or a delivery": the built service (`dist/main.js`) as
 * real processes on one real Redis, killed with SIGKILL, then started again. What is seen: the next
 * start completes every recorded delivery. What never happens: a lost notification, or a second copy
 * other than after an unknown outcome.
 *
 * Three kill points: between two attempts of a send (the page refused, the process killed before
 * the retry: `test/e2e/alerts-replicas.e2e.spec.ts`, "a page recorded before a SIGKILL is delivered
 * once by the next start"), and here in the middle of a send (PagerDuty has the request, no answer
 * yet) and in the middle of a cycle (its evaluation waiting on Prometheus).
 *
 * The SLOs have minute-long windows and the cycle runs every second, so incidents take seconds. The
 * mid-send kill waits once for the outbox lease (`DELIVERY_LEASE_MS`, 30 s; there is no setting to
 * shorten it, and it must stay above the 10 s send timeout).
 */
const API_FAST = 'slo-engine/api-fast/page';
const API_SLOW = 'slo-engine/api-slow/page';

const redis = useTestRedis();
let pd: LoopbackReceiver;
let prometheus: PrometheusStandin;
let dir: string;
const services: ServiceProcess[] = [];

const page = (id: string): string => `  - id: ${id}
    service: api
    objective: 90
    window: 1h
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 5, long: 1m, short: 10s }
`;

beforeEach(async () => {
  pd = await startPagerDutyReceiver();
  prometheus = await startPrometheusStandin('ok');
  dir = mkdtempSync(join(tmpdir(), 'slo-engine-sigkill-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    `slos:
${page('api-fast')}${page('api-slow')}  - id: catalog-fast
    service: catalog
    objective: 90
    window: 1h
    sli: { source: prometheus, goodQuery: 'sum(rate(good[{{window}}]))', totalQuery: 'sum(rate(total[{{window}}]))' }
sources:
  prometheus: { url: "${prometheus.url}", timeout: 20s }
notifiers:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}" }
routes:
  - match: { severity: page }
    notify: [pd]
auth:
  tokens:
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
`,
  );
});

afterEach(async () => {
  for (const service of services.splice(0)) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
  const problems = [...pd.problems];
  await pd.close();
  await prometheus.close();
  rmSync(dir, { recursive: true, force: true });
  expect(problems).toEqual([]);
});

async function start(prefix: string): Promise<ServiceProcess> {
  const service = await startService({
    CONFIG_FILE: join(dir, 'config.yaml'),
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    EVALUATION_INTERVAL: '1s',
  });
  services.push(service);
  await service.waitFor('/readyz', 200);
  return service;
}

async function kill(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGKILL');
  const { signal } = await service.exited;
  expect(signal).toBe('SIGKILL');
}

async function push(service: ServiceProcess, slo: string, good: number, total: number): Promise<void> {
  const response = await fetch(`${service.base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ slo, good, total }] }),
  });
  expect(response.status).toBe(202);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(25);
  }
}

async function firingPages(service: ServiceProcess): Promise<string[]> {
  const response = await fetch(`${service.base}/v1/alerts`, { headers: { authorization: `Bearer ${TOKENS.ci}` } });
  const body = (await response.json()) as { alerts: Array<{ slo: string; severity: string }> };
  return body.alerts.filter((a) => a.severity === 'page').map((a) => a.slo).sort();
}

it(
  'SIGKILL in the middle of a send: the next start sends it again once the lease is over, and only once more',
  async () => {
    const prefix = `kill-send-${process.pid}-${Date.now()}:`;
    pd.respond(() => NO_ANSWER); // PagerDuty reads the request and holds it: the outcome is unknown
    const first = await start(prefix);
    await push(first, 'api-fast', 0, 100);
    await until(() => pd.requests.length > 0, 15_000, 'the page reaches PagerDuty');
    await kill(first);
    const [held] = pd.requests;
    expect(`${held.body.event_action} ${held.body.dedup_key} ${held.status}`).toBe(`trigger ${API_FAST} 0`);

    pd.respond(null); // PagerDuty answers again
    const second = await start(prefix);
    await pd.waitFor((accepted) => accepted.length >= 1, DELIVERY_LEASE_MS + 15_000);
    const [sent] = pd.accepted();
    // not before the dead sender's lease was over (while it lived, its send could still have been answered)
    expect(sent.at - held.at).toBeGreaterThanOrEqual(DELIVERY_LEASE_MS - 1_000);
    expect(sent.body).toEqual(held.body); // the same event, dedup_key included: PagerDuty folds the two copies

    await sleep(3_000); // cycles go on with the page still firing
    expect(pdEvents(pd)).toEqual([`trigger ${API_FAST}`]);
    expect(pd.requests.map((r) => r.status)).toEqual([0, 202]); // one extra copy, after an unknown outcome; no third
    expect(await firingPages(second)).toEqual(['api-fast']);
    expect(second.output()).not.toContain(ROUTING_KEY);
  },
  DELIVERY_LEASE_MS + 60_000,
);

it('SIGKILL in the middle of a cycle: the next start evaluates and notifies each transition once', async () => {
  const prefix = `kill-cycle-${process.pid}-${Date.now()}:`;
  const first = await start(prefix);
  await push(first, 'api-fast', 0, 100);
  await pd.waitFor((accepted) => accepted.length >= 1, 15_000); // a transition recorded and delivered before the kill
  expect(pdEvents(pd)).toEqual([`trigger ${API_FAST}`]);

  // the next cycle stalls in its evaluation, on a Prometheus that never answers…
  prometheus.setMode('hang');
  const asked = prometheus.queries.length;
  await until(() => prometheus.queries.length > asked, 10_000, 'a cycle asks Prometheus');
  const cyclesLogged = (): number => first.output().split('"msg":"evaluation cycle').length - 1;
  await sleep(200); // the log of the cycle before it has come through the pipe
  const finishedBefore = cyclesLogged();
  // …while api-slow starts failing: its transition is for a cycle that never finishes
  await push(first, 'api-slow', 0, 100);
  await sleep(500);
  expect(cyclesLogged()).toBe(finishedBefore); // the cycle is still running (no other starts meanwhile)
  await kill(first);
  expect(pdEvents(pd)).toEqual([`trigger ${API_FAST}`]);

  prometheus.setMode('ok');
  const second = await start(prefix);
  await pd.waitFor((accepted) => accepted.length >= 2, 15_000);
  await sleep(3_000); // several more cycles with both pages firing
  expect(pdEvents(pd)).toEqual([`trigger ${API_FAST}`, `trigger ${API_SLOW}`]);
  expect(pd.requests).toHaveLength(2); // no second copy: no send's outcome was unknown
  expect(await firingPages(second)).toEqual(['api-fast', 'api-slow']);
}, 60_000);
