import { createServer, Server } from 'node:http';
import type Redis from 'ioredis';
import { EvaluationCycle, type CycleSummary } from '../../src/cycle/evaluation-cycle';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { HeartbeatService } from '../../src/notifiers/delivery/heartbeat.service';
import { ALERT_STATE_REPOSITORY, type AlertStateRepository } from '../../src/alerting/ports/alert-state.repository';
import { StateUnavailableError } from '../../src/common/domain-error';
import { freePort } from '../helpers/free-port';
import { alertingConfig, pdEvents, pushTraffic } from '../helpers/alerting';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §6 and §12: the heartbeat (dead man's switch) is never sent after a cycle whose alerting
 * step failed — here because the alert-state store fails for every SLO, for real (the Redis key
 * holding the alert states replaced by a value of the wrong type) and as a store whose commits are
 * refused — and it resumes at the first cycle after recovery. Pages held back meanwhile are
 * recorded and sent then.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';

const redis = useTestRedis();
let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;
let client: Redis;
let prefix: string;
let server: Server;
let pings: number[];
let pushedUntil: number;

beforeEach(async () => {
  prefix = `heartbeat-${process.pid}-${Date.now()}:`;
  client = redis.client();
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  pings = [];
  const port = await freePort();
  server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/ping/abc') pings.push(t.clock.now());
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const yaml = alertingConfig({
    pdUrl: pd.url,
    slackUrl: slack.url,
    heartbeat: `heartbeat: { url: "http://127.0.0.1:${port}/ping/abc", interval: 10s }`,
    server: `  redisUrl: ${redis.url}\n  redisPrefix: "${prefix}"\n`,
  });
  t = await startTestApp(yaml, { nowMs: T0 });
  t.app.get(DeliveryWorker).random = () => 1;
  await pushTraffic(t, { slo: 'search-fast', fromMs: T0 - HOUR, toMs: T0, stepMs: SECOND, good: 10, total: 10 });
  pushedUntil = T0;
});

afterEach(async () => {
  await t?.close();
  await pd?.close();
  await slack?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(pd.problems).toEqual([]);
  expect(slack.problems).toEqual([]);
});

async function cycleAt(at: number, good: number): Promise<CycleSummary> {
  t.clock.set(at);
  if (at > pushedUntil) await pushTraffic(t, { slo: 'search-fast', fromMs: pushedUntil, toMs: at, stepMs: SECOND, good, total: 10 });
  pushedUntil = Math.max(pushedUntil, at);
  // The heartbeat slot is a Redis key expiring in Redis time, which the manual clock does not move:
  // freed here as the interval's real time would.
  await client.del(`${prefix}heartbeat:slot`);
  const summary = await t.app.get(EvaluationCycle).runCycle(at);
  await t.app.get(DeliveryWorker).drain();
  await t.app.get(HeartbeatService).idle();
  return summary;
}

it('pings every interval while alerting runs (the baseline)', async () => {
  for (let at = T0; at <= T0 + 30 * SECOND; at += 10 * SECOND) await cycleAt(at, 10);
  expect(pings).toEqual([T0, T0 + 10 * SECOND, T0 + 20 * SECOND, T0 + 30 * SECOND]);
});

it('sends no heartbeat while the alert states cannot be read at all (the Redis key holds the wrong type), and resumes after', async () => {
  await cycleAt(T0, 10);
  expect(pings).toEqual([T0]);

  await client.set(`${prefix}alerts:state`, 'not a hash');
  const failing: CycleSummary[] = [];
  for (let at = T0 + 10 * SECOND; at <= T0 + 2 * MINUTE; at += 10 * SECOND) failing.push(await cycleAt(at, 0)); // search-fast burns meanwhile
  expect(pings).toEqual([T0]);
  for (const summary of failing) {
    expect(summary.error).toBeUndefined(); // evaluation ran
    expect((summary.steps?.alerts as { error?: string }).error).toMatch(/alert states/);
    expect(summary.steps?.heartbeat).toEqual({ skipped: 'alerts did not succeed' });
  }
  expect(pdEvents(pd)).toEqual([]); // nothing could be recorded

  await client.del(`${prefix}alerts:state`);
  const recovered = T0 + 2 * MINUTE + 10 * SECOND;
  const summary = await cycleAt(recovered, 0);
  expect(summary.steps?.heartbeat).toEqual({ sent: true });
  expect(pings).toEqual([T0, recovered]);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]); // the page held back is recorded and sent now
});

it('sends no heartbeat after a cycle whose commit of alert states was refused, and resumes after', async () => {
  const store = t.app.get<AlertStateRepository>(ALERT_STATE_REPOSITORY);
  const commit = jest.spyOn(store, 'commit').mockRejectedValue(new StateUnavailableError('state store unavailable (commit alert states): READONLY'));
  const refusedAt: number[] = [];
  for (let at = T0; at <= T0 + 2 * MINUTE; at += 10 * SECOND) {
    const summary = await cycleAt(at, 0); // 100% errors: the page holds from T0 + 60 s, and its commit is refused from then on
    if ((summary.steps?.alerts as { error?: string }).error !== undefined) {
      refusedAt.push(at);
      expect(summary.steps?.heartbeat).toEqual({ skipped: 'alerts did not succeed' });
    } else {
      expect(summary.steps?.heartbeat).toEqual({ sent: true });
    }
  }
  expect(refusedAt).toEqual([60, 70, 80, 90, 100, 110, 120].map((s) => T0 + s * SECOND));
  expect(pings).toEqual([0, 10, 20, 30, 40, 50].map((s) => T0 + s * SECOND));
  expect(pdEvents(pd)).toEqual([]);

  commit.mockRestore();
  const recovered = T0 + 2 * MINUTE + 10 * SECOND;
  expect((await cycleAt(recovered, 0)).steps?.heartbeat).toEqual({ sent: true });
  expect(pings.at(-1)).toBe(recovered);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
});
