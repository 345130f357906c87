import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';

/**
 * SPEC §4 calendar windows through the built service with a manual clock, in memory and with a
 * real Redis: a calendar-month SLO in Europe/Paris counts from the 1st 00:00 Paris time (an event
 * 1 ms earlier never counts), on the first of the month and on the day the clocks change; the
 * budget object carries `window: month` and the period; `exhaustsAt` follows the calendar formula;
 * the zone stays normal until 1/e events; an empty period is full unless the previous one was
 * empty too; history resets at the period start.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;

function config(redis: { url: string; prefix: string } | null): string {
  const server = redis ? `  redisUrl: ${redis.url}\n  redisPrefix: "${redis.prefix}"\n` : '';
  return `slos:
  - id: orders-monthly
    service: orders
    objective: 99.5
    window: { calendar: month, timeZone: Europe/Paris }
    sli: { source: events }
  - id: orders-weekly
    service: orders
    objective: 99
    window: { calendar: week, timeZone: Europe/Paris }
    sli: { source: events }
policy:
  onNoData: unknown
auth:
  tokens:
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 30s
${server}`;
}

interface Ev {
  at: string;
  good: number;
  total: number;
}

describe.each(['memory', 'redis'] as const)('calendar windows (%s state)', (mode) => {
  const redis = mode === 'redis' ? useTestRedis() : null;
  let t: TestApp;
  let n = 0;

  async function start(nowIso: string): Promise<void> {
    t = await startTestApp(config(redis ? { url: redis.url, prefix: `calendar-${Date.now()}-${n++}:` } : null), { nowMs: Date.parse(nowIso) });
  }
  afterEach(async () => {
    await t?.close();
  });

  async function push(slo: string, events: Ev[]): Promise<void> {
    const response = await t.request({
      method: 'POST',
      url: '/v1/events',
      token: TOKENS.ingest,
      body: { events: events.map((e) => ({ slo, good: e.good, total: e.total, timestamp: e.at })) },
    });
    expect(response.status).toBe(202);
  }
  const budget = async (slo: string) => (await t.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body;

  /** SPEC §4 with e = 1 − O/100 over the events of the period. */
  function expected(events: Ev[], fromIso: string, objective: number) {
    const from = Date.parse(fromIso);
    const kept = events.filter((e) => Date.parse(e.at) >= from);
    const good = kept.reduce((s, e) => s + e.good, 0);
    const total = kept.reduce((s, e) => s + e.total, 0);
    const e = 1 - objective / 100;
    const remaining = 1 - (total - good) / total / e;
    return { good, total, remaining };
  }

  it('on the first of the month: the period starts at midnight Paris time, an event 1 ms earlier never counts', async () => {
    await start('2026-12-01T10:00:00.000Z');
    const events: Ev[] = [
      { at: '2026-11-30T22:59:59.999Z', good: 0, total: 5000 }, // November 30th 23:59:59.999 in Paris
      { at: '2026-11-30T23:00:00.000Z', good: 1000, total: 1000 }, // December 1st 00:00 in Paris
      { at: '2026-12-01T05:00:00.000Z', good: 2000, total: 2000 },
      { at: '2026-12-01T09:40:00.000Z', good: 190, total: 200 },
    ];
    await push('orders-monthly', events);
    await t.evaluate();
    const b = await budget('orders-monthly');
    const want = expected(events, '2026-11-30T23:00:00.000Z', 99.5);
    expect(b.window).toBe('month');
    expect(b.period).toEqual({ start: '2026-11-30T23:00:00.000Z', end: '2026-12-31T23:00:00.000Z' });
    expect(b.good).toBe(want.good);
    expect(b.total).toBe(want.total);
    expect(b.budget.remaining).toBeCloseTo(want.remaining, 9);
    expect(b.budget.consumed).toBeCloseTo(1 - want.remaining, 9);
    // b_1h = (10/200) / 0.005 = 10 > 1: exhaustsAt = t + remaining × L / (b_1h − 1), L = 11 h into the period
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    expect(b.burnRates['1h']).toBeCloseTo(10, 9);
    expect(Date.parse(b.budget.exhaustsAt)).toBeCloseTo(now + (want.remaining * 11 * HOUR) / 9, -1);
    expect(b.budget.remaining).toBeCloseTo(0.375, 9); // 10 errors of 3,200 on 99.5%
    expect(b.zone).toBe('caution'); // 3,200 events ≥ 1/e = 200
    const definition = (await t.request({ url: '/v1/slos/orders-monthly', token: TOKENS.reader })).body.definition;
    expect(definition.window).toEqual({ calendar: 'month', timeZone: 'Europe/Paris' });
  });

  it('on the day the clocks change (29 March 2026): the month began at 23:00 UTC on 28 February', async () => {
    await start('2026-03-29T12:00:00.000Z');
    const events: Ev[] = [
      { at: '2026-02-28T22:59:59.000Z', good: 0, total: 1000 },
      { at: '2026-02-28T23:00:00.000Z', good: 600, total: 600 },
      { at: '2026-03-29T00:30:00.000Z', good: 398, total: 400 }, // 01:30 Paris, before the change
      { at: '2026-03-29T01:30:00.000Z', good: 1000, total: 1000 }, // 03:30 Paris, after it
    ];
    await push('orders-monthly', events);
    await push('orders-weekly', events.slice(2));
    await t.evaluate();
    const b = await budget('orders-monthly');
    const want = expected(events, '2026-02-28T23:00:00.000Z', 99.5);
    expect(b.period).toEqual({ start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z' });
    expect([b.good, b.total]).toEqual([want.good, want.total]);
    expect(b.budget.remaining).toBeCloseTo(want.remaining, 9); // 2 errors of 2,000 on 99.5%: 0.8 left
    expect(b.zone).toBe('normal');
    // the week of the change runs from Monday 23 March 00:00 (UTC+1) to Monday 30 March 00:00 (UTC+2): 167 h
    const week = await budget('orders-weekly');
    expect(week.period).toEqual({ start: '2026-03-22T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
    expect([week.good, week.total]).toEqual([1398, 1400]);
  });

  it('keeps the zone normal until the period counted 1/e events, and is full after the reset', async () => {
    await start('2026-12-01T01:00:00.000Z');
    await push('orders-monthly', [
      { at: '2026-11-20T10:00:00.000Z', good: 500, total: 1000 },
      { at: '2026-12-01T00:30:00.000Z', good: 0, total: 10 }, // 10 errors: remaining −199, but only 10 < 200 events
    ]);
    await push('orders-weekly', [{ at: '2026-11-29T10:00:00.000Z', good: 10, total: 10 }]); // the previous week (Sunday)
    await t.evaluate();
    const warm = await budget('orders-monthly');
    expect(warm.budget.remaining).toBeCloseTo(1 - 1 / 0.005, 6);
    expect(warm.zone).toBe('normal');
    // the weekly SLO: nothing this week, the previous week had data → full, normal
    const weekly = await budget('orders-weekly');
    expect(weekly.total).toBe(0);
    expect(weekly.budget.remaining).toBe(1);
    expect(weekly.zone).toBe('normal');
  });

  it('applies onNoData only when the previous period had no data either', async () => {
    await start('2026-12-01T10:00:00.000Z');
    await t.evaluate();
    const b = await budget('orders-monthly');
    expect(b.total).toBe(0);
    expect(b.zone).toBe('unknown');
  });

  it('history resets at the period start: the budget is full again at midnight Paris time', async () => {
    await start('2026-12-01T03:00:00.000Z');
    const events: Ev[] = [];
    const reset = Date.parse('2026-11-30T23:00:00.000Z');
    for (let ms = Date.parse('2026-11-30T12:00:00.000Z'); ms < Date.parse('2026-12-01T03:00:00.000Z'); ms += 10 * MIN) {
      events.push({ at: new Date(ms).toISOString(), good: ms < reset ? 95 : 100, total: 100 });
    }
    await push('orders-monthly', events);
    await t.evaluate(); // a replica's view of the events is brought up to date by its cycles
    const { status, body } = await t.request({
      url: '/v1/slos/orders-monthly/history?from=2026-11-30T21:00:00Z&to=2026-12-01T01:00:00Z&step=1h',
      token: TOKENS.reader,
    });
    expect(status).toBe(200);
    const byT = Object.fromEntries(body.points.map((p: { t: string; remaining: number }) => [p.t, p.remaining]));
    // November: 5% errors on 99.5% → remaining 1 − 0.05/0.005 = −9
    expect(byT['2026-11-30T21:00:00.000Z']).toBeCloseTo(-9, 9);
    expect(byT['2026-11-30T22:00:00.000Z']).toBeCloseTo(-9, 9);
    // December 1st 00:00 Paris: a new period, full (its only event so far is good)
    expect(byT['2026-11-30T23:00:00.000Z']).toBe(1);
    expect(byT['2026-12-01T00:00:00.000Z']).toBe(1);
    expect(byT['2026-12-01T01:00:00.000Z']).toBe(1);
  });
});
