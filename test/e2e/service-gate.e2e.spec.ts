import { CHANGE_TYPES } from '../../src/policies/domain/gate-matrix';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * `GET /v1/services/{service}/budget` gives the gate for each change type (SPEC §9, the service
 * page): what `POST /v1/deploy-gate` would answer now, decision and reasons, for feature, fix,
 * rollback, security, db-migration and infra — a read that records no decision.
 */
const HOUR = 3_600_000;
let t: TestApp;
const get = (url: string) => t.request({ url, token: TOKENS.reader });
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  t = await startTestApp(testConfig());
  const timestamp = iso(t.clock.now() - HOUR);
  const events = [
    { slo: 'checkout-availability', good: 1000, total: 1000, timestamp },
    { slo: 'checkout-latency', good: 1000, total: 1000, timestamp },
  ];
  expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events } })).status).toBe(202);
  await t.evaluate();
});
afterAll(async () => {
  await t?.close();
});

/** What the gate answers now for each change type (these are recorded decisions). */
async function decisions(): Promise<Record<string, { decision: string; reasons: string[] }>> {
  const out: Record<string, { decision: string; reasons: string[] }> = {};
  for (const changeType of CHANGE_TYPES) {
    const res = await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout', changeType } });
    expect(res.status).toBe(200);
    out[changeType] = { decision: res.body.decision, reasons: res.body.reasons };
  }
  return out;
}

async function gateOfBudget(): Promise<Record<string, { decision: string; reasons: string[] }>> {
  const res = await get('/v1/services/checkout/budget');
  expect(res.status).toBe(200);
  expect(Object.keys(res.body.gate).sort()).toEqual([...CHANGE_TYPES].sort());
  expect(Object.keys(res.body.gateReasons).sort()).toEqual([...CHANGE_TYPES].sort());
  return Object.fromEntries(CHANGE_TYPES.map((c) => [c, { decision: res.body.gate[c], reasons: res.body.gateReasons[c] }]));
}

it('allows every change type in the normal zone, with the reasons the gate gives', async () => {
  const gate = await gateOfBudget();
  for (const changeType of CHANGE_TYPES) {
    expect([changeType, gate[changeType].decision]).toEqual([changeType, 'allow']);
    expect(gate[changeType].reasons.length).toBeGreaterThan(0);
  }
  expect(gate).toEqual(await decisions());
});

it('denies all but rollback and security while a freeze covers the service, naming the freeze', async () => {
  const now = t.clock.now();
  const freeze = await t.request({
    method: 'POST',
    url: '/v1/freezes',
    token: TOKENS.admin,
    body: { service: 'checkout', start: iso(now - HOUR), end: iso(now + HOUR), reason: 'Black Friday' },
  });
  expect(freeze.status).toBe(201);
  const decisionsBefore = (await get('/v1/deploy-gate/decisions?limit=1000')).body.decisions.length;
  const auditBefore = (await get('/v1/audit?limit=1000')).body;

  const gate = await gateOfBudget();
  expect(Object.fromEntries(CHANGE_TYPES.map((c) => [c, gate[c].decision]))).toEqual({
    feature: 'deny',
    fix: 'deny',
    rollback: 'allow',
    security: 'allow',
    'db-migration': 'deny',
    infra: 'deny',
  });
  for (const changeType of ['feature', 'fix', 'db-migration', 'infra']) {
    expect(gate[changeType].reasons).toEqual([expect.stringMatching(new RegExp(`^freeze ${freeze.body.id} \\(Black Friday\\) covers checkout .*only rollback and security changes may ship$`))]);
  }
  for (const changeType of ['rollback', 'security']) {
    expect(gate[changeType].reasons).toEqual(expect.arrayContaining([expect.stringContaining(`${changeType} changes are exempt from freezes`)]));
  }
  // a read: no decision recorded, nothing audited
  expect((await get('/v1/deploy-gate/decisions?limit=1000')).body.decisions).toHaveLength(decisionsBefore);
  expect((await get('/v1/audit?limit=1000')).body).toEqual(auditBefore);
  // and what the gate answers when asked
  expect(gate).toEqual(await decisions());
});
