import { REMINDERS, type ReminderSender } from '../../src/notifiers/ports/reminders';
import { TOKENS } from '../helpers/configs';
import { pushTraffic } from '../helpers/alerting';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §13 end to end on the real app with a manual clock: the Google SRE Workbook scenario (a
 * 99.9% / 30d SLO with the default rules, three days of good traffic, then 100% errors for two
 * minutes, a cycle every 30 s) opens one incident whose numbers are those of SPEC §4; its
 * postmortem is required by the budget threshold, due 48 h after the resolve, overdue after, and
 * then closes the gate (policy.postmortems.gate) until it is written.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const INTERVAL = 30 * SECOND;
const ONSET = Date.parse('2026-11-21T10:00:00.000Z');
const ERRORS_FOR = 2 * MINUTE;
const SLO = 'checkout-availability';
const E = 1 - 99.9 / 100;

const CONFIG = `slos:
  - { id: ${SLO}, service: checkout, objective: 99.9, window: 30d, sli: { source: events } }
policy:
  postmortems: { gate: true }
notifiers:
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [log]
auth:
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
server:
  evaluationInterval: 30s
`;

/** Every event pushed, to recompute SPEC §4's numbers independently: [timestamp, good, total]. */
const pushed: Array<[number, number, number]> = [];
let t: TestApp;

async function push(fromMs: number, toMs: number, stepMs: number, good: number, total: number): Promise<void> {
  await pushTraffic(t, { slo: SLO, fromMs, toMs, stepMs, good, total });
  for (let at = fromMs; at < toMs; at += stepMs) pushed.push([at, good, total]);
}

/** `remaining` of SPEC §4 over (at − 30d, at] from the events pushed. */
function remainingAt(atMs: number): number {
  let good = 0;
  let total = 0;
  for (const [ts, g, n] of pushed) {
    if (ts > atMs - 30 * DAY && ts <= atMs) {
      good += g;
      total += n;
    }
  }
  return total === 0 ? 1 : 1 - (total - good) / total / E;
}

const get = (url: string) => t.request({ url, token: TOKENS.ci });
const gate = async (changeType: string) => (await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout', changeType } })).body;

beforeAll(async () => {
  t = await startTestApp(CONFIG, { nowMs: ONSET });
  await push(ONSET - 3 * DAY - HOUR, ONSET - 2 * HOUR, 10 * SECOND, 100, 100);
  await push(ONSET - 2 * HOUR, ONSET, SECOND, 10, 10);
});
afterAll(async () => {
  await t?.close();
});

describe('the workbook incident', () => {
  let pagedAt: number | null = null;
  let resolvedAt: number | null = null;
  let incident: any;

  beforeAll(async () => {
    // cycles every 30 s, at a phase of 15 s after the onset; 100% errors for 2 minutes, then good again
    let pushedUntil = ONSET;
    for (let at = ONSET + 15 * SECOND; at <= ONSET + 15 * MINUTE; at += INTERVAL) {
      t.clock.set(at);
      const errorsEnd = Math.min(at + 1, ONSET + ERRORS_FOR);
      if (pushedUntil < errorsEnd) await push(pushedUntil, errorsEnd, SECOND, 0, 10);
      await push(Math.max(pushedUntil, ONSET + ERRORS_FOR), at + 1, SECOND, 10, 10);
      pushedUntil = at + 1;
      await t.evaluate();
      const paging = (await get('/v1/alerts')).body.alerts.some((a: any) => a.severity === 'page');
      if (paging && pagedAt === null) pagedAt = at;
      if (!paging && pagedAt !== null && resolvedAt === null) resolvedAt = at;
    }
    const list = await get('/v1/incidents');
    expect(list.status).toBe(200);
    expect(list.body.incidents).toHaveLength(1);
    incident = list.body.incidents[0];
  });

  it('is detected within 51.84 s + one interval + the store precision of the onset, as SPEC §4 counts it', () => {
    expect(pagedAt).not.toBeNull();
    expect(incident).toMatchObject({ service: 'checkout', state: 'resolved', zoneAtOpen: 'normal', detectedAt: new Date(pagedAt!).toISOString() });
    const startedAt = Date.parse(incident.startedAt);
    expect(startedAt).toBeLessThanOrEqual(ONSET);
    expect(startedAt).toBeGreaterThanOrEqual(ONSET - 10 * SECOND);
    expect(incident.timeToDetect).toBe((pagedAt! - startedAt) / 1000);
    expect(incident.timeToDetect).toBeGreaterThanOrEqual(51.84);
    expect(incident.timeToDetect).toBeLessThanOrEqual(51.84 + INTERVAL / 1000 + 10);
  });

  it('resolves when the page does, and costs what SPEC §4 says of the events pushed', () => {
    expect(resolvedAt).not.toBeNull();
    expect(incident.resolvedAt).toBe(new Date(resolvedAt!).toISOString());
    expect(incident.timeToResolve).toBe((resolvedAt! - Date.parse(incident.startedAt)) / 1000);
    const expected = Math.max(0, remainingAt(Date.parse(incident.startedAt)) - remainingAt(resolvedAt!));
    expect(incident.slos).toEqual([{ slo: SLO, budgetConsumed: expect.any(Number) }]);
    expect(incident.slos[0].budgetConsumed).toBeCloseTo(expected, 3);
    expect(incident.pages).toEqual([
      { slo: SLO, rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' }, firedAt: incident.detectedAt, resolvedAt: incident.resolvedAt },
    ]);
    const whats = incident.timeline.map((e: { what: string }) => e.what);
    expect(whats[0]).toMatch(/^errors began/);
    expect(whats[1]).toMatch(/^opened: page of checkout-availability fired/);
    expect(whats).toEqual(expect.arrayContaining([expect.stringMatching(/^page of checkout-availability resolved/), expect.stringMatching(/^resolved/)]));
  });

  it('needs a postmortem by the budget threshold, due 48 h after the resolve', async () => {
    expect(incident.slos[0].budgetConsumed).toBeGreaterThanOrEqual(0.2);
    expect(incident.postmortem).toMatchObject({ required: true, url: null, overdue: false, dueAt: new Date(resolvedAt! + 48 * HOUR).toISOString() });
    expect(incident.postmortem.reasons).toEqual([expect.stringContaining('checkout-availability consumed')]);
    expect((await get(`/v1/incidents/${incident.id}`)).body).toEqual(incident);
  });

  it('is overdue past its due time: reminded once, counted in /metrics, and it closes the gate naming the incident', async () => {
    const remind = jest.spyOn(t.app.get<ReminderSender>(REMINDERS), 'remind');
    expect(await gate('feature')).toMatchObject({ decision: 'allow' });
    t.clock.set(resolvedAt! + 48 * HOUR - MINUTE);
    await t.evaluate();
    expect((await get(`/v1/incidents/${incident.id}`)).body.postmortem.overdue).toBe(false);
    t.clock.set(resolvedAt! + 48 * HOUR + MINUTE);
    await t.evaluate();
    await t.evaluate();
    expect((await get(`/v1/incidents/${incident.id}`)).body.postmortem.overdue).toBe(true);
    const keys = remind.mock.calls.flatMap(([reminders]) => reminders.map((r) => r.key));
    expect(keys).toEqual([`${incident.id}/postmortem`]);
    remind.mockRestore();
    const metrics = String((await get('/metrics')).body);
    expect(metrics).toContain('slo_postmortems_overdue{service="checkout"} 1');
    expect(metrics).toContain('slo_incidents_open{service="checkout"} 0');
    expect(metrics).toMatch(/slo_incident_time_to_detect_seconds_count 1/);

    for (const change of ['feature', 'db-migration', 'infra']) {
      const answer = await gate(change);
      expect([change, answer.decision]).toEqual([change, 'deny']);
      expect(answer.reasons).toEqual([expect.stringContaining(`postmortem of incident ${incident.id} is overdue`)]);
    }
    for (const change of ['fix', 'rollback', 'security']) expect([change, (await gate(change)).decision]).toEqual([change, 'allow']);
  });

  it('refuses a bad postmortem (400 naming the field, 404 for an unknown incident) and stores nothing', async () => {
    const put = (id: string, body: unknown) => t.request({ method: 'PUT', url: `/v1/incidents/${id}/postmortem`, token: TOKENS.admin, body });
    const item = { title: 'alert on 5xx at the load balancer', owner: 'jane', dueAt: '2026-12-01T00:00:00Z', category: 'detection', done: false };
    const cases: Array<[unknown, string]> = [
      [{ url: 'not a url', actionItems: [] }, 'url'],
      [{ url: 'https://wiki.example/pm/1', actionItems: [{ ...item, category: 'blame' }] }, 'actionItems[0].category'],
      [{ url: 'https://wiki.example/pm/1', actionItems: [{ ...item, dueAt: '2026-11-31T00:00:00Z' }] }, 'actionItems[0].dueAt'],
      [{ url: 'https://wiki.example/pm/1', actionItems: [{ ...item, owner: '' }] }, 'actionItems[0].owner'],
    ];
    for (const [body, path] of cases) {
      const answer = await put(incident.id, body);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(answer.body.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
    expect((await put('inc-20260101-000000000000', { url: 'https://wiki.example/pm/1', actionItems: [] })).status).toBe(404);
    expect((await t.request({ method: 'PUT', url: `/v1/incidents/${incident.id}/postmortem`, token: TOKENS.ci, body: { url: 'https://x.example' } })).status).toBe(403);
    const after = (await get(`/v1/incidents/${incident.id}`)).body;
    expect(after.postmortem).toMatchObject({ url: null, actionItems: [], overdue: true });
  });

  it('once written, is no longer overdue, the gate opens, and the reliability summary counts it', async () => {
    const now = t.clock.now();
    const body = {
      url: 'https://wiki.example/postmortems/checkout-2026-11-21',
      summary: 'A bad config push made every checkout fail for two minutes.',
      actionItems: [
        { title: 'validate config pushes in CI', owner: 'jane', dueAt: new Date(now + 7 * DAY).toISOString(), category: 'prevention', done: false },
        { title: 'page on config push errors', owner: 'omar', dueAt: new Date(now - HOUR).toISOString(), category: 'detection', done: false },
        { title: 'one-click config rollback', owner: 'li', dueAt: new Date(now - HOUR).toISOString(), category: 'mitigation', done: true },
      ],
    };
    const written = await t.request({ method: 'PUT', url: `/v1/incidents/${incident.id}/postmortem`, token: TOKENS.admin, body });
    expect(written.status).toBe(200);
    expect(written.body.postmortem).toMatchObject({ url: body.url, summary: body.summary, overdue: false, actionItems: body.actionItems });
    expect(written.body.timeline.map((e: { what: string }) => e.what)).toEqual(expect.arrayContaining([`postmortem written by sre: ${body.url}`]));
    const audit = (await t.request({ url: '/v1/audit', token: TOKENS.admin })).body.changes;
    expect(audit[0]).toMatchObject({ action: 'postmortem.update', actor: 'sre', id: incident.id, service: 'checkout' });
    expect(await gate('feature')).toMatchObject({ decision: 'allow' });

    const summary = await get('/v1/services/checkout/reliability?window=30d');
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      service: 'checkout',
      window: '30d',
      incidents: 1,
      timeToDetect: { mean: incident.timeToDetect, p50: incident.timeToDetect, max: incident.timeToDetect },
      timeToResolve: { mean: incident.timeToResolve, p50: incident.timeToResolve, max: incident.timeToResolve },
      budgetConsumedByIncidents: { [SLO]: incident.slos[0].budgetConsumed },
      postmortems: { required: 1, done: 1, overdue: 0 },
      actionItems: { open: 1, overdue: 1, done: 1 },
    });
    expect((await get('/v1/services/checkout/reliability?window=1h')).body.incidents).toBe(0);
    expect((await get('/v1/services/nope/reliability')).status).toBe(404);
    expect((await get('/v1/services/checkout/reliability?window=soon')).status).toBe(400);
  });
});
