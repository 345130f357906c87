import type { Redis } from 'ioredis';
import { EvaluationCycle, type CycleSummary } from '../../src/cycle/evaluation-cycle';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from '../helpers/configs';
import { alertingConfig, pdEvents, pushTraffic, slackTexts } from '../helpers/alerting';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startSentinel, TestSentinel } from '../helpers/redis-sentinel';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §8 "any number of replicas may run against one Redis (or Redis Sentinel …)" and §12 "Redis
 * … down or restarted", on a real Sentinel set-up (`test/helpers/redis-sentinel.ts`: a master, a
 * replica and three sentinels on loopback) with the app configured by `server.redis.sentinel` only
 * (no `redisUrl`), a manual clock and loopback receivers.
 *
 * - at start: state is written to the master the sentinels name;
 * - a failover (`SENTINEL FAILOVER`) while cycles run: cycles may fail during the switch, then
 *   succeed again against the new master; the old master, demoted to replica, is resynced from the
 *   new one, so anything the app wrote to it after the switch would be gone: every event accepted
 *   is still counted, and the page that fires during the switch is sent once;
 * - a crash of the master (SIGKILL) while a page waits in the outbox for a failing receiver: the
 *   promoted replica holds the outbox, and the page is delivered once when the receiver accepts.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';
const PREFIX = 'sentinel:';

let sentinel: TestSentinel | undefined;
let pd: LoopbackReceiver | undefined;
let slack: LoopbackReceiver | undefined;
let t: TestApp | undefined;

afterEach(async () => {
  await t?.close();
  await pd?.close();
  await slack?.close();
  await sentinel?.stop();
  const problems = [...(pd?.problems ?? []), ...(slack?.problems ?? [])];
  t = pd = slack = sentinel = undefined;
  expect(problems).toEqual([]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(): Promise<{ t: TestApp; pd: LoopbackReceiver; slack: LoopbackReceiver; sentinel: TestSentinel }> {
  sentinel = await startSentinel();
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  const server = `  redisPrefix: "${PREFIX}"\n${sentinel.serverYaml()}`;
  t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url, server }), { nowMs: T0 });
  expect(t.config.current.server.redisUrl).toBeUndefined(); // Sentinel only
  t.app.get(DeliveryWorker).random = () => 1; // no jitter: retry times are exact
  // the client resolves the master through a sentinel in the background: wait until state answers
  const deadline = Date.now() + 10 * SECOND;
  while ((await t.request({ url: '/v1/slos', token: TOKENS.ci })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`the app never reached Redis through the sentinels\n${sentinel.logs()}`);
    await sleep(50);
  }
  return { t, pd, slack, sentinel };
}

/** events accepted by the app (202), so counted in what it stores */
let accepted = 0;
async function push(app: TestApp, fromMs: number, toMs: number, good: number): Promise<boolean> {
  try {
    await pushTraffic(app, { slo: 'search-fast', fromMs, toMs, stepMs: SECOND, good, total: 10 });
    accepted += (toMs - fromMs) / SECOND;
    return true;
  } catch {
    return false; // 503 while the master switches: not stored (a batch is stored whole or not at all)
  }
}

const cycleOk = (summary: CycleSummary): boolean =>
  summary.error === undefined && summary.failed === 0 && (summary as { failures?: string[] }).failures?.length === 0;

/** one cycle and a delivery round, either of which may fail while the master switches */
async function cycleAndDrain(app: TestApp): Promise<{ ok: boolean; error?: string }> {
  const summary = await app.app.get(EvaluationCycle).runCycle(app.clock.now());
  const drained = await app.app.get(DeliveryWorker).drain().then(
    () => null,
    (error: unknown) => String(error),
  );
  const ok = cycleOk(summary) && drained === null;
  return { ok, ...(ok ? {} : { error: summary.error ?? (drained ?? JSON.stringify(summary.steps)) }) };
}

/** normal connections on a node other than `self`'s and the sentinels' (named `sentinel-…-cmd`): the app's */
async function otherClients(node: Redis): Promise<number> {
  const self = (await node.call('CLIENT', 'ID')) as number;
  const list = (await node.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string;
  return list.split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${self} `) && !/ name=sentinel-/.test(line)).length;
}

async function budget(app: TestApp): Promise<{ status: number; body: any }> {
  return app.request({ url: '/v1/slos/search-fast/budget', token: TOKENS.ci });
}

const metric = async (app: TestApp, pattern: RegExp): Promise<number> => {
  const text = (await app.request({ url: '/metrics', token: TOKENS.ci })).body as string;
  const match = pattern.exec(text);
  return match ? Number(match[1]) : 0;
};

beforeEach(() => {
  accepted = 0;
});

it('starts on Sentinel alone: ingests, evaluates, answers the gate and the budget, with its state in the master', async () => {
  const { t, sentinel } = await start();
  const master = await sentinel.currentMaster();
  expect(master.port).toBe(sentinel.nodes[0].port);
  expect(await push(t, T0 - HOUR, T0, 10)).toBe(true);
  const summary = await t.app.get(EvaluationCycle).runCycle(t.clock.now());
  expect(cycleOk(summary)).toBe(true);

  const answer = await budget(t);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ good: accepted * 10, total: accepted * 10 });
  expect(answer.body).not.toHaveProperty('stateLostAt');
  const gate = await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'search', changeType: 'feature', version: 'v2' } });
  expect(gate.status).toBe(200);
  expect(gate.body.decision).toBe('allow');

  // the state is in the master the sentinels name (and, replicated, on the replica)
  const onMaster = sentinel.client(master.port);
  expect(await onMaster.exists(`${PREFIX}state:marker`)).toBe(1);
  const keys = await onMaster.keys(`${PREFIX}*`);
  expect(keys.length).toBeGreaterThan(3);
  expect(await otherClients(onMaster)).toBeGreaterThanOrEqual(1); // the app is connected to it
  await sentinel.waitForReplication();
  const onReplica = sentinel.client(sentinel.nodes[1].port);
  expect((await onReplica.keys(`${PREFIX}*`)).sort()).toEqual(keys.sort());
  expect(await otherClients(onReplica)).toBe(0); // and not to the replica
});

it('SENTINEL FAILOVER during evaluation: cycles resume on the new master, nothing written to the old one once the switch is announced, the page fires once', async () => {
  const { t, pd, slack, sentinel } = await start();
  expect(await push(t, T0 - HOUR, T0 + 10 * SECOND, 10)).toBe(true);
  t.clock.set(T0 + 10 * SECOND);
  expect((await cycleAndDrain(t)).ok).toBe(true);

  // 100% errors for 30 s: burning, no page yet (it needs a minute)
  let at = T0 + 10 * SECOND;
  for (; at < T0 + 40 * SECOND; ) {
    expect(await push(t, at, at + 10 * SECOND, 0)).toBe(true);
    at += 10 * SECOND;
    t.clock.set(at);
    expect((await cycleAndDrain(t)).ok).toBe(true);
  }
  expect(pdEvents(pd)).toEqual([]);
  await sentinel.waitForReplication(); // the replica has everything so far

  // SENTINEL FAILOVER while cycles run, a cycle every half second of real time. Until every
  // sentinel names the new master, writes may still reach the old one (Sentinel replicates
  // asynchronously: the promotion is announced up to a second after it happened), and are lost
  // when it is demoted: events accepted then are "at risk", and the clock moves 1 s per cycle so
  // that no alert transition can fall in that window. From then on the clock moves 10 s per cycle:
  // the page fires (at ~70 s of errors) on the new master.
  const oldMaster = await sentinel.failover();
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
  let newMaster: { host: string; port: number } | undefined;
  let demotedAt: number | undefined;
  const switching = sentinel.waitForNewMaster(oldMaster).then(async (found) => {
    newMaster = found;
    const switchedAt = elapsed();
    await sentinel.waitForReplicaOf(oldMaster, found.port);
    demotedAt = elapsed();
    return switchedAt;
  });
  switching.catch(() => undefined);

  const outcomes: Array<{ s: number; ok: boolean; error?: string; pushed: boolean }> = [];
  const safeBefore = accepted;
  let atRisk = 0;
  let okAfterDemotion = 0;
  while (!(demotedAt !== undefined && okAfterDemotion >= 3)) {
    if (Date.now() - started > 30 * SECOND) throw new Error(`no switch within 30 s: ${JSON.stringify(outcomes)}\n${sentinel.logs()}`);
    const announced = newMaster !== undefined;
    // in the window: 1 s per cycle, and never past 55 s of errors (the page needs 60 s: its 10 m window at 10×)
    const step = announced ? 10 * SECOND : at < T0 + 55 * SECOND ? SECOND : 0;
    const before = accepted;
    const pushed = await push(t, at, at + step, 0);
    if (!announced) atRisk += accepted - before;
    at += step;
    t.clock.set(at);
    const outcome = await cycleAndDrain(t);
    outcomes.push({ s: elapsed(), pushed, ...outcome });
    okAfterDemotion = demotedAt !== undefined && outcome.ok ? okAfterDemotion + 1 : 0;
    if (!announced) expect(pdEvents(pd)).toEqual([]); // no transition in the window at risk
    await sleep(500);
  }
  const switchedAt = await switching;
  const failed = outcomes.filter((o) => !o.ok || !o.pushed);
  console.log(
    `SENTINEL FAILOVER ${oldMaster} → ${newMaster!.port}: announced by every sentinel at ${switchedAt} s, old master demoted at ${demotedAt} s; ` +
      `${outcomes.length} cycles in ${elapsed()} s, ${failed.length} failed or not fed: ${JSON.stringify(failed)}`,
  );

  // the old master is a replica of the new one, resynced from it: anything the app wrote to the
  // old master after the switch is gone; the new master has it all, and the app reads from it
  expect(await sentinel.role(oldMaster)).toBe('slave');
  expect(await sentinel.role(newMaster!.port)).toBe('master');
  expect(await otherClients(sentinel.client(newMaster!.port))).toBeGreaterThanOrEqual(1);
  expect(await otherClients(sentinel.client(oldMaster))).toBe(0);
  const answer = await budget(t);
  expect(answer.status).toBe(200);
  // every event accepted before the failover or after its announcement is counted (had the app
  // gone on writing to the old master, those would be gone); of those in the window, some may be lost
  const safe = accepted - atRisk;
  console.log(`events: ${accepted} s accepted, ${atRisk} s in the window at risk, ${accepted - answer.body.total / 10} s lost`);
  expect(answer.body.total).toBeGreaterThanOrEqual(safe * 10);
  expect(answer.body.total).toBeLessThanOrEqual(accepted * 10);
  expect(safe).toBeGreaterThan(safeBefore);
  expect(answer.body).not.toHaveProperty('stateLostAt');
  expect(await metric(t, /^slo_engine_state_loss_total(?:\{[^}]*\})? (\d+)/m)).toBe(0);

  // the page fired once, with its Slack copy once
  const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
  expect(alerts.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'search-fast', severity: 'page' })]));
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  expect(slackTexts(slack).filter((text) => text.startsWith('[page] search-fast'))).toHaveLength(1);
}, 45_000);

it('SIGKILL of the master with a page pending in the outbox: the promoted replica holds it, delivered exactly once', async () => {
  const { t, pd, slack, sentinel } = await start();
  pd.respond(() => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"status":"error"}' })); // PagerDuty failing: the page stays in the outbox
  expect(await push(t, T0 - HOUR, T0, 10)).toBe(true);
  let at = T0;
  while (pd.requests.length === 0) {
    if (at > T0 + 3 * MINUTE) throw new Error('the page never reached PagerDuty');
    expect(await push(t, at, at + 10 * SECOND, 0)).toBe(true);
    at += 10 * SECOND;
    t.clock.set(at);
    expect((await cycleAndDrain(t)).ok).toBe(true);
  }
  expect(pd.requests.map((r) => `${r.body.event_action} ${r.body.dedup_key} ${r.status}`)).toEqual([`trigger ${PAGE} 500`]);
  const items = `${PREFIX}outbox:items`;
  const pendingOnOldMaster = await sentinel.client(sentinel.nodes[0].port).hlen(items);
  expect(pendingOnOldMaster).toBeGreaterThanOrEqual(1); // the PagerDuty trigger, pending

  await sentinel.waitForReplication(); // the replica has the outbox
  const oldMaster = await sentinel.killMaster();
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
  let newMaster: { host: string; port: number } | undefined;
  const switching = sentinel.waitForNewMaster(oldMaster, 20 * SECOND).then((found) => {
    newMaster = found;
  });
  switching.catch(() => undefined);

  // cycles and delivery rounds go on, 10 s of the clock per half second of real time (they fail
  // while no master answers); once the replica is promoted, the pending trigger is checked there,
  // then PagerDuty accepts, until the page is delivered and three rounds in a row succeed after it
  const outcomes: Array<{ s: number; ok: boolean; error?: string; pushed: boolean }> = [];
  let switchedAt: number | undefined;
  let acceptingAt: number | undefined;
  let okAfterDelivery = 0;
  while (okAfterDelivery < 3) {
    if (Date.now() - started > 30 * SECOND) throw new Error(`not delivered within 30 s: ${JSON.stringify(outcomes)}\n${sentinel.logs()}`);
    if (newMaster && acceptingAt === undefined) {
      switchedAt = elapsed();
      // still pending on the new master (PagerDuty still refuses): the outbox survived the crash
      expect(await sentinel.client(newMaster.port).hlen(items)).toBeGreaterThanOrEqual(1);
      expect(pd.accepted()).toEqual([]);
      pd.respond(null); // PagerDuty accepts from now on
      acceptingAt = elapsed();
    }
    const pushed = await push(t, at, at + 10 * SECOND, 0);
    at += 10 * SECOND;
    t.clock.set(at);
    const outcome = await cycleAndDrain(t);
    outcomes.push({ s: elapsed(), pushed, ...outcome });
    okAfterDelivery = pd.accepted().length > 0 && outcome.ok ? okAfterDelivery + 1 : 0;
    await sleep(500);
  }
  await switching;
  const onNewMaster = sentinel.client(newMaster!.port);
  const failed = outcomes.filter((o) => !o.ok || !o.pushed);
  console.log(
    `SIGKILL of master ${oldMaster}: ${newMaster!.port} named by every sentinel at ${switchedAt} s; page delivered at ${((pd.accepted()[0].at - started) / 1000).toFixed(1)} s; ` +
      `${outcomes.length} cycles in ${elapsed()} s, ${failed.length} failed or not fed: ${JSON.stringify(failed.map((o) => ({ ...o, error: o.error?.slice(0, 160) })))}`,
  );

  // delivered exactly once, after the 500: none lost, no second copy; the outbox is empty again
  const sends = pd.requests.map((r) => `${r.body.event_action} ${r.body.dedup_key} ${r.status}`);
  expect(sends[0]).toBe(`trigger ${PAGE} 500`);
  expect(sends.filter((send) => send !== `trigger ${PAGE} 500`)).toEqual([`trigger ${PAGE} 202`]); // more 500s may come before the switch, one 202, nothing else
  expect(sends[sends.length - 1]).toBe(`trigger ${PAGE} 202`);
  expect(slackTexts(slack).filter((text) => text.startsWith('[page] search-fast'))).toHaveLength(1);
  expect(await onNewMaster.hlen(items)).toBe(0);
  // the state was not lost (the replica had it all), and it is the new master's
  const answer = await budget(t);
  expect(answer.status).toBe(200);
  expect(answer.body).not.toHaveProperty('stateLostAt');
  expect(await metric(t, /^slo_engine_state_loss_total(?:\{[^}]*\})? (\d+)/m)).toBe(0);
  expect(await otherClients(onNewMaster)).toBeGreaterThanOrEqual(1);
  expect(sentinel.nodes.find((n) => n.port === oldMaster)!.running).toBe(false);
}, 45_000);

it('refuses to start when the master the sentinels name evicts keys (SPEC §8), naming the setting, as with redisUrl', async () => {
  sentinel = await startSentinel();
  const master = await sentinel.currentMaster();
  await sentinel.client(master.port).config('SET', 'maxmemory-policy', 'allkeys-lru');
  const server = `  redisPrefix: "${PREFIX}"\n${sentinel.serverYaml()}`;
  await expect(startTestApp(alertingConfig({ pdUrl: 'http://127.0.0.1:9/pd', slackUrl: 'http://127.0.0.1:9/slack', server }), { nowMs: T0 })).rejects.toThrow(
    /maxmemory-policy.*allkeys-lru.*noeviction/,
  );
});
