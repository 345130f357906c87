import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS } from '../helpers/configs';
import { ROUTING_KEY, pdEvents } from '../helpers/alerting';
import { startPagerDutyReceiver, LoopbackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import { startService, ServiceProcess } from '../helpers/service-process';

/**
 * SPEC §2: "at start-up, alerts recorded for SLOs that the config no longer has resolve, exactly
 * as on a reload" — with the built service as real processes on one real Redis and a loopback
 * PagerDuty. An SLO pages, the service stops, the SLO leaves the config file, the service starts:
 * PagerDuty gets exactly one resolve with the page's dedup_key, and `GET /v1/alerts` lists the alert
 * (`removed: true`) until it is resolved. During a rollout (SPEC §8), a replica whose config lacks
 * the SLO leaves it alone while a replica that still has it evaluates it, and resolves it once that
 * replica is gone.
 */
const PAGE = 'slo-engine/api-fast/page';

const redis = useTestRedis();
let pd: LoopbackReceiver;
let dir: string;
let prefix: string;
const services: ServiceProcess[] = [];

const API_FAST = `  - id: api-fast
    service: api
    team: platform
    objective: 90
    window: 1h
    sli: { source: events }
    runbook: https://wiki.example/runbooks/api
    alerting:
      rules:
        - { severity: page, burnRate: 5, long: 1m, short: 10s }
`;

function config(withApiFast: boolean): string {
  return `slos:
${withApiFast ? API_FAST : ''}  - id: web-fast
    service: web
    objective: 90
    window: 1h
    sli: { source: events }
notifiers:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}" }
routes:
  - match: { severity: page }
    notify: [pd]
auth:
  tokens:
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
`;
}

beforeEach(async () => {
  pd = await startPagerDutyReceiver();
  dir = mkdtempSync(join(tmpdir(), 'slo-engine-removed-'));
  prefix = `removed-${process.pid}-${Date.now()}:`;
});
afterEach(async () => {
  for (const service of services.splice(0)) await stop(service, 'SIGKILL');
  await pd.close();
  rmSync(dir, { recursive: true, force: true });
  expect(pd.problems).toEqual([]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(file: string, interval: string): Promise<ServiceProcess> {
  const service = await startService({ CONFIG_FILE: file, REDIS_URL: redis.url, REDIS_PREFIX: prefix, EVALUATION_INTERVAL: interval });
  services.push(service);
  await service.waitFor('/readyz', 200);
  return service;
}

async function stop(service: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  await service.exited;
}

/** api-fast fails every request: its page fires at the next cycle and PagerDuty gets the trigger. */
async function page(service: ServiceProcess): Promise<void> {
  const response = await fetch(`${service.base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ slo: 'api-fast', good: 0, total: 100 }] }),
  });
  expect(response.status).toBe(202);
  await pd.waitFor((accepted) => accepted.length >= 1, 10_000);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
}

async function alerts(service: ServiceProcess): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${service.base}/v1/alerts`, { headers: { authorization: `Bearer ${TOKENS.ci}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { alerts: Array<Record<string, unknown>> }).alerts;
}

it('resolves, once, the page of an SLO removed from the config while the service was down; /v1/alerts lists it until then', async () => {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(true));
  const before = await start(file, '1s');
  await page(before);
  await stop(before, 'SIGTERM');

  writeFileSync(file, config(false));
  // 3 s cycles: the SLO's last evaluation (by the stopped service) counts as live for 3 intervals,
  // so the first answers of the restarted service still list the alert.
  const after = await start(file, '3s');
  expect(await alerts(after)).toEqual([
    expect.objectContaining({ slo: 'api-fast', service: 'api', severity: 'page', kind: 'burn-rate', state: 'firing', removed: true }),
  ]);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);

  await pd.waitFor((accepted) => accepted.length >= 2, 20_000);
  await sleep(4_000); // more cycles: nothing more
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
  const resolve = pd.accepted()[1].body;
  expect(resolve.payload).toMatchObject({ severity: 'critical', component: 'api-fast', group: 'api' });
  expect(resolve.payload.custom_details).toMatchObject({ slo: 'api-fast', service: 'api', team: 'platform', description: expect.stringMatching(/removed from the config/) });
  expect(resolve.links).toEqual(expect.arrayContaining([{ href: 'https://wiki.example/runbooks/api', text: 'Runbook' }]));
  expect(await alerts(after)).toEqual([]);
  expect(after.output()).toContain('alerts of a removed SLO resolved');
  expect(after.output()).not.toContain(ROUTING_KEY);
});

it('during a rollout, leaves the SLO to replicas that still evaluate it, and resolves it once they are gone', async () => {
  const oldFile = join(dir, 'old.yaml');
  const newFile = join(dir, 'new.yaml');
  writeFileSync(oldFile, config(true));
  writeFileSync(newFile, config(false));
  const old = await start(oldFile, '1s');
  await page(old);

  const fresh = await start(newFile, '1s');
  await sleep(4_500); // more than 3 intervals: the old replica keeps evaluating api-fast meanwhile
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  expect(await alerts(fresh)).toEqual([expect.objectContaining({ slo: 'api-fast', removed: true })]);
  expect(await alerts(old)).toEqual([expect.objectContaining({ slo: 'api-fast', removed: false })]);

  await stop(old, 'SIGTERM');
  await pd.waitFor((accepted) => accepted.length >= 2, 15_000);
  await sleep(2_000);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
  expect(await alerts(fresh)).toEqual([]);
});
