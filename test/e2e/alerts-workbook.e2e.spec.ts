import { detectionTimeMs } from '../../src/slo/domain/rule-evaluation';
import { TOKENS } from '../helpers/configs';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { alertingConfig, cycleAndDeliver, pdEvents, pushTraffic, ROUTING_KEY, slackTexts } from '../helpers/alerting';

/**
 * SPEC §4 and §6 end to end, on the real app with a manual clock and real loopback receivers: the
 * Google SRE Workbook scenario (a 99.9% SLO, three days of good traffic, then 100% errors) pages
 * PagerDuty and Slack once, within the detection time; a slow burn opens a ticket and no page.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const INTERVAL = 10 * SECOND;
const ONSET = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/checkout-availability/page';
const TICKET = 'slo-engine/checkout-availability/ticket';

let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;

beforeEach(async () => {
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url }), { nowMs: ONSET });
});
afterEach(async () => {
  await t.close();
  await pd.close();
  await slack.close();
  expect(pd.problems).toEqual([]);
  expect(slack.problems).toEqual([]);
});

/** Three days of good traffic before `end`: 10 events/s, in 10 s buckets, then per second for the last 2 h. */
async function goodHistory(end: number): Promise<void> {
  await pushTraffic(t, { slo: 'checkout-availability', fromMs: end - 3 * DAY - HOUR, toMs: end - 2 * HOUR, stepMs: 10 * SECOND, good: 100, total: 100 });
  await pushTraffic(t, { slo: 'checkout-availability', fromMs: end - 2 * HOUR, toMs: end, stepMs: SECOND, good: 10, total: 10 });
}

describe('the workbook page', () => {
  it('reaches PagerDuty and Slack once, between 45 s and 51.84 s + one interval + 2 s after a 100% error onset', async () => {
    await goodHistory(ONSET);
    // Cycles at a phase of 3 s after the onset: ONSET + 3 s, + 13 s, …
    let pushedUntil = ONSET;
    let pagedAfterMs: number | null = null;
    for (let at = ONSET + 3 * SECOND; at <= ONSET + 5 * MINUTE; at += INTERVAL) {
      t.clock.set(at);
      await pushTraffic(t, { slo: 'checkout-availability', fromMs: pushedUntil, toMs: at + 1, stepMs: SECOND, good: 0, total: 10 });
      pushedUntil = at + SECOND;
      await cycleAndDeliver(t);
      if (pagedAfterMs === null && pdEvents(pd).length > 0) pagedAfterMs = at - ONSET;
    }

    const rule = { severity: 'page' as const, burnRate: 14.4, long: '1h', short: '5m', longMs: HOUR, shortMs: 5 * MINUTE };
    expect(detectionTimeMs(rule, 99.9, 1)).toBeCloseTo(51_840, 6);
    expect(pagedAfterMs).not.toBeNull();
    expect(pagedAfterMs!).toBeGreaterThanOrEqual(45 * SECOND);
    expect(pagedAfterMs!).toBeLessThanOrEqual(51_840 + INTERVAL + 2 * SECOND);

    // Exactly once, though the page kept firing for minutes; the ticket that also holds by now is
    // inhibited by the page, so Slack has the page's message only.
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    const [page] = pd.accepted();
    expect(page.body).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: PAGE,
      payload: {
        severity: 'critical',
        source: 'slo-engine',
        custom_details: expect.objectContaining({ slo: 'checkout-availability', rule: expect.objectContaining({ burnRate: 14.4, long: '1h', short: '5m' }) }),
      },
    });
    expect(page.body.payload.summary).toContain('checkout-availability');
    expect(page.body.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ href: 'https://wiki.example/runbooks/checkout' }),
        expect.objectContaining({ href: 'https://slo.example/slos/checkout-availability' }),
      ]),
    );
    expect(slackTexts(slack)).toHaveLength(1);
    expect(slackTexts(slack)[0]).toContain('checkout-availability');
    expect(JSON.stringify(slack.accepted()[0].body.blocks)).toContain('https://wiki.example/runbooks/checkout');

    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.status).toBe(200);
    expect(alerts.body.alerts).toEqual([
      expect.objectContaining({ slo: 'checkout-availability', service: 'checkout', severity: 'page', kind: 'burn-rate', state: 'firing', silenced: false, inhibited: false }),
      expect.objectContaining({ slo: 'checkout-availability', severity: 'ticket', kind: 'burn-rate', silenced: false, inhibited: true }),
    ]);
    expect(alerts.body.alerts[0].rule).toEqual({ severity: 'page', burnRate: 14.4, long: '1h', short: '5m' });
    expect(alerts.body.alerts[0].burnRates['1h']).toBeGreaterThanOrEqual(14.4);
    const budget = await t.request({ url: '/v1/slos/checkout-availability/budget', token: TOKENS.ci });
    expect(budget.body.alerts.map((a: { severity: string }) => a.severity)).toEqual(['page', 'ticket']);
  });

  it('resolves once per receiver when the errors stop, and then tells Slack of the ticket the page was inhibiting', async () => {
    await goodHistory(ONSET);
    await pushTraffic(t, { slo: 'checkout-availability', fromMs: ONSET, toMs: ONSET + 5 * MINUTE, stepMs: SECOND, good: 0, total: 10 });
    t.clock.set(ONSET + 5 * MINUTE);
    await cycleAndDeliver(t);
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);

    // Good traffic again; the 6×/6h rule (short window 30m) holds the page for about half an hour.
    let pushedUntil = ONSET + 5 * MINUTE;
    for (let at = ONSET + 6 * MINUTE; at <= ONSET + 50 * MINUTE; at += MINUTE) {
      t.clock.set(at);
      await pushTraffic(t, { slo: 'checkout-availability', fromMs: pushedUntil, toMs: at, stepMs: SECOND, good: 10, total: 10 });
      pushedUntil = at;
      await cycleAndDeliver(t);
    }
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
    const texts = slackTexts(slack);
    expect(texts).toHaveLength(3); // page, page resolved, ticket (no longer inhibited, still holding: 1d and 2h at ≥ 3×)
    expect(texts.filter((x) => /resolved/i.test(x))).toHaveLength(1);
    expect(pdEvents(pd).some((e) => e.includes(TICKET))).toBe(false); // tickets are routed to Slack only
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts).toEqual([expect.objectContaining({ severity: 'ticket', inhibited: false })]);
  });
});

describe('a slow burn', () => {
  it('at 2× for a day and a half opens a ticket and never pages', async () => {
    await goodHistory(ONSET);
    // 2× the allowed error rate at the same 10 events/s: 1 bad event in every 500.
    let pushedUntil = ONSET;
    let ticketAfterMs: number | null = null;
    for (let at = ONSET + HOUR; at <= ONSET + 38 * HOUR; at += HOUR) {
      t.clock.set(at);
      await pushTraffic(t, { slo: 'checkout-availability', fromMs: pushedUntil, toMs: at, stepMs: 50 * SECOND, good: 499, total: 500 });
      pushedUntil = at;
      await cycleAndDeliver(t);
      if (ticketAfterMs === null && slack.accepted().length > 0) ticketAfterMs = at - ONSET;
    }
    // 1×/3d/6h holds when half of the 3-day window burns at 2×: after 36 h (the 3×/1d rule never holds at 2×).
    expect(ticketAfterMs).toBeGreaterThanOrEqual(35 * HOUR);
    expect(ticketAfterMs).toBeLessThanOrEqual(37 * HOUR);
    expect(pdEvents(pd)).toEqual([]);
    const texts = slackTexts(slack);
    expect(texts).toHaveLength(1); // fired after about 36 h (b_3d reaches 1×), less than a 4 h repeat ago
    expect(texts[0]).toMatch(/ticket/i);
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts).toEqual([
      expect.objectContaining({ slo: 'checkout-availability', severity: 'ticket', rule: { severity: 'ticket', burnRate: 1, long: '3d', short: '6h' } }),
    ]);
  });
});
