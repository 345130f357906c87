import { TOKENS } from '../helpers/configs';
import { pushTraffic } from '../helpers/alerting';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §13's life of an incident, on the real app with a manual clock: only pages open incidents
 * (a ticket or a source-unavailable alert never does); two SLOs of a service paging together make
 * one incident; a page that resolves and fires again opens a second incident, after the first
 * resolved; an incident opened while the service is in freeze needs a postmortem. The SLOs have
 * short windows (page 10× over 5m and 1m on 99%) so incidents take a minute.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const ONSET = Date.parse('2026-11-21T10:00:00.000Z');
const RULES = `alerting: { rules: [{ severity: page, burnRate: 10, long: 5m, short: 1m }] }`;

const CONFIG = `slos:
  - { id: api-availability, service: api, objective: 99, window: 1h, sli: { source: events }, ${RULES} }
  - { id: api-latency, service: api, objective: 99, window: 1h, sli: { source: events }, ${RULES} }
  - { id: search-fast, service: search, objective: 99, window: 1h, sli: { source: events }, ${RULES} }
  - { id: ledger-writes, service: ledger, objective: 99, window: 1d, sli: { source: events }, ${RULES} }
  - id: batch-jobs
    service: batch
    objective: 99
    window: 1h
    sli: { source: events }
    alerting: { rules: [{ severity: ticket, burnRate: 2, long: 5m, short: 1m }] }
  - id: catalog-latency
    service: catalog
    objective: 99
    window: 7d
    sli: { source: prometheus, goodQuery: 'sum(rate(good[{{window}}]))', totalQuery: 'sum(rate(total[{{window}}]))' }
sources:
  prometheus: { url: "http://127.0.0.1:9" }
auth:
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
server:
  evaluationInterval: 10s
`;

let t: TestApp;
const pushedUntil = new Map<string, number>();

beforeEach(async () => {
  t = await startTestApp(CONFIG, { nowMs: ONSET });
  pushedUntil.clear();
});
afterEach(async () => {
  await t.close();
});

/** Traffic of each SLO from where it was left up to the clock (per second: `good` of `total`), then one cycle. */
async function cycle(slos: Record<string, [good: number, total: number]>): Promise<void> {
  const now = t.clock.now();
  for (const [slo, [good, total]] of Object.entries(slos)) {
    const from = pushedUntil.get(slo) ?? now - 30 * MINUTE;
    await pushTraffic(t, { slo, fromMs: from, toMs: now + 1, stepMs: SECOND, good, total });
    pushedUntil.set(slo, now + 1);
  }
  await t.evaluate();
}

/** Cycles every 10 s for `forMs`, with the same traffic. */
async function run(forMs: number, slos: Record<string, [number, number]>): Promise<void> {
  const end = t.clock.now() + forMs;
  while (t.clock.now() < end) {
    t.clock.advance(10 * SECOND);
    await cycle(slos);
  }
}

const incidents = async (query = '') => {
  const answer = await t.request({ url: `/v1/incidents${query}`, token: TOKENS.ci });
  expect(answer.status).toBe(200);
  return answer.body as { incidents: any[]; nextCursor: string | null };
};
const alerts = async () => (await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts as Array<{ slo: string; severity: string; kind: string }>;

it('never opens one for a ticket alone, nor for a source-unavailable alert', async () => {
  await cycle({ 'batch-jobs': [10, 10] });
  await run(3 * MINUTE, { 'batch-jobs': [19, 20] }); // 5% errors: 5×, the ticket's 2× holds
  expect((await alerts()).map((a) => `${a.slo} ${a.severity} ${a.kind}`).sort()).toEqual(['batch-jobs ticket burn-rate', 'catalog-latency ticket source-unavailable']);
  expect(await incidents()).toEqual({ incidents: [], nextCursor: null });
});

it('makes one incident of two SLOs of a service paging together, resolved when neither pages', async () => {
  await cycle({ 'api-availability': [10, 10], 'api-latency': [10, 10] });
  await run(MINUTE, { 'api-availability': [0, 10], 'api-latency': [0, 10] });
  expect((await alerts()).filter((a) => a.severity === 'page').map((a) => a.slo)).toEqual(['api-availability', 'api-latency']);
  const open = (await incidents()).incidents;
  expect(open).toHaveLength(1);
  expect(open[0]).toMatchObject({ service: 'api', state: 'open', resolvedAt: null, timeToResolve: null });
  expect(open[0].slos).toEqual([
    { slo: 'api-availability', budgetConsumed: null },
    { slo: 'api-latency', budgetConsumed: null },
  ]);
  expect(open[0].pages.map((p: { slo: string; firedAt: string }) => [p.slo, p.firedAt])).toEqual([
    ['api-availability', open[0].detectedAt],
    ['api-latency', open[0].detectedAt],
  ]);
  expect(open[0].timeToDetect).toBeGreaterThan(0);
  expect((await t.request({ url: '/metrics', token: TOKENS.ci })).body).toContain('slo_incidents_open{service="api"} 1');

  await run(3 * MINUTE, { 'api-availability': [10, 10], 'api-latency': [10, 10] });
  expect(await alerts()).toEqual([expect.objectContaining({ slo: 'catalog-latency', kind: 'source-unavailable' })]);
  const [done] = (await incidents()).incidents;
  expect(done).toMatchObject({ id: open[0].id, state: 'resolved' });
  for (const s of done.slos) expect(s.budgetConsumed).toBeGreaterThan(0.2);
  // half an hour of traffic behind a minute of errors: the service was exhausted when the page fired
  expect(done.zoneAtOpen).toBe('exhausted');
  expect(done.postmortem.required).toBe(true);
  expect(done.postmortem.reasons).toEqual([
    'api was in the exhausted zone when the incident opened (policy.postmortems.inFreeze)',
    expect.stringMatching(/^api-availability consumed \d+% of its error budget, at least policy.postmortems.budgetThreshold \(20%\)$/),
    expect.stringMatching(/^api-latency consumed \d+% of its error budget/),
  ]);
});

it('opens a second incident when a page fires again, only after the first resolved', async () => {
  const slo = 'search-fast';
  await cycle({ [slo]: [10, 10] });
  await run(MINUTE, { [slo]: [0, 10] });
  let paging = true;
  while (paging) {
    t.clock.advance(10 * SECOND);
    await cycle({ [slo]: [10, 10] });
    paging = (await alerts()).some((a) => a.slo === slo);
  }
  const [first] = (await incidents()).incidents;
  expect(first).toMatchObject({ service: 'search', state: 'resolved', resolvedAt: new Date(t.clock.now()).toISOString() });

  await run(MINUTE, { [slo]: [0, 10] });
  const both = (await incidents()).incidents;
  expect(both.map((i) => [i.state, i.service])).toEqual([
    ['open', 'search'],
    ['resolved', 'search'],
  ]);
  expect(both[1].id).toBe(first.id);
  expect(Date.parse(both[0].detectedAt)).toBeGreaterThan(Date.parse(first.resolvedAt));
  expect(both[0].id).not.toBe(first.id);

  // filters and pages
  expect((await incidents('?state=open')).incidents.map((i) => i.id)).toEqual([both[0].id]);
  expect((await incidents('?state=resolved&service=search')).incidents.map((i) => i.id)).toEqual([first.id]);
  expect((await incidents('?service=api')).incidents).toEqual([]);
  expect((await incidents(`?to=${encodeURIComponent(first.resolvedAt)}`)).incidents.map((i) => i.id)).toEqual([first.id]);
  const page1 = await incidents('?limit=1');
  expect(page1.incidents.map((i) => i.id)).toEqual([both[0].id]);
  const page2 = await incidents(`?limit=1&cursor=${page1.nextCursor}`);
  expect(page2).toEqual({ incidents: [both[1]], nextCursor: null });
  expect((await t.request({ url: '/v1/incidents?cursor=nope', token: TOKENS.ci })).status).toBe(400);
  expect((await t.request({ url: '/v1/incidents?state=closed', token: TOKENS.ci })).status).toBe(400);
  expect((await t.request({ url: '/v1/incidents/inc-19700101-000000000000', token: TOKENS.ci })).status).toBe(404);
});

it('needs a postmortem when the service was in freeze when the incident opened', async () => {
  const slo = 'ledger-writes';
  // a day at 0.8% errors on a 99% SLO: 20% of the budget left (freeze zone), burning at 0.8×
  await pushTraffic(t, { slo, fromMs: ONSET - 24 * HOUR + MINUTE, toMs: ONSET, stepMs: MINUTE, good: 5_952, total: 6_000 });
  pushedUntil.set(slo, ONSET);
  await cycle({ [slo]: [99, 100] });
  expect((await t.request({ url: '/v1/services/ledger/budget', token: TOKENS.ci })).body.zone).toBe('freeze');
  await run(MINUTE, { [slo]: [0, 100] });
  const [incident] = (await incidents()).incidents;
  expect(incident).toMatchObject({ service: 'ledger', state: 'open', zoneAtOpen: 'freeze' });
  expect(incident.postmortem).toMatchObject({ required: true, dueAt: null, overdue: false });
  expect(incident.postmortem.reasons).toEqual([expect.stringMatching(/^ledger was in the freeze zone when the incident opened/)]);
  expect(incident.timeline.map((e: { what: string }) => e.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^postmortem required: ledger was in the freeze zone/)]));
});
