import { createServer, Server } from 'node:http';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { HeartbeatService } from '../../src/notifiers/delivery/heartbeat.service';
import { NotificationCounters } from '../../src/notifiers/delivery/notification-counters';
import { TOKENS, UNREACHABLE_PROMETHEUS_SLO } from '../helpers/configs';
import { freePort } from '../helpers/free-port';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { alertingConfig, ClockedTraffic, pdEvents, slackTexts } from '../helpers/alerting';

/**
 * SPEC §6 delivery on the real app with a manual clock and loopback receivers: resolves reach
 * exactly the receivers told; a receiver down for a minute gets the page once, late, and its
 * resolve after it; Slack's 429 is waited out; silences hold notifications back (never resolves);
 * failing evaluations raise the source-unavailable ticket; the heartbeat pings once per interval.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';

let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;
let traffic: ClockedTraffic;

async function start(options: { extra?: string; heartbeat?: string } = {}): Promise<void> {
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url, ...options }), { nowMs: T0 });
  t.app.get(DeliveryWorker).random = () => 1; // no jitter: retry times are exact
  // An hour of good traffic on search-fast (99%, page 10×/10m/1m, ticket 2×/1h/5m), 10 events/s.
  traffic = await ClockedTraffic.afterGoodHour(t, 'search-fast', T0);
}

afterEach(async () => {
  await t?.close();
  await pd?.close();
  await slack?.close();
  expect(pd.problems).toEqual([]);
  expect(slack.problems).toEqual([]);
});

/** Moves the clock to `at`, pushing search-fast traffic for the time in between, then a cycle and a delivery round. */
const stepTo = (at: number, good: number): Promise<void> => traffic.stepTo(at, good);

/** Runs from the clock's time to `until` in cycles of `every`, with `good` of 10 events good each second. */
async function run(until: number, good: number, every = 10 * SECOND): Promise<void> {
  for (let at = t.clock.now() + every; at <= until; at += every) await stepTo(at, good);
}

const slackAbout = (severity: 'page' | 'ticket') => slackTexts(slack).filter((text) => text.startsWith(`[${severity}] search-fast`));

describe('resolves', () => {
  it('with short custom windows: errors stop → exactly one resolve per receiver told', async () => {
    await start();
    await run(T0 + 2 * MINUTE, 0); // 100% errors
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    await run(T0 + 30 * MINUTE, 10); // good again, long after everything cleared
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    const pages = slackAbout('page');
    expect(pages).toHaveLength(2);
    expect(pages[1]).toMatch(/resolved/);
    expect(pd.accepted()[1].body).toMatchObject({ event_action: 'resolve', dedup_key: PAGE });
    expect((await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts.filter((a: { slo: string }) => a.slo === 'search-fast')).toEqual([]);
  });
});

describe('reloads', () => {
  it('keep the state of alerts of SLOs that still exist: no second page after a reload', async () => {
    await start();
    await run(T0 + 2 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    t.writeConfig(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url }).replace('Checkout requests succeed', 'Checkout requests succeed (reworded)'));
    await t.config.replace(t.config.reload());
    await run(T0 + 3 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'search-fast', severity: 'page' })]));
  });
});

describe('failing receivers', () => {
  it('PagerDuty answering 500 for a minute: the page arrives once, late, and the resolve that came meanwhile after it', async () => {
    await start();
    pd.respond(() => ({ status: 500, body: '{"status":"unavailable"}' }));
    await run(T0 + 70 * SECOND, 0);
    expect(pdEvents(pd)).toEqual([]);
    expect(pd.requests.length).toBeGreaterThan(0);
    const outageStart = pd.requests.length;
    // Errors stop: the page resolves while its trigger is still waiting for PagerDuty.
    await run(T0 + 130 * SECOND, 10, 5 * SECOND);
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts.some((a: { severity: string }) => a.severity === 'page')).toBe(false);
    expect(pdEvents(pd)).toEqual([]);
    const failedAttempts = pd.requests.length;
    expect(failedAttempts - outageStart).toBeGreaterThanOrEqual(3); // backoff 1 s, 2 s, 4 s, 8 s, 16 s … within the minute

    pd.respond(null); // PagerDuty is back
    await run(T0 + 3 * MINUTE, 10, 5 * SECOND);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    const counters = t.app.get(NotificationCounters);
    expect(await counters.value('pd', 'delivered')).toBe(2);
    expect(await counters.value('pd', 'retried')).toBe(failedAttempts);
    expect(await counters.value('pd', 'failed')).toBe(0);
    expect(await t.app.get(DeliveryWorker)['outbox'].pending()).toEqual([]);
  });

  it('PagerDuty answering 400: a permanent failure, not retried, counted', async () => {
    await start();
    pd.respond(() => ({ status: 400, body: '{"status":"invalid event","errors":["Event object is invalid"]}' }));
    await run(T0 + 2 * MINUTE, 0);
    expect(pd.requests.filter((r) => r.path === '/v2/enqueue')).toHaveLength(1);
    expect(await t.app.get(NotificationCounters).value('pd', 'failed')).toBe(1);
    expect(slackAbout('page')).toHaveLength(1); // the other receiver is not held back
  });

  it("Slack answering 429 with Retry-After: 3 gets the message after 3 s, once", async () => {
    await start();
    let first = true;
    slack.respond(() => {
      if (!first) return { status: 200, body: 'ok' };
      first = false;
      return { status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' };
    });
    for (let at = T0 + 10 * SECOND; slack.requests.length === 0 && at < T0 + 5 * MINUTE; at += 10 * SECOND) await stepTo(at, 0);
    const firedAt = t.clock.now();
    expect(slack.requests).toHaveLength(1);
    t.clock.set(firedAt + 2_999);
    await t.app.get(DeliveryWorker).drain();
    expect(slack.requests).toHaveLength(1);
    t.clock.set(firedAt + 3_000);
    await t.app.get(DeliveryWorker).drain();
    expect(slack.requests).toHaveLength(2);
    expect(slackAbout('page')).toHaveLength(1);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]); // PagerDuty was not held back by Slack's limit
  });
});

describe('silences', () => {
  it('hold back the trigger while in force; it is notified once the silence is deleted', async () => {
    await start();
    const silence = await t.request({
      method: 'POST',
      url: '/v1/silences',
      token: TOKENS.admin,
      body: { service: 'search', until: new Date(T0 + HOUR).toISOString(), reason: 'load test' },
    });
    expect(silence.status).toBe(201);
    await run(T0 + 2 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([]);
    expect(slackTexts(slack)).toEqual([]);
    const listed = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(listed.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'search-fast', severity: 'page', silenced: true })]));

    expect((await t.request({ method: 'DELETE', url: `/v1/silences/${silence.body.id}`, token: TOKENS.admin })).status).toBe(204);
    await run(T0 + 2 * MINUTE + 10 * SECOND, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  });

  it('never hold back a resolve to receivers told of the trigger', async () => {
    await start();
    await run(T0 + 2 * MINUTE, 0);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    const silence = await t.request({
      method: 'POST',
      url: '/v1/silences',
      token: TOKENS.admin,
      body: { slo: 'search-fast', until: new Date(T0 + HOUR).toISOString(), reason: 'known issue' },
    });
    expect(silence.status).toBe(201);
    await run(T0 + 30 * MINUTE, 10);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    expect(slackAbout('page')).toHaveLength(2);
    expect(slackAbout('ticket')).toEqual([]); // the ticket that held after the page was silenced
  });
});

describe('source unavailable', () => {

  it('fires a ticket at the 3rd failed evaluation in a row, routed to Slack only; a reload that removes the SLO resolves it', async () => {
    await start({ extra: UNREACHABLE_PROMETHEUS_SLO });
    await stepTo(T0 + 10 * SECOND, 10);
    await stepTo(T0 + 20 * SECOND, 10);
    expect(slackTexts(slack)).toEqual([]);
    await stepTo(T0 + 30 * SECOND, 10);
    const texts = slackTexts(slack);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/catalog-latency.*source unavailable/i);
    expect(pdEvents(pd)).toEqual([]);
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts).toEqual([
      expect.objectContaining({ slo: 'catalog-latency', service: 'catalog', severity: 'ticket', kind: 'source-unavailable', rule: null }),
    ]);
    const budget = await t.request({ url: '/v1/slos/catalog-latency/budget', token: TOKENS.ci });
    expect(budget.body.zone).toBe('unknown');
    await run(T0 + 2 * MINUTE, 10);
    expect(slackTexts(slack)).toHaveLength(1); // no repeat within 4 h

    t.writeConfig(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url }));
    await t.config.replace(t.config.reload());
    await t.app.get(DeliveryWorker).drain();
    const after = slackTexts(slack);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatch(/catalog-latency/);
    expect(slack.accepted()[1].body.blocks[0].text.text).toMatch(/resolved/);
    expect((await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts).toEqual([]);
  });
});

describe('heartbeat', () => {
  let server: Server;
  let pings: number[];

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('pings after completed cycles, at most once per interval', async () => {
    pings = [];
    const port = await freePort();
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/ping/abc') pings.push(t.clock.now());
      res.end('OK');
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await start({ heartbeat: `heartbeat: { url: "http://127.0.0.1:${port}/ping/abc", interval: 1m }` });
    const heartbeat = t.app.get(HeartbeatService);
    for (let at = T0; at <= T0 + 3 * MINUTE; at += 10 * SECOND) {
      await stepTo(at, 10);
      await heartbeat.idle();
    }
    expect(pings.map((at) => (at - T0) / SECOND)).toEqual([0, 60, 120, 180]);
  });
});
