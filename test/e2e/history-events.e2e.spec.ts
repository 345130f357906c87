import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §5 history of events SLOs: the point at the evaluation instant is what the budget API
 * answers after that evaluation — sli, remaining and burn rates, exactly — for a rolling SLO with a
 * correction created after the fact, and for a calendar month in a time zone.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const END = Date.parse('2026-11-21T10:00:00.000Z');
const MONTHLY = `  - id: checkout-monthly
    service: checkout
    objective: 99.5
    window: { calendar: month, timeZone: Europe/Paris }
    sli: { source: events }`;

/** Every 10 minutes over 60 h (3 minutes past the hour grid): 1% errors, 30% for an hour 26 h and 2 h before END. */
function events() {
  const out = [];
  for (let at = END - 60 * HOUR + 3 * MINUTE; at <= END; at += 10 * MINUTE) {
    const burst = (at > END - 27 * HOUR && at <= END - 26 * HOUR) || (at > END - 3 * HOUR && at <= END - 2 * HOUR);
    const good = burst ? 70 : 99;
    const timestamp = new Date(at).toISOString();
    out.push({ slo: 'checkout-availability', good, total: 100, timestamp }, { slo: 'checkout-monthly', good, total: 100, timestamp });
  }
  return out;
}

let t: TestApp;
afterAll(async () => {
  await t?.close();
});

it('gives at the evaluation instant the numbers the budget API gives (rolling with a correction, calendar month)', async () => {
  t = await startTestApp(testConfig({ extraSlos: MONTHLY }), { nowMs: END });
  expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: events() } })).status).toBe(202);
  // after the fact: leaves out the first burst (and some good traffic) of checkout-availability
  const correction = await t.request({
    method: 'POST',
    url: '/v1/corrections',
    token: TOKENS.admin,
    body: { slo: 'checkout-availability', start: new Date(END - 28 * HOUR).toISOString(), end: new Date(END - 25 * HOUR).toISOString(), reason: 'load test' },
  });
  expect(correction.status).toBe(201);
  await t.evaluate();

  const numbers: number[] = [];
  for (const slo of ['checkout-availability', 'checkout-monthly']) {
    const budget = (await t.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body;
    expect(budget.evaluatedAt).toBe(new Date(END).toISOString());
    const res = await t.request({ url: `/v1/slos/${slo}/history?from=${new Date(END - 60 * HOUR).toISOString()}&step=1h`, token: TOKENS.reader });
    expect(res.status).toBe(200);
    expect(res.body.points).toHaveLength(61);
    const last = res.body.points[60];
    expect(last.t).toBe(new Date(END).toISOString());
    expect([slo, last]).toEqual([slo, { t: last.t, sli: budget.sli, remaining: budget.budget.remaining, burnRates: budget.burnRates }]);
    numbers.push(budget.budget.remaining, budget.burnRates['1h']);
  }
  // not vacuous: the bursts spent budget, the last one shows in the 1h burn rate of both
  expect(numbers.every((n) => n !== null && n !== 0 && n !== 1)).toBe(true);
});
