import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS } from '../helpers/configs';
import { ROUTING_KEY, pdEvents } from '../helpers/alerting';
import { startPagerDutyReceiver, LoopbackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import { startService, ServiceProcess } from '../helpers/service-process';

/**
 * SPEC §6 and §8 with the built service as real processes on one real Redis: a page recorded but
 * not yet delivered when the service is killed (SIGKILL) is delivered once by the next start, which
 * does not page again; two replicas deliver each transition once.
 *
 * The SLO has minute-long windows and the cycle runs every second, so incidents take seconds.
 */
const PAGE = 'slo-engine/api-fast/page';

const redis = useTestRedis();
let pd: LoopbackReceiver;
let dir: string;
const services: ServiceProcess[] = [];

beforeEach(async () => {
  pd = await startPagerDutyReceiver();
  dir = mkdtempSync(join(tmpdir(), 'slo-engine-replicas-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    `slos:
  - id: api-fast
    service: api
    objective: 90
    window: 1h
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 5, long: 1m, short: 10s }
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
  await pd.close();
  rmSync(dir, { recursive: true, force: true });
  expect(pd.problems).toEqual([]);
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

async function push(service: ServiceProcess, good: number, total: number): Promise<void> {
  const response = await fetch(`${service.base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ slo: 'api-fast', good, total }] }),
  });
  expect(response.status).toBe(202);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a page recorded before a SIGKILL is delivered once by the next start, which does not page again', async () => {
  const prefix = `kill-${Date.now()}:`;
  pd.respond(() => ({ status: 503, body: '{"status":"unavailable"}' }));
  const first = await start(prefix);
  await push(first, 0, 100); // 100% errors: the page fires at the next cycle
  const deadline = Date.now() + 10_000;
  while (pd.requests.length === 0 && Date.now() < deadline) await sleep(50);
  expect(pd.requests.length).toBeGreaterThan(0); // recorded, attempted, refused
  // Killed between attempts (a kill in the middle of a send leaves the claim to its 30 s lease,
  // which the outbox contract suite covers).
  await sleep(300);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(pdEvents(pd)).toEqual([]);

  pd.respond(null); // PagerDuty answers again
  const second = await start(prefix);
  await pd.waitFor((accepted) => accepted.length >= 1, 15_000);
  await sleep(3_000); // several more cycles with the page still firing
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  const alerts = await fetch(`${second.base}/v1/alerts`, { headers: { authorization: `Bearer ${TOKENS.ci}` } });
  expect(((await alerts.json()) as { alerts: Array<{ slo: string }> }).alerts).toEqual([expect.objectContaining({ slo: 'api-fast', severity: 'page' })]);
  expect(second.output()).not.toContain(ROUTING_KEY);
});

it('two replicas on one Redis deliver each transition once', async () => {
  const prefix = `replicas-${Date.now()}:`;
  const a = await start(prefix);
  const b = await start(prefix);
  await push(a, 0, 100);
  await pd.waitFor((accepted) => accepted.length >= 1, 10_000);
  await sleep(3_000); // both replicas evaluate the firing page every second meanwhile
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);

  await push(b, 1_000, 1_000); // errors over: the short window is clean, the page resolves
  await pd.waitFor((accepted) => accepted.length >= 2, 10_000);
  await sleep(3_000);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
  for (const replica of [a, b]) expect(replica.output()).not.toContain(ROUTING_KEY);
  // Both replicas did evaluate: each logged cycles.
  for (const replica of [a, b]) expect(replica.output()).toContain('"msg":"evaluation cycle"');
});
