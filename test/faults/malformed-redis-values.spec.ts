import type Redis from 'ioredis';
import type { CycleSummary } from '../../src/cycle/evaluation-cycle';
import { TOKENS } from '../helpers/configs';
import { pdEvents } from '../helpers/alerting';
import type { LoopbackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import type { TestApp } from '../helpers/test-app';
import { useHeartbeatRig } from '../helpers/heartbeat-rig';

/**
 * SPEC §12, "one malformed value in Redis": garbage written with a plain Redis client into one
 * SLO's alert state and into another SLO's evaluation record. The SLO each belongs to fails with an
 * error naming the key; every other SLO is evaluated, fires and is notified; the heartbeat is not
 * pinged while the alerting step could not run for every SLO, and is again once the value is
 * repaired; `/readyz` stays 200 (readiness is about config, first cycle and Redis), the failure is
 * in the cycle summary instead.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';

const ORDERS = `  - id: orders-fast
    service: orders
    objective: 99
    window: 1d
    sli: { source: events }
`;

const redis = useTestRedis();
const rig = useHeartbeatRig(redis, { name: 'malformed', extraSlos: ORDERS });
const cycleAt = rig.cycleAt;
let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;
let client: Redis;
let prefix: string;
let pings: number[];

beforeEach(() => {
  ({ t, pd, slack, client, prefix, pings } = rig.current());
});

it('fails only the SLO a malformed value belongs to, naming the key; the others fire and notify; no heartbeat until repaired', async () => {
  const alertKey = `${prefix}alerts:state`;
  const evalKey = `${prefix}eval:latest`;
  await client.hset(alertKey, 'checkout-availability', '{"not": "alert states"');
  await client.hset(evalKey, 'orders-fast', '[1, 2');

  const summaries: CycleSummary[] = [];
  for (let at = T0; at <= T0 + 2 * MINUTE; at += 10 * SECOND) summaries.push(await cycleAt(at, 0)); // 100% errors on search-fast

  // The cycle itself never failed: every SLO was evaluated each time.
  for (const summary of summaries) expect(summary.error).toBeUndefined();
  // The malformed evaluation record fails its SLO once, naming the key; it is replaced by this cycle's record.
  expect(summaries[0]).toMatchObject({ slos: 3, failed: 1, succeeded: 2 });
  expect(summaries[1]).toMatchObject({ slos: 3, failed: 0, succeeded: 3 });
  const orders = JSON.parse((await client.hget(evalKey, 'orders-fast'))!);
  expect(orders.evaluatedAtMs).toBe(T0 + 2 * MINUTE);
  // The alerting step reports the SLO whose alert state cannot be read, naming the key, every cycle.
  for (const summary of summaries) {
    const alerts = summary.steps?.alerts as { error?: string };
    expect(alerts.error).toContain(alertKey);
    expect(alerts.error).toContain('checkout-availability');
    expect(summary.steps?.heartbeat).toEqual({ skipped: 'alerts did not succeed' });
  }
  // ...while every other SLO is alerted: search-fast pages PagerDuty and Slack.
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  expect(slack.accepted().map((r) => String(r.body.text)).filter((text) => text.startsWith('[page] search-fast'))).toHaveLength(1);
  const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
  expect(alerts.status).toBe(200);
  expect(alerts.body.alerts).toEqual([
    expect.objectContaining({ slo: 'search-fast', severity: 'page', removed: false }),
    expect.objectContaining({ slo: 'search-fast', severity: 'ticket', inhibited: true, removed: false }),
  ]);
  // The garbage is left for a human (it may hold who was paged): not overwritten.
  expect(await client.hget(alertKey, 'checkout-availability')).toBe('{"not": "alert states"');
  // No heartbeat while one SLO could not be alerted; readiness unaffected.
  expect(pings).toEqual([]);
  expect((await t.request({ url: '/readyz' })).status).toBe(200);

  // Repaired (the value deleted): the next cycle alerts every SLO and pings.
  await client.hdel(alertKey, 'checkout-availability');
  const repaired = await cycleAt(T0 + 2 * MINUTE + 10 * SECOND, 0);
  expect((repaired.steps?.alerts as { error?: string }).error).toBeUndefined();
  expect(repaired.steps?.heartbeat).toEqual({ sent: true });
  expect(pings).toEqual([T0 + 2 * MINUTE + 10 * SECOND]);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
});

it('a value of the wrong shape (valid JSON) is malformed too', async () => {
  const alertKey = `${prefix}alerts:state`;
  await client.hset(alertKey, 'checkout-availability', '[{"slo": "checkout-availability", "state": "firing"}]');
  await client.hset(`${prefix}eval:latest`, 'orders-fast', '{"slo": "orders-fast", "numbers": 7}');

  const first = await cycleAt(T0, 10);
  expect(first).toMatchObject({ slos: 3, failed: 1, succeeded: 2 });
  expect((first.steps?.alerts as { error?: string }).error).toContain(alertKey);
  expect(JSON.parse((await client.hget(`${prefix}eval:latest`, 'orders-fast'))!)).toMatchObject({
    consecutiveFailures: 1,
    lastError: expect.stringContaining(`${prefix}eval:latest`),
  });
  expect(pings).toEqual([]);

  // Between cycles, the readers (budgets, the gate) answer for the SLO as never evaluated, and for the others as usual.
  await client.hset(`${prefix}eval:latest`, 'orders-fast', 'garbage');
  const orders = await t.request({ url: '/v1/slos/orders-fast/budget', token: TOKENS.ci });
  expect(orders.status).toBe(200);
  expect(orders.body).toMatchObject({ slo: 'orders-fast', zone: 'unknown', evaluatedAt: null });
  const all = await t.request({ url: '/v1/slos', token: TOKENS.ci });
  expect(all.status).toBe(200);
  expect(all.body.slos.find((b: { slo: string }) => b.slo === 'search-fast').evaluatedAt).toBe(new Date(T0).toISOString());
  const gate = await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'orders' } });
  expect(gate.status).toBe(200);
  expect(gate.body.decision).toBe('deny'); // unknown zone: policy.onUnknown
});
