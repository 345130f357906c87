import { REMINDERS, type ReminderSender } from '../../src/notifiers/ports/reminders';
import { TOKENS } from '../helpers/configs';
import { pushTraffic } from '../helpers/alerting';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §8, §13 with a real Redis: two replicas running their cycles at the same instants (one after
 * the other, and at once) record one incident; after one restarts the incident is still there,
 * still open; the replicas resolve it once (one histogram observation between them), with its
 * numbers, and record one reminder of its overdue postmortem between them.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const SLO = 'api-fast';

const redis = useTestRedis();
const apps: TestApp[] = [];
let prefix: string;
let pushedUntil: number;

function config(): string {
  return `slos:
  - id: ${SLO}
    service: api
    objective: 99
    window: 1h
    sli: { source: events }
    alerting: { rules: [{ severity: page, burnRate: 10, long: 5m, short: 1m }] }
notifiers:
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [log]
auth:
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
server:
  redisUrl: ${redis.url}
  redisPrefix: "${prefix}"
  evaluationInterval: 10s
`;
}

async function start(): Promise<TestApp> {
  const app = await startTestApp(config(), { nowMs: T0 });
  apps.push(app);
  return app;
}

/** Every replica to `at`, traffic up to it through the first, then each one's cycle (all at once when `together`). */
async function cycleAt(replicas: TestApp[], at: number, good: number, together = false): Promise<void> {
  for (const r of replicas) r.clock.set(at);
  await pushTraffic(replicas[0], { slo: SLO, fromMs: pushedUntil, toMs: at + 1, stepMs: SECOND, good, total: 10 });
  pushedUntil = at + 1;
  if (together) await Promise.all(replicas.map((r) => r.evaluate()));
  else for (const r of replicas) await r.evaluate();
}

const incidentsOf = async (app: TestApp) => (await app.request({ url: '/v1/incidents', token: TOKENS.ci })).body.incidents as any[];
const counted = async (app: TestApp, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(String((await app.request({ url: '/metrics', token: TOKENS.ci })).body))?.[1] ?? 0);

beforeEach(() => {
  prefix = `incidents-redis-${Date.now()}:`;
  pushedUntil = T0 - 30 * MINUTE;
});
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

it('two replicas on one Redis make one incident; a restart keeps it; it resolves once, reminded once', async () => {
  const a = await start();
  const b = await start();
  await cycleAt([a, b], T0, 10);
  let at = T0;
  for (let i = 0; i < 6; i++) await cycleAt(i % 2 === 0 ? [a, b] : [b, a], (at += 10 * SECOND), 0, i >= 3);
  const seenByA = await incidentsOf(a);
  expect(seenByA).toHaveLength(1);
  expect(seenByA[0]).toMatchObject({ service: 'api', state: 'open' });
  expect(await incidentsOf(b)).toEqual(seenByA);
  expect(seenByA[0].timeline.filter((e: { what: string }) => e.what.startsWith('opened'))).toHaveLength(1);

  // a restarts (a new process on the same Redis): the incident is still there, still open, not doubled
  await a.close();
  apps.splice(apps.indexOf(a), 1);
  const c = await start();
  c.clock.set(at);
  expect((await incidentsOf(c)).map((i) => [i.id, i.state])).toEqual([[seenByA[0].id, 'open']]);
  await cycleAt([c, b], (at += 10 * SECOND), 0, true);

  // recovery: both replicas cycle at once until the page resolves
  for (let i = 0; i < 12; i++) await cycleAt([b, c], (at += 10 * SECOND), 10, true);
  const [done] = await incidentsOf(c);
  expect(done).toMatchObject({ id: seenByA[0].id, state: 'resolved', postmortem: { required: true, overdue: false } });
  expect(done.slos[0].budgetConsumed).toBeGreaterThan(0.2);
  expect(await incidentsOf(b)).toEqual([done]);
  expect((await counted(b, 'slo_incident_time_to_resolve_seconds_count')) + (await counted(c, 'slo_incident_time_to_resolve_seconds_count'))).toBe(1);

  // past the due time, both replicas cycle: the postmortem reminder is recorded once between them
  const recorded: string[] = [];
  for (const r of [b, c]) {
    const sender = r.app.get<ReminderSender>(REMINDERS);
    const remind = sender.remind.bind(sender);
    jest.spyOn(sender, 'remind').mockImplementation(async (reminders, nowMs) => {
      const keys = await remind(reminders, nowMs);
      recorded.push(...keys);
      return keys;
    });
  }
  const due = Date.parse(done.postmortem.dueAt);
  pushedUntil = due; // two quiet days: no traffic meanwhile
  for (let i = 0; i < 3; i++) await cycleAt([b, c], due + (i + 1) * MINUTE, 10, i === 1);
  expect(recorded).toEqual([`${done.id}/postmortem`]);
  expect((await incidentsOf(b))[0].postmortem.overdue).toBe(true);
  expect(String((await b.request({ url: '/metrics', token: TOKENS.ci })).body)).toContain('slo_postmortems_overdue{service="api"} 1');
  expect(due - Date.parse(done.resolvedAt)).toBe(48 * HOUR);
});
