import { performance } from 'node:perf_hooks';
import { EvaluationCycle } from '../../src/cycle/evaluation-cycle';
import { DeliveryWorker, DELIVERY_LEASE_MS } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from '../helpers/configs';
import { useTestRedis } from '../helpers/redis-server';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { alertingConfig, pdEvents, pushTraffic } from '../helpers/alerting';

/**
 * SPEC §12 "Redis paused, down or restarted", the paused case: the test's redis-server is stopped
 * with SIGSTOP (its sockets stay open, nothing answers), so every command waits for the client's
 * `commandTimeout` (5 s, `src/store/redis/redis-connection.ts`). Meanwhile the state-dependent
 * endpoints answer 503 within that bound, the cycle fails and is counted, no gate decision is
 * answered or audited; after SIGCONT everything recovers without a restart, and a page recorded
 * before the pause is delivered exactly once.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';
/** the client's commandTimeout, plus slack for a loaded 2-core machine */
const BOUND_MS = 5_000 + 2_000;

const redis = useTestRedis();
let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;

afterEach(async () => {
  try {
    redis.resume(); // never leave the server stopped, whatever failed
  } catch {
    /* not running */
  }
  await t?.close();
  await pd?.close();
  await slack?.close();
  expect(pd.problems).toEqual([]);
  expect(slack.problems).toEqual([]);
});

const timed = async <T>(work: Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
};

const cycleFailures = (metrics: string): number => {
  const match = /^slo_engine_cycle_failures_total\{step="evaluate"\} (\d+)/m.exec(metrics);
  return match ? Number(match[1]) : 0;
};

it('answers 503 within the command timeout, counts the failed cycle, audits no decision, and recovers with the page delivered once', async () => {
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  const server = `  redisUrl: ${redis.url}\n  redisPrefix: "paused-${Date.now()}:"\n`;
  t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url, server }), { nowMs: T0 });
  const worker = t.app.get(DeliveryWorker);
  worker.random = () => 1;
  const cycle = t.app.get(EvaluationCycle);

  // An hour of good traffic on search-fast, then 100% errors until its page fires: recorded, not yet sent.
  await pushTraffic(t, { slo: 'search-fast', fromMs: T0 - HOUR, toMs: T0, stepMs: SECOND, good: 10, total: 10 });
  await pushTraffic(t, { slo: 'search-fast', fromMs: T0, toMs: T0 + 2 * MINUTE, stepMs: SECOND, good: 0, total: 10 });
  for (let at = T0 + 10 * SECOND; at <= T0 + 2 * MINUTE; at += 10 * SECOND) {
    t.clock.set(at);
    await t.evaluate();
  }
  const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
  expect(alerts.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'search-fast', severity: 'page' })]));
  expect(pd.requests).toEqual([]);
  const decisionsBefore = (await t.request({ url: '/v1/deploy-gate/decisions', token: TOKENS.ci })).body.decisions.length;
  const failuresBefore = cycleFailures((await t.request({ url: '/metrics', token: TOKENS.ci })).body);

  redis.pause();
  t.clock.set(T0 + 2 * MINUTE + 10 * SECOND);
  const [slos, gate, metrics, summary, drained] = await Promise.all([
    timed(t.request({ url: '/v1/slos', token: TOKENS.ci })),
    timed(t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'search', changeType: 'feature', version: 'v2' } })),
    timed(t.request({ url: '/metrics', token: TOKENS.ci })),
    timed(cycle.runCycle(t.clock.now())),
    timed(worker.drain().then(
      (report) => ({ report, error: null as string | null }),
      (error: unknown) => ({ report: null, error: String(error) }),
    )),
  ]);
  console.log(`while paused: /v1/slos ${Math.round(slos.ms)} ms, gate ${Math.round(gate.ms)} ms, /metrics ${Math.round(metrics.ms)} ms, cycle ${Math.round(summary.ms)} ms, drain ${Math.round(drained.ms)} ms`);
  for (const [name, r] of [['/v1/slos', slos], ['/v1/deploy-gate', gate], ['/metrics', metrics]] as const) {
    expect({ name, status: r.value.status }).toEqual({ name, status: 503 });
    expect(r.value.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(r.ms).toBeLessThan(BOUND_MS);
  }
  expect(gate.value.body).not.toHaveProperty('decision');
  expect(summary.value.error).toEqual(expect.any(String));
  expect(summary.value.failures).toContain('evaluate');
  expect(summary.ms).toBeLessThan(BOUND_MS);
  expect(drained.value.report?.delivered ?? 0).toBe(0);
  expect(drained.ms).toBeLessThan(BOUND_MS);
  expect(pd.requests).toEqual([]);

  redis.resume();
  // recovery without a restart: the same app answers again once its client reconnects or the server catches up
  const deadline = Date.now() + 10 * SECOND;
  let after = await t.request({ url: '/v1/slos', token: TOKENS.ci });
  while (after.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    after = await t.request({ url: '/v1/slos', token: TOKENS.ci });
  }
  expect(after.status).toBe(200);
  const metricsAfter = await t.request({ url: '/metrics', token: TOKENS.ci });
  expect(metricsAfter.status).toBe(200);
  expect(cycleFailures(metricsAfter.body)).toBe(failuresBefore + 1);
  // nothing was audited while paused (the reads failed before the audit write)
  expect((await t.request({ url: '/v1/deploy-gate/decisions', token: TOKENS.ci })).body.decisions).toHaveLength(decisionsBefore);

  // the next cycle succeeds; the page recorded before the pause goes out once (after the lease of a
  // claim the paused server may still have executed late, at the latest)
  await pushTraffic(t, { slo: 'search-fast', fromMs: T0 + 2 * MINUTE, toMs: T0 + 3 * MINUTE, stepMs: SECOND, good: 0, total: 10 });
  t.clock.set(T0 + 2 * MINUTE + 20 * SECOND);
  const ok = await cycle.runCycle(t.clock.now());
  expect(ok.error).toBeUndefined();
  await worker.drain();
  const sentAtOnce = pdEvents(pd).length;
  console.log(`after SIGCONT: ${sentAtOnce} PagerDuty event(s) at the first drain`);
  expect(sentAtOnce).toBeLessThanOrEqual(1);
  t.clock.set(T0 + 2 * MINUTE + 20 * SECOND + DELIVERY_LEASE_MS + SECOND);
  await t.evaluate();
  await worker.drain();
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  const gateAfter = await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'search', changeType: 'feature' } });
  expect(gateAfter.status).toBe(200);
  expect((await t.request({ url: '/v1/deploy-gate/decisions', token: TOKENS.ci })).body.decisions).toHaveLength(decisionsBefore + 1);
}, 60_000);
