import { Global, Module } from '@nestjs/common';
import { AppModule } from '../../src/app.module';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { NotificationCounters } from '../../src/notifiers/delivery/notification-counters';
import { NOTIFIER_DRIVER_OPTIONS } from '../../src/notifiers/drivers/notifier-drivers';
import { OUTBOX, type Delivery, type Outbox } from '../../src/notifiers/ports/outbox';
import { TOKENS } from '../helpers/configs';
import { freePort } from '../helpers/free-port';
import { alertingConfig, pdEvents, pushTraffic, slackTexts } from '../helpers/alerting';
import { LoopbackReceiver, NO_ANSWER, ReceivedRequest, startPagerDutyReceiver, startSlackReceiver, TRICKLE } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §12, "a receiver down for an hour, 5xx, 429, timeouts, a redirect": the in-process app with
 * a manual clock, the delivery worker drained by hand after each cycle, PagerDuty played by the
 * loopback receiver (every request checked against the Events API v2). What is seen: retried with
 * backoff, delivered once and in order after recovery, a redirect not followed. What never happens:
 * a lost or reordered page, or a second copy other than after an unknown outcome (a send that timed
 * out after the request left).
 *
 * search-fast (99%, page 10×/10m/1m) burns at 100% errors from T0: its page fires about a minute
 * later, and resolves about a minute after the errors stop.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';
const TRIGGER = `trigger ${PAGE}`;
const RESOLVE = `resolve ${PAGE}`;
/** The driver timeout of this file (the default is 10 s), given as `NOTIFIER_DRIVER_OPTIONS`. */
const DRIVER_TIMEOUT_MS = 300;

@Global()
@Module({ providers: [{ provide: NOTIFIER_DRIVER_OPTIONS, useValue: { timeoutMs: DRIVER_TIMEOUT_MS } }], exports: [NOTIFIER_DRIVER_OPTIONS] })
class ShortDriverTimeout {}

beforeAll(() => {
  // The test app is the real one (createApp → AppModule.forRoot), with the driver options module added.
  const forRoot = AppModule.forRoot.bind(AppModule);
  jest.spyOn(AppModule, 'forRoot').mockImplementation((options) => {
    const app = forRoot(options);
    return { ...app, imports: [...(app.imports ?? []), ShortDriverTimeout] };
  });
});
afterAll(() => jest.restoreAllMocks());

let pd: LoopbackReceiver | null = null;
let slack: LoopbackReceiver;
let t: TestApp;
const others: LoopbackReceiver[] = [];
/** good events per second of 10, per SLO fed by `stepTo` */
let feeds: Record<string, number>;
let pushedUntil: number;

async function start(pdUrl: string, extra?: string): Promise<void> {
  slack = await startSlackReceiver();
  t = await startTestApp(alertingConfig({ pdUrl, slackUrl: slack.url, extra }), { nowMs: T0 });
  t.app.get(DeliveryWorker).random = () => 1; // no jitter: backoff 1 s, 2 s, 4 s … 60 s exactly
  await pushTraffic(t, { slo: 'search-fast', fromMs: T0 - HOUR, toMs: T0, stepMs: SECOND, good: 10, total: 10 });
  feeds = { 'search-fast': 0 }; // 100% errors from T0
  pushedUntil = T0;
}

afterEach(async () => {
  await t?.close();
  const receivers = [pd, slack, ...others.splice(0)].filter((r): r is LoopbackReceiver => r !== null);
  const problems = receivers.flatMap((r) => r.problems);
  await Promise.all(receivers.map((r) => r.close()));
  pd = null;
  expect(problems).toEqual([]);
});

/** Moves the clock to `at`, feeding each SLO its traffic for the time in between, then a cycle and a delivery round. */
async function stepTo(at: number): Promise<void> {
  t.clock.set(at);
  for (const [slo, good] of Object.entries(feeds)) {
    if (at > pushedUntil) await pushTraffic(t, { slo, fromMs: pushedUntil, toMs: at, stepMs: SECOND, good, total: 10 });
  }
  pushedUntil = Math.max(pushedUntil, at);
  await t.evaluate();
  await t.app.get(DeliveryWorker).drain();
}

/** Cycles every `every` from the clock's time to `until`. */
async function run(until: number, every: number): Promise<void> {
  for (let at = t.clock.now() + every; at <= until; at += every) await stepTo(at);
}

const counters = () => t.app.get(NotificationCounters);
const pending = (): Promise<Delivery[]> => t.app.get<Outbox>(OUTBOX).pending();
const pdPending = async (): Promise<Array<[string, string | null]>> => (await pending()).filter((d) => d.receiver === 'pd').map((d) => [d.action, d.lastError]);
const eventsAt = (receiver: LoopbackReceiver): ReceivedRequest[] => receiver.requests.filter((r) => r.path === '/v2/enqueue');
const label = (r: ReceivedRequest): string => `${r.body.event_action} ${r.body.dedup_key}`;
const firingPage = async (): Promise<boolean> =>
  (await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts.some((a: { slo: string; severity: string }) => a.slo === 'search-fast' && a.severity === 'page');

/**
 * `expected` accepted by PagerDuty once each, in this order; every copy of a notification is the
 * same event; none reached PagerDuty after it was accepted; and a copy before the accepted one was
 * refused (5xx, 429, 3xx: PagerDuty said no) or, at most `unknownOutcomes` of them, never answered
 * (the only case where PagerDuty may have taken it).
 */
function expectDeliveredOnceInOrder(receiver: LoopbackReceiver, expected: string[], unknownOutcomes = 0): void {
  expect(pdEvents(receiver)).toEqual(expected);
  let unanswered = 0;
  for (const notification of expected) {
    const copies = eventsAt(receiver).filter((r) => label(r) === notification);
    const accepted = copies.filter((r) => r.status >= 200 && r.status < 300);
    expect({ notification, accepted: accepted.length, last: copies[copies.length - 1].status }).toEqual({ notification, accepted: 1, last: 202 });
    for (const copy of copies) expect(copy.body).toEqual(copies[0].body);
    unanswered += copies.filter((r) => r.status === 0).length;
  }
  expect(unanswered).toBeLessThanOrEqual(unknownOutcomes);
}

it('PagerDuty down (a closed port) for an hour, then back: the page and its resolve arrive once, in order, within a minute', async () => {
  const port = await freePort();
  await start(`http://127.0.0.1:${port}/v2/enqueue`);
  await run(T0 + 5 * MINUTE, 10 * SECOND); // the page fires
  feeds['search-fast'] = 10;
  await run(T0 + 15 * MINUTE, MINUTE); // errors over: the page resolves while its trigger waits
  expect(await firingPage()).toBe(false);
  await run(T0 + HOUR, MINUTE);

  // an hour later: retried all along (the backoff capped at a minute), nothing lost, nothing given up
  expect(await pdPending()).toEqual([
    ['trigger', 'ECONNREFUSED'],
    ['resolve', null],
  ]);
  expect(await counters().value('pd', 'retried')).toBeGreaterThanOrEqual(50);
  expect(await counters().value('pd', 'failed')).toBe(0);
  expect(slackTexts(slack).filter((text) => text.startsWith('[page] search-fast'))).toHaveLength(2); // Slack was not held back

  pd = await startPagerDutyReceiver({ port }); // PagerDuty is back where the notifier points
  await run(T0 + HOUR + MINUTE, 10 * SECOND);
  expectDeliveredOnceInOrder(pd, [TRIGGER, RESOLVE]);
  await run(T0 + HOUR + 10 * MINUTE, MINUTE);
  expectDeliveredOnceInOrder(pd, [TRIGGER, RESOLVE]);
  expect(await pending()).toEqual([]);
  expect(await counters().value('pd', 'delivered')).toBe(2);
});

it('PagerDuty answering 500, 502, 503 and 504 for ten minutes: retried with backoff, then the page and its resolve once, in order', async () => {
  const receiver = (pd = await startPagerDutyReceiver());
  const statuses = [500, 502, 503, 504];
  let n = 0;
  receiver.respond(() => ({ status: statuses[n++ % statuses.length], body: '{"status":"unavailable"}' }));
  await start(receiver.url);
  await run(T0 + 5 * MINUTE, 10 * SECOND);
  feeds['search-fast'] = 10;
  await run(T0 + 10 * MINUTE, 30 * SECOND);
  expect(await firingPage()).toBe(false);
  expect(pdEvents(receiver)).toEqual([]);
  // the resolve waited behind its trigger: it never reached PagerDuty before it
  expect(new Set(eventsAt(receiver).map(label))).toEqual(new Set([TRIGGER]));
  const refused = eventsAt(receiver).length;
  expect(refused).toBeGreaterThanOrEqual(10);
  expect(await pdPending()).toEqual([
    ['trigger', expect.stringMatching(/^HTTP 50[0-4]$/)],
    ['resolve', null],
  ]);

  receiver.respond(null);
  await run(T0 + 11 * MINUTE, 10 * SECOND);
  expectDeliveredOnceInOrder(receiver, [TRIGGER, RESOLVE]);
  expect(await counters().value('pd', 'retried')).toBe(refused);
  expect(await counters().value('pd', 'failed')).toBe(0);
  expect(await pending()).toEqual([]);
});

it("PagerDuty answering 429 with Retry-After: 120: nothing is sent to it before the 120 s are over, another alert's page included; then each once", async () => {
  const SLOW = 'slo-engine/search-slow/page';
  const receiver = (pd = await startPagerDutyReceiver());
  let answered = 0;
  receiver.respond(() => (answered++ === 0 ? { status: 429, headers: { 'retry-after': '120' }, body: '{"status":"throttle event"}' } : undefined));
  await start(
    receiver.url,
    `  - id: search-slow
    service: search
    objective: 99
    window: 1d
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 10, long: 10m, short: 1m }`,
  );
  for (let at = T0 + 10 * SECOND; receiver.requests.length === 0 && at < T0 + 5 * MINUTE; at += 10 * SECOND) await stepTo(at);
  const throttledAt = t.clock.now();
  expect(receiver.requests.map((r) => `${label(r)} ${r.status}`)).toEqual([`${TRIGGER} 429`]);

  feeds['search-slow'] = 0; // a second alert for the same receiver starts burning meanwhile
  await run(throttledAt + 110 * SECOND, 10 * SECOND);
  expect((await pending()).filter((d) => d.receiver === 'pd').map((d) => d.message.dedupKey).sort()).toEqual([PAGE, SLOW]);
  t.clock.set(throttledAt + 120 * SECOND - 1);
  await t.app.get(DeliveryWorker).drain();
  expect(receiver.requests).toHaveLength(1); // not before the Retry-After, though the backoff alone would have allowed it

  t.clock.set(throttledAt + 120 * SECOND);
  await t.app.get(DeliveryWorker).drain();
  expect([...pdEvents(receiver)].sort()).toEqual([TRIGGER, `trigger ${SLOW}`].sort());
  await run(throttledAt + 5 * MINUTE, 10 * SECOND);
  expect(pdEvents(receiver).filter((e) => e === TRIGGER || e === `trigger ${SLOW}`)).toHaveLength(2);
  expect(eventsAt(receiver).filter((r) => label(r) === `trigger ${SLOW}`)).toHaveLength(1);
});

it.each([
  ['taking a request and never answering', NO_ANSWER],
  ['answering 202 and trickling the rest forever (never idle)', TRICKLE],
] as const)('PagerDuty %s: the send times out, is retried, and the page arrives once more only because the first outcome was unknown', async (_name, hang) => {
  const receiver = (pd = await startPagerDutyReceiver());
  let requests = 0;
  receiver.respond(() => (requests++ === 0 ? hang : undefined));
  await start(receiver.url);
  const started = Date.now();
  for (let at = T0 + 10 * SECOND; receiver.requests.length === 0 && at < T0 + 5 * MINUTE; at += 10 * SECOND) await stepTo(at);
  expect(Date.now() - started).toBeGreaterThanOrEqual(DRIVER_TIMEOUT_MS - 20); // the drain waited for the driver's timeout…
  expect(Date.now() - started).toBeLessThan(DRIVER_TIMEOUT_MS + 5_000); // …the shortened one, not the default 10 s
  expect(receiver.requests.map((r) => `${label(r)} ${r.status}`)).toEqual([`${TRIGGER} 0`]);
  expect(await pdPending()).toEqual([['trigger', 'timeout']]);

  await run(t.clock.now() + 2 * MINUTE, 10 * SECOND);
  feeds['search-fast'] = 10;
  await run(t.clock.now() + 5 * MINUTE, 10 * SECOND);
  expectDeliveredOnceInOrder(receiver, [TRIGGER, RESOLVE], 1);
  expect(eventsAt(receiver).map((r) => `${label(r)} ${r.status}`)).toEqual([`${TRIGGER} 0`, `${TRIGGER} 202`, `${RESOLVE} 202`]);
  expect(await counters().value('pd', 'retried')).toBe(1);
});

it('PagerDuty answering a redirect: not followed, the routing key never reaches the other host; the page waits and is sent once, in order, when the URL is fixed', async () => {
  const receiver = (pd = await startPagerDutyReceiver());
  const moved = await startPagerDutyReceiver(); // where the redirect points
  others.push(moved);
  receiver.respond(() => ({ status: 307, headers: { location: moved.url }, body: '' }));
  await start(receiver.url);
  await run(T0 + 5 * MINUTE, 10 * SECOND);
  feeds['search-fast'] = 10;
  await run(T0 + 10 * MINUTE, 30 * SECOND);
  expect(await firingPage()).toBe(false);
  expect(eventsAt(receiver).length).toBeGreaterThanOrEqual(5);
  expect(eventsAt(receiver).every((r) => r.status === 307)).toBe(true);
  expect(moved.requests).toEqual([]); // never followed: the key stayed with its host
  expect(await pdPending()).toEqual([
    ['trigger', 'HTTP 307: redirect not followed'],
    ['resolve', null],
  ]);
  expect(await counters().value('pd', 'failed')).toBe(0); // not lost

  // the operator points the notifier at the new host (config reload): the waiting page goes there
  t.writeConfig(alertingConfig({ pdUrl: moved.url, slackUrl: slack.url }));
  await t.config.replace(t.config.reload());
  await run(T0 + 11 * MINUTE + 30 * SECOND, 10 * SECOND);
  expectDeliveredOnceInOrder(moved, [TRIGGER, RESOLVE]);
  expect(moved.requests.every((r) => r.body.routing_key === 'R0UT1NGKEY0123456789012345678901')).toBe(true);
  expect(await pending()).toEqual([]);
});
