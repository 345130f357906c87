import { createServer, Server } from 'node:http';
import type Redis from 'ioredis';
import { EvaluationCycle, type CycleSummary } from '../../src/cycle/evaluation-cycle';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { HeartbeatService } from '../../src/notifiers/delivery/heartbeat.service';
import { alertingConfig, pushTraffic } from './alerting';
import { freePort } from './free-port';
import { startPagerDutyReceiver, startSlackReceiver, type LoopbackReceiver } from './receivers';
import type { SuiteRedis } from './redis-server';
import { startTestApp, type TestApp } from './test-app';

export const RIG_T0 = Date.parse('2026-11-21T10:00:00.000Z');
const SECOND = 1_000;
const HOUR = 3_600_000;

export interface HeartbeatRig {
  t: TestApp;
  pd: LoopbackReceiver;
  slack: LoopbackReceiver;
  /** a client of the suite's Redis */
  client: Redis;
  prefix: string;
  /** manual-clock times of the heartbeat pings received */
  pings: number[];
}

type Hook = (fn: () => Promise<void>) => void;

/**
 * The alerting config (search-fast paging to a loopback PagerDuty and Slack) on the suite's real
 * Redis, with a loopback heartbeat receiver, an hour of good search-fast traffic before `RIG_T0`,
 * set up before each test and closed after it (receivers checked for shape problems). `cycleAt`
 * runs one cycle with its deliveries and heartbeat.
 */
export function useHeartbeatRig(redis: SuiteRedis, options: { name: string; extraSlos?: string }) {
  // jest's globals, looked up when called (test/helpers is also compiled for the benches, without jest's types)
  const { beforeEach, afterEach, expect } = globalThis as unknown as { beforeEach: Hook; afterEach: Hook; expect: (v: unknown) => { toEqual(x: unknown): void } };
  let rig: HeartbeatRig | null = null;
  let server: Server | null = null;
  let pushedUntil = RIG_T0;

  beforeEach(async () => {
    const prefix = `${options.name}-${process.pid}-${Date.now()}:`;
    const pings: number[] = [];
    const port = await freePort();
    let t: TestApp | null = null;
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/ping/abc' && t) pings.push(t.clock.now());
      res.end('OK');
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    const [pd, slack] = await Promise.all([startPagerDutyReceiver(), startSlackReceiver()]);
    const yaml = alertingConfig({
      pdUrl: pd.url,
      slackUrl: slack.url,
      extra: options.extraSlos,
      heartbeat: `heartbeat: { url: "http://127.0.0.1:${port}/ping/abc", interval: 10s }`,
      server: `  redisUrl: ${redis.url}\n  redisPrefix: "${prefix}"\n`,
    });
    t = await startTestApp(yaml, { nowMs: RIG_T0 });
    t.app.get(DeliveryWorker).random = () => 1;
    await pushTraffic(t, { slo: 'search-fast', fromMs: RIG_T0 - HOUR, toMs: RIG_T0, stepMs: SECOND, good: 10, total: 10 });
    pushedUntil = RIG_T0;
    rig = { t, pd, slack, client: redis.client(), prefix, pings };
  });

  afterEach(async () => {
    const done = rig;
    rig = null;
    await done?.t.close();
    await done?.pd.close();
    await done?.slack.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    expect(done?.pd.problems ?? []).toEqual([]);
    expect(done?.slack.problems ?? []).toEqual([]);
  });

  const current = (): HeartbeatRig => {
    if (!rig) throw new Error('useHeartbeatRig: the rig exists inside tests only');
    return rig;
  };

  return {
    current,
    /** A cycle at `at` (search-fast traffic with `good` of 10 each second until then), its deliveries, the heartbeat's ping. */
    async cycleAt(at: number, good: number): Promise<CycleSummary> {
      const { t, client, prefix } = current();
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
    },
  };
}
