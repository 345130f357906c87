import { incidentIdOf } from '../../src/common/incident-id';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { REMINDERS, type PostmortemReminder, type ReminderSender } from '../../src/notifiers/ports/reminders';
import { TOKENS } from '../helpers/configs';
import { startPagerDutyReceiver, startSlackReceiver, LoopbackReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { alertingConfig, ClockedTraffic, pdEvents, slackTexts } from '../helpers/alerting';

/**
 * SPEC §13 in what receivers get, on the real app with a manual clock and the loopback PagerDuty
 * and Slack receivers (which check every request against the published shapes): a page names its
 * incident and links to it, its resolve says how long it lasted and what it cost the budget, and a
 * postmortem reminder is delivered once to the ticket route (and to a `kind: postmortem` route),
 * however often it is asked for.
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

beforeEach(async () => {
  pd = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  // pages → pd, slack; tickets → slack (alertingConfig); and postmortem reminders → pd too
  const yaml = alertingConfig({ pdUrl: pd.url, slackUrl: slack.url }).replace('routes:\n', 'routes:\n  - match: { kind: postmortem }\n    notify: [pd]\n');
  t = await startTestApp(yaml, { nowMs: T0 });
  // An hour of good traffic on search-fast (99%, page 10×/10m/1m), 10 events/s.
  traffic = await ClockedTraffic.afterGoodHour(t, 'search-fast', T0);
});

afterEach(async () => {
  await t?.close();
  await pd?.close();
  await slack?.close();
  expect(pd.problems).toEqual([]);
  expect(slack.problems).toEqual([]);
});

/** Moves the clock to `at`, pushing search-fast traffic for the time in between, then a cycle and a delivery round. */
const stepTo = (at: number, good: number): Promise<void> => traffic.stepTo(at, good);

/** Cycles every 10 s with `good` of 10 events good each second until `done`; answers the time it held. */
async function runUntil(done: () => boolean, good: number, limit: number): Promise<number> {
  for (let at = t.clock.now() + 10 * SECOND; at <= limit; at += 10 * SECOND) {
    await stepTo(at, good);
    if (done()) return at;
  }
  throw new Error(`not done by ${new Date(limit).toISOString()}`);
}

const remainingNow = async (): Promise<number> => (await t.request({ url: '/v1/slos/search-fast/budget', token: TOKENS.ci })).body.budget.remaining;
const pdBodies = (action: string, dedupKey: string) => pd.accepted().filter((r) => r.path === '/v2/enqueue' && r.body.event_action === action && r.body.dedup_key === dedupKey).map((r) => r.body);
const slackAbout = (prefix: string) => slack.accepted().filter((r) => String(r.body.text).startsWith(prefix)).map((r) => r.body);

it('a page names its incident and links to it; its resolve says how long it lasted and what it cost', async () => {
  const firedAt = await runUntil(() => pdEvents(pd).length > 0, 0, T0 + 5 * MINUTE); // 100% errors
  const remainingAtFire = await remainingNow();
  const id = incidentIdOf('search', firedAt);
  const url = `https://slo.example/incidents/${id}`;

  const [trigger] = pdBodies('trigger', PAGE);
  expect(trigger.payload.custom_details).toMatchObject({ incident: id, incidentUrl: url });
  expect(trigger.links).toEqual(expect.arrayContaining([{ href: url, text: `Incident ${id}` }]));
  const [slackPage] = slackAbout('[page] search-fast');
  expect(JSON.stringify(slackPage.blocks)).toContain(`<${url}|${id}>`);

  for (let at = firedAt + 10 * SECOND; at <= firedAt + 2 * MINUTE; at += 10 * SECOND) await stepTo(at, 0); // still failing while paged
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  const resolvedAt = await runUntil(() => pdEvents(pd).length > 1, 10, T0 + HOUR); // good again
  const cost = remainingAtFire - (await remainingNow());
  expect(cost).toBeGreaterThan(0);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`, `resolve ${PAGE}`]);
  const [resolve] = pdBodies('resolve', PAGE);
  expect(resolve.payload.custom_details).toMatchObject({ incident: id, incidentUrl: url, lastedSeconds: (resolvedAt - firedAt) / SECOND });
  expect(resolve.payload.custom_details.budgetCost).toBeCloseTo(cost, 12);
  const said = `lasted ${Math.round((resolvedAt - firedAt) / MINUTE)}m, cost ${Number((cost * 100).toFixed(2))}% of the budget`;
  expect(resolve.payload.summary).toContain(`(${said};`);
  const slackResolve = slackAbout('[page] search-fast')[1];
  expect(slackResolve.text).toContain(said);
  expect(JSON.stringify(slackResolve.blocks)).toContain(`<${url}|${id}>`);
  expect(JSON.stringify(slackResolve.blocks)).toContain(`${said.charAt(0).toUpperCase()}${said.slice(1)}.`);
});

it('a postmortem reminder is delivered once to the ticket route, however often and by however many it is asked for', async () => {
  const reminders = t.app.get<ReminderSender>(REMINDERS);
  const id = incidentIdOf('search', T0 - 3 * 24 * HOUR);
  const reminder: PostmortemReminder = {
    key: `${id}/postmortem`,
    incidentId: id,
    service: 'search',
    what: 'postmortem',
    title: `postmortem of incident ${id}`,
    owner: 'alice',
    dueAt: new Date(T0 - HOUR).toISOString(),
    url: `https://slo.example/incidents/${id}`,
  };
  // two callers at once (as two replicas' incidents steps would), then again next cycles
  const answers = await Promise.all([reminders.remind([reminder], T0), reminders.remind([reminder], T0)]);
  expect(answers.flat()).toEqual([reminder.key]);
  await t.app.get(DeliveryWorker).drain();
  for (let at = T0 + 10 * SECOND; at <= T0 + MINUTE; at += 10 * SECOND) {
    expect(await reminders.remind([reminder], at)).toEqual([]);
    await stepTo(at, 10);
  }

  const texts = slackTexts(slack);
  expect(texts).toEqual([`[postmortem] search: postmortem of incident ${id} overdue since ${reminder.dueAt} (owner alice)`]);
  const [message] = slackAbout('[postmortem]');
  expect(message.blocks[0].text.text).toBe(':memo: Postmortem overdue: search');
  expect(JSON.stringify(message.blocks)).toContain(`<${reminder.url}|${id}>`);
  // the `kind: postmortem` route: one PagerDuty warning, never resolved
  expect(pdEvents(pd)).toEqual([`trigger slo-engine/postmortem/${id}/postmortem`]);
  const [event] = pdBodies('trigger', `slo-engine/postmortem/${id}/postmortem`);
  expect(event.payload).toMatchObject({ severity: 'warning', class: 'postmortem', custom_details: { incident: id, incidentUrl: reminder.url, owner: 'alice', dueAt: reminder.dueAt } });
  expect(event.links).toEqual([{ href: reminder.url, text: `Incident ${id}` }]);
});
