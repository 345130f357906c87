import { GateDecisionCounters } from '../../src/policies/gate-decision-counters';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';
import { gateConfig, ZONE_SERVICES, zoneEvents, ZoneName } from '../helpers/gate-config';

/** SPEC §7 matrix, transcribed independently of the implementation. U = onUnknown. */
const CHANGE_TYPES = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'] as const;
type Cell = 'allow' | 'deny' | 'U';
const MATRIX: Record<ZoneName, Cell[]> = {
  normal: ['allow', 'allow', 'allow', 'allow', 'allow', 'allow'],
  caution: ['allow', 'allow', 'allow', 'allow', 'deny', 'deny'],
  freeze: ['deny', 'allow', 'allow', 'allow', 'deny', 'deny'],
  exhausted: ['deny', 'deny', 'allow', 'allow', 'deny', 'deny'],
  unknown: ['U', 'U', 'allow', 'allow', 'U', 'U'],
};

async function startGateApp(onUnknown: 'allow' | 'deny'): Promise<TestApp> {
  const t = await startTestApp(gateConfig({ onUnknown }));
  const ingest = await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(t.clock.now()) });
  expect(ingest.status).toBe(202);
  // zone-unknown has no events and (onNoData: unknown) stays unknown
  await t.evaluate();
  return t;
}

const gate = (t: TestApp, body: Record<string, unknown>, token = TOKENS.ci) =>
  t.request({ method: 'POST', url: '/v1/deploy-gate', token, body });

describe.each(['deny', 'allow'] as const)('deploy gate matrix (onUnknown: %s)', (onUnknown) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startGateApp(onUnknown);
  });
  afterAll(async () => {
    await t.close();
  });

  const cells = ZONE_SERVICES.flatMap((zone) => CHANGE_TYPES.map((change, i) => [zone, change, MATRIX[zone][i]] as const));
  it.each(cells)('%s zone, %s change → %s', async (zone, changeType, cell) => {
    const expected = cell === 'U' ? onUnknown : cell;
    const res = await gate(t, { service: `zone-${zone}`, changeType });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: expected, service: `zone-${zone}`, zone, changeType });
    expect(res.body.reasons.length).toBeGreaterThan(0);
    expect(res.body.reasons.join(' ')).toContain(`${zone}-slo`);
    expect(res.body.slos).toEqual([{ slo: `${zone}-slo`, zone, remaining: zone === 'unknown' ? 1 : expect.any(Number) }]); // no data: remaining 1, zone unknown (onNoData)
    expect(res.body.decisionId).toEqual(expect.any(String));
    if (zone === 'caution' && changeType === 'feature') expect(res.body.warnings.length).toBeGreaterThan(0);
    else expect(res.body.warnings).toEqual([]);
  });
});

describe('deploy gate API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startGateApp('deny');
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers field for field, defaulting changeType to feature', async () => {
    const res = await gate(t, { service: 'zone-caution', version: '1.2.3', environment: 'prod', requestedBy: 'pipeline-7' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['decision', 'service', 'zone', 'changeType', 'reasons', 'warnings', 'slos', 'decisionId', 'evaluatedAt'].sort(),
    );
    expect(res.body).toMatchObject({ decision: 'allow', changeType: 'feature', zone: 'caution', evaluatedAt: new Date(t.clock.now()).toISOString() });
    expect(res.body.slos[0].remaining).toBeCloseTo(0.4, 9);
    expect(res.body.reasons[0]).toMatch(/40%/);
  });

  it('refuses unknown services (404), bad input (400) and wrong scopes (401/403)', async () => {
    expect((await gate(t, { service: 'nope' })).status).toBe(404);
    const bad = await gate(t, { service: 'zone-normal', changeType: 'yolo' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('changeType');
    expect((await gate(t, {})).body.details[0].path).toBe('service');
    expect((await gate(t, { service: 'zone-normal', extra: 1 })).status).toBe(400);
    expect((await gate(t, { service: 'zone-normal' }, TOKENS.reader)).status).toBe(403);
    expect((await gate(t, { service: 'zone-normal' }, 'nope')).status).toBe(401);
  });

  it('denies all but rollback and security during a freeze window; "*" freezes every service', async () => {
    const now = t.clock.now();
    const created = await t.request({
      method: 'POST',
      url: '/v1/freezes',
      token: TOKENS.admin,
      body: { service: 'zone-normal', start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), reason: 'Black Friday' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), service: 'zone-normal', reason: 'Black Friday', createdBy: 'sre' });
    const feature = await gate(t, { service: 'zone-normal', changeType: 'feature' });
    expect(feature.body.decision).toBe('deny');
    expect(feature.body.reasons.join(' ')).toContain('Black Friday');
    expect((await gate(t, { service: 'zone-normal', changeType: 'rollback' })).body.decision).toBe('allow');
    expect((await gate(t, { service: 'zone-normal', changeType: 'security' })).body.decision).toBe('allow');
    expect((await gate(t, { service: 'zone-caution', changeType: 'fix' })).body.decision).toBe('allow');

    const all = await t.request({
      method: 'POST',
      url: '/v1/freezes',
      token: TOKENS.admin,
      body: { service: '*', start: new Date(now).toISOString(), end: new Date(now + 60_000).toISOString(), reason: 'release train' },
    });
    expect((await gate(t, { service: 'zone-caution', changeType: 'fix' })).body.decision).toBe('deny');
    expect((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).body.freezes).toHaveLength(2);
    expect((await t.request({ method: 'DELETE', url: `/v1/freezes/${all.body.id}`, token: TOKENS.admin })).status).toBe(204);
    expect((await gate(t, { service: 'zone-caution', changeType: 'fix' })).body.decision).toBe('allow');
    expect((await t.request({ method: 'DELETE', url: `/v1/freezes/${all.body.id}`, token: TOKENS.admin })).status).toBe(404);

    t.clock.advance(3_600_000); // the first freeze has ended
    expect((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).body.freezes).toEqual([]);
  });

  it('validates freezes and overrides and changes nothing on refusal', async () => {
    const now = t.clock.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    const post = (url: string, body: unknown, token = TOKENS.admin) => t.request({ method: 'POST', url, token, body });
    const endBeforeStart = await post('/v1/freezes', { service: 'zone-normal', start: iso(60_000), end: iso(0), reason: 'x' });
    expect(endBeforeStart.status).toBe(400);
    expect(endBeforeStart.body.details.map((d: { path: string }) => d.path)).toContain('end');
    expect((await post('/v1/freezes', { service: 'zone-normal', start: iso(0), end: iso(60_000), reason: '  ' })).body.details[0].path).toBe('reason');
    expect((await post('/v1/freezes', { service: 'nope', start: iso(0), end: iso(60_000), reason: 'x' })).status).toBe(400);
    expect((await post('/v1/freezes', { service: 'zone-normal', start: 'tomorrow', end: iso(60_000), reason: 'x' })).status).toBe(400);
    expect((await post('/v1/freezes', { service: 'zone-normal', start: iso(0), end: iso(60_000), reason: 'x' }, TOKENS.ci)).status).toBe(403);
    const past = await post('/v1/overrides', { service: 'zone-exhausted', reason: 'x', expiresAt: iso(-1), approvedBy: 'jane' });
    expect(past.status).toBe(400);
    expect(past.body.details[0].path).toBe('expiresAt');
    expect((await post('/v1/overrides', { service: 'zone-exhausted', reason: 'x', expiresAt: iso(8 * 86_400_000), approvedBy: 'jane' })).status).toBe(400);
    expect((await post('/v1/overrides', { service: 'zone-exhausted', reason: 'x', expiresAt: iso(60_000), approvedBy: '' })).status).toBe(400);
    expect((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).body.freezes).toEqual([]);
    expect((await t.request({ url: '/v1/overrides', token: TOKENS.reader })).body.overrides).toEqual([]);
    expect((await t.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes).toEqual([]);
  });

  it('lets every change pass while an override is active, until it expires', async () => {
    const now = t.clock.now();
    expect((await gate(t, { service: 'zone-exhausted', changeType: 'feature' })).body.decision).toBe('deny');
    const override = await t.request({
      method: 'POST',
      url: '/v1/overrides',
      token: TOKENS.admin,
      body: { service: 'zone-exhausted', reason: 'incident 4411 hotfix', expiresAt: new Date(now + 600_000).toISOString(), approvedBy: 'jane.doe' },
    });
    expect(override.status).toBe(201);
    const allowed = await gate(t, { service: 'zone-exhausted', changeType: 'db-migration' });
    expect(allowed.body.decision).toBe('allow');
    expect(allowed.body.reasons.join(' ')).toContain('jane.doe');
    t.clock.advance(600_000);
    expect((await gate(t, { service: 'zone-exhausted', changeType: 'feature' })).body.decision).toBe('deny');
    expect((await t.request({ url: '/v1/overrides', token: TOKENS.reader })).body.overrides).toEqual([]);
    const audit = (await t.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes;
    expect(audit.map((c: { action: string; actor: string }) => [c.action, c.actor])).toEqual([['override.create', 'sre']]);
  });

  it('audits every decision with its inputs and the token name, newest first', async () => {
    await gate(t, { service: 'zone-freeze', changeType: 'feature', version: 'v1', environment: 'prod', requestedBy: 'bob' });
    await gate(t, { service: 'zone-normal', changeType: 'infra' }, TOKENS.admin);
    const all = await t.request({ url: '/v1/deploy-gate/decisions', token: TOKENS.reader });
    expect(all.status).toBe(200);
    expect(all.body.decisions.map((d: { service: string; token: string; decision: string }) => [d.service, d.token, d.decision])).toEqual([
      ['zone-normal', 'sre', 'allow'],
      ['zone-freeze', 'ci', 'deny'],
    ]);
    expect(all.body.decisions[1]).toMatchObject({ changeType: 'feature', version: 'v1', environment: 'prod', requestedBy: 'bob', zone: 'freeze' });
    expect(all.body.decisions[1].reasons.length).toBeGreaterThan(0);
    const one = await t.request({ url: '/v1/deploy-gate/decisions?service=zone-freeze&limit=1', token: TOKENS.reader });
    expect(one.body.decisions).toHaveLength(1);
    expect((await t.request({ url: '/v1/deploy-gate/decisions?limit=1001', token: TOKENS.reader })).status).toBe(400);
    expect(JSON.stringify(all.body)).not.toContain(TOKENS.ci);
    // deploy_gate_decisions_total{service,decision}, counted until /metrics exposes it
    const counters = t.app.get(GateDecisionCounters);
    expect(await counters.value('zone-freeze', 'deny')).toBe(1);
    expect(await counters.value('zone-normal', 'allow')).toBe(1);
    expect(await counters.value('zone-normal', 'deny')).toBe(0);
  });

  it('remembers allowed deploys with a version and shows the budget spent since', async () => {
    await gate(t, { service: 'zone-caution', changeType: 'feature', version: '2.0.0' });
    await gate(t, { service: 'zone-caution', changeType: 'db-migration', version: 'denied-1' });
    await gate(t, { service: 'zone-caution', changeType: 'fix' }); // no version: not a deploy marker
    // errors after the deploy: 100 more bad events out of 100
    await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'caution-slo', good: 0, total: 100 }] } });
    t.clock.advance(30_000);
    await t.evaluate();
    const res = await t.request({ url: '/v1/services/zone-caution/budget', token: TOKENS.reader });
    expect(res.status).toBe(200);
    expect(res.body.deploys).toHaveLength(1);
    const [deploy] = res.body.deploys;
    expect(deploy).toMatchObject({ version: '2.0.0', changeType: 'feature' });
    const expectedNow = 1 - (60 + 100) / 10_100 / (1 - 99 / 100);
    expect(deploy.slos[0].remainingAtDeploy).toBeCloseTo(0.4, 9);
    expect(deploy.slos[0].remainingNow).toBeCloseTo(expectedNow, 9);
    expect(deploy.slos[0].consumedSince).toBeCloseTo(0.4 - expectedNow, 9);
    expect(res.body).toMatchObject({ zone: 'exhausted', gate: { feature: 'deny' } }); // that release cost the whole budget
  });
});
