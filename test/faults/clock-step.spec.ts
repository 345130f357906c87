import type { Logger } from '@nestjs/common';
import { EvaluationCycle } from '../../src/cycle/evaluation-cycle';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from '../helpers/configs';
import { useTestRedis } from '../helpers/redis-server';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { alertingConfig, pdEvents, pushTraffic, slackTexts } from '../helpers/alerting';

/**
 * SPEC §12 "the clock stepped by up to 5 minutes either way", on the manual clock: a page fires,
 * the clock steps back 5 minutes and forward again around cycles, deliveries and the resolve. Each
 * transition reaches each receiver once, and no duration anywhere visible is negative: the
 * cycle summaries' durations, the delivery log's `delayMs`, `/v1/alerts` `since` never after the
 * latest time the engine has seen. With the in-memory state and with Redis.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const STEP = 5 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';

const redis = useTestRedis();

describe.each(['memory', 'redis'] as const)('clock steps of 5 minutes, %s state', (mode) => {
  let pd: LoopbackReceiver;
  let slack: LoopbackReceiver;
  let t: TestApp;
  let pushedUntil: number;
  let latestSeen: number;
  const durations: number[] = [];
  const delays: number[] = [];

  beforeEach(async () => {
    pd = await startPagerDutyReceiver();
    slack = await startSlackReceiver();
    const server = mode === 'redis' ? `  redisUrl: ${redis.url}\n  redisPrefix: "clock-${Date.now()}:"\n` : '';
    t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url, server }), { nowMs: T0 });
    const worker = t.app.get(DeliveryWorker);
    worker.random = () => 1;
    const logger = (worker as unknown as { logger: Logger }).logger;
    const log = logger.log.bind(logger);
    jest.spyOn(logger, 'log').mockImplementation((message: unknown, ...rest: unknown[]) => {
      const fields = message as { delayMs?: number };
      if (typeof fields === 'object' && fields !== null && typeof fields.delayMs === 'number') delays.push(fields.delayMs);
      log(message, ...(rest as string[]));
    });
    await pushTraffic(t, { slo: 'search-fast', fromMs: T0 - HOUR, toMs: T0, stepMs: SECOND, good: 10, total: 10 });
    pushedUntil = T0;
    latestSeen = T0;
    durations.length = 0;
    delays.length = 0;
  });

  afterEach(async () => {
    await t?.close();
    await pd?.close();
    await slack?.close();
    expect(pd.problems).toEqual([]);
    expect(slack.problems).toEqual([]);
  });

  /** Sets the clock (pushing traffic for wall time not yet covered), one cycle, one delivery round, and the visible checks. */
  async function at(nowMs: number, good: number): Promise<void> {
    t.clock.set(nowMs);
    if (nowMs > pushedUntil) await pushTraffic(t, { slo: 'search-fast', fromMs: pushedUntil, toMs: nowMs, stepMs: SECOND, good, total: 10 });
    pushedUntil = Math.max(pushedUntil, nowMs);
    latestSeen = Math.max(latestSeen, nowMs);
    const summary = await t.app.get(EvaluationCycle).runCycle(nowMs);
    expect(summary.error).toBeUndefined();
    durations.push(summary.durationMs);
    await t.app.get(DeliveryWorker).drain();
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.status).toBe(200);
    for (const alert of alerts.body.alerts as Array<{ since: string }>) expect(Date.parse(alert.since)).toBeLessThanOrEqual(latestSeen);
  }

  async function run(from: number, until: number, good: number): Promise<void> {
    for (let now = from; now <= until; now += 10 * SECOND) await at(now, good);
  }

  const slackPages = () => slackTexts(slack).filter((text) => text.startsWith('[page] search-fast'));

  function expectNothingNegative(): void {
    expect(delays.length).toBeGreaterThan(0); // the delivery log was read
    for (const d of durations) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
  }

  it('a page, then the clock 5 minutes back and forward again while it fires: one trigger per receiver', async () => {
    await run(T0 + 10 * SECOND, T0 + 2 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    const fired = T0 + 2 * MINUTE;
    await run(fired - STEP, fired - STEP + MINUTE, 0); // stepped back: the same errors are still there
    await run(fired + 10 * SECOND, fired + STEP, 0); // and forward again (a step of 5 minutes from the stepped-back time)
    await run(fired + STEP + STEP, fired + STEP + STEP + MINUTE, 0); // forward 5 minutes at once
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    expect(slackPages()).toHaveLength(1);
    expectNothingNegative();
  });

  it('a page recorded, the clock stepped back 5 minutes before its delivery: sent once, no negative delay', async () => {
    for (let now = T0 + 10 * SECOND; now <= T0 + 2 * MINUTE; now += 10 * SECOND) {
      t.clock.set(now);
      await pushTraffic(t, { slo: 'search-fast', fromMs: pushedUntil, toMs: now, stepMs: SECOND, good: 0, total: 10 });
      pushedUntil = now;
      latestSeen = now;
      await t.evaluate(); // recorded, not delivered
    }
    await run(T0 + 2 * MINUTE - STEP, T0 + 2 * MINUTE - STEP + MINUTE, 0);
    await run(T0 + 2 * MINUTE + 10 * SECOND, T0 + 3 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    expect(slackPages()).toHaveLength(1);
    expectNothingNegative();
  });

  it('a resolve around steps back and forward: the trigger and the resolve once each', async () => {
    await run(T0 + 10 * SECOND, T0 + 2 * MINUTE, 0);
    await run(T0 + 2 * MINUTE + 10 * SECOND, T0 + 20 * MINUTE, 10); // good again: resolves
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    const resolved = T0 + 20 * MINUTE;
    await run(resolved - STEP, resolved - STEP + MINUTE, 10);
    await run(resolved + 10 * SECOND, resolved + STEP + MINUTE, 10);
    await run(resolved + 2 * STEP + MINUTE, resolved + 2 * STEP + 2 * MINUTE, 10);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    expect(slackPages()).toHaveLength(2);
    expectNothingNegative();
  });
  it('a resolve queued behind a retried trigger, then the clock 5 minutes back: both once, in order, no negative delay', async () => {
    const worker = t.app.get(DeliveryWorker);
    // errors until the page is recorded; its first send to PagerDuty fails (503), a retry is due seconds later
    let now = T0;
    while ((await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts.length === 0) {
      now += 10 * SECOND;
      t.clock.set(now);
      await pushTraffic(t, { slo: 'search-fast', fromMs: pushedUntil, toMs: now, stepMs: SECOND, good: 0, total: 10 });
      pushedUntil = latestSeen = now;
      await t.evaluate();
    }
    pd.script([503]);
    await worker.drain();
    expect(pd.accepted()).toEqual([]);
    const retryDueBy = now + 10 * SECOND;
    // errors for another 6 minutes (no delivery), then good traffic, cycles without delivery, until the resolve is recorded behind the trigger in PagerDuty's lane
    while ((await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts.length > 0) {
      now += 10 * SECOND;
      t.clock.set(now);
      await pushTraffic(t, { slo: 'search-fast', fromMs: pushedUntil, toMs: now, stepMs: SECOND, good: now < retryDueBy + 6 * MINUTE ? 0 : 10, total: 10 });
      pushedUntil = latestSeen = now;
      await t.evaluate();
    }
    // 5 minutes back: after the trigger's retry is due, before the resolve was recorded
    expect(now - STEP).toBeGreaterThan(retryDueBy);
    t.clock.set(now - STEP);
    await worker.drain();
    t.clock.set(now + 10 * SECOND);
    await worker.drain();
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    expect(slackPages()).toHaveLength(2);
    expectNothingNegative();
  });
  it("the engine's clock alone 5 minutes ahead, then back, while clients send true timestamps: one trigger", async () => {
    await run(T0 + 10 * SECOND, T0 + 2 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    const fired = T0 + 2 * MINUTE;
    for (let k = 1; k <= 36; k++) {
      const trueNow = fired + k * 10 * SECOND;
      await pushTraffic(t, { slo: 'search-fast', fromMs: trueNow - 10 * SECOND, toMs: trueNow, stepMs: SECOND, good: 0, total: 10 });
      pushedUntil = trueNow;
      // ahead for the first 3 minutes, then stepped back to the true time
      await at(k <= 18 ? trueNow + STEP : trueNow, 0);
    }
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    expect(slackPages()).toHaveLength(1);
    expectNothingNegative();
  });
});
