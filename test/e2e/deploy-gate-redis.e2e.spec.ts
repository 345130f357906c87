import { PagerDutyChangeEvents } from '../../src/notifiers/drivers/pagerduty-change-events';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';
import { gateConfig, ZONE_SERVICES, zoneEvents } from '../helpers/gate-config';

/**
 * The deploy gate on a real Redis (SPEC §7, §8): freezes, overrides, the audit log and deploy
 * markers survive a restart of the service; with Redis down the gate answers 503, never a decision
 * made from empty state; after Redis comes back empty, every SLO is unknown until evaluated.
 */
describe('deploy gate on Redis', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  let counter = 0;
  let prefix: string;

  beforeEach(() => {
    prefix = `gate-redis-${process.pid}-${++counter}:`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  const start = async () => {
    const t = await startTestApp(gateConfig({ redisUrl: redis.url, prefix }));
    apps.push(t);
    return t;
  };
  const close = async (t: TestApp) => {
    apps.splice(apps.indexOf(t), 1);
    await t.close();
  };
  const gate = (t: TestApp, body: Record<string, unknown>) => t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body });
  const read = async (t: TestApp, url: string) => {
    const res = await t.request({ url, token: TOKENS.reader });
    expect([url, res.status]).toEqual([url, 200]);
    return res.body;
  };
  /** everything the gate keeps, as the API shows it */
  const snapshot = async (t: TestApp) => ({
    freezes: await read(t, '/v1/freezes'),
    overrides: await read(t, '/v1/overrides'),
    decisions: await read(t, '/v1/deploy-gate/decisions?limit=1000'),
    audit: await read(t, '/v1/audit'),
    deploys: {
      normal: (await read(t, '/v1/services/zone-normal/budget')).deploys,
      caution: (await read(t, '/v1/services/zone-caution/budget')).deploys,
      exhausted: (await read(t, '/v1/services/zone-exhausted/budget')).deploys,
    },
  });

  async function waitForRedisBack(t: TestApp): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if ((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the app did not reconnect to the restarted Redis');
  }

  it('keeps freezes, overrides, decisions, audit and deploy markers across a restart, and still honours them', async () => {
    const first = await start();
    const now = first.clock.now();
    expect((await first.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(now) })).status).toBe(202);
    await first.evaluate();

    const freeze = await first.request({
      method: 'POST',
      url: '/v1/freezes',
      token: TOKENS.admin,
      body: { service: 'zone-normal', start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), reason: 'Black Friday' },
    });
    expect(freeze.status).toBe(201);
    const override = await first.request({
      method: 'POST',
      url: '/v1/overrides',
      token: TOKENS.admin,
      body: { service: 'zone-exhausted', reason: 'incident 4411 hotfix', expiresAt: new Date(now + 600_000).toISOString(), approvedBy: 'jane.doe' },
    });
    expect(override.status).toBe(201);

    const decided = [
      await gate(first, { service: 'zone-normal', changeType: 'feature', version: 'n-1' }), // deny: frozen
      await gate(first, { service: 'zone-normal', changeType: 'rollback', version: 'n-0' }), // allow: deploy marker
      await gate(first, { service: 'zone-exhausted', changeType: 'feature', version: 'x-9', environment: 'prod', requestedBy: 'bob' }), // allow: override
      await gate(first, { service: 'zone-caution', changeType: 'fix', version: 'c-2' }), // allow: deploy marker
      await gate(first, { service: 'zone-caution', changeType: 'db-migration', version: 'c-3' }), // deny
    ];
    expect(decided.map((r) => [r.status, r.body.decision])).toEqual([
      [200, 'deny'],
      [200, 'allow'],
      [200, 'allow'],
      [200, 'allow'],
      [200, 'deny'],
    ]);
    const before = await snapshot(first);
    expect(before.freezes.freezes).toEqual([freeze.body]);
    expect(before.overrides.overrides).toEqual([override.body]);
    expect(before.decisions.decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual(decided.map((r) => r.body.decisionId).reverse());
    expect(before.audit.changes.map((c: { action: string }) => c.action)).toEqual(['override.create', 'freeze.create']);
    expect(before.deploys.normal.map((d: { version: string }) => d.version)).toEqual(['n-0']);
    expect(before.deploys.exhausted.map((d: { version: string }) => d.version)).toEqual(['x-9']);
    expect(before.deploys.caution.map((d: { version: string }) => d.version)).toEqual(['c-2']);
    await close(first);

    const second = await start(); // same Redis, same prefix, same clock time; no evaluation yet
    expect(second.clock.now()).toBe(now);
    expect(await snapshot(second)).toEqual(before);
    expect((await read(second, '/v1/deploy-gate/decisions?service=zone-caution')).decisions.map((d: { version: string }) => d.version)).toEqual(['c-3', 'c-2']);

    // the gate still honours them: the freeze denies, the override lets anything pass
    const frozen = await gate(second, { service: 'zone-normal', changeType: 'feature' });
    expect(frozen.body).toMatchObject({ decision: 'deny', zone: 'normal' });
    expect(frozen.body.reasons.join(' ')).toContain('Black Friday');
    const overridden = await gate(second, { service: 'zone-exhausted', changeType: 'db-migration' });
    expect(overridden.body).toMatchObject({ decision: 'allow', zone: 'exhausted' });
    expect(overridden.body.reasons.join(' ')).toContain('jane.doe');
    // and the evaluations kept in Redis still decide (caution, not unknown)
    expect((await gate(second, { service: 'zone-caution', changeType: 'feature' })).body).toMatchObject({ decision: 'allow', zone: 'caution' });
    const decisions = (await read(second, '/v1/deploy-gate/decisions?limit=1000')).decisions;
    expect(decisions).toHaveLength(8);
    expect(decisions.slice(3)).toEqual(before.decisions.decisions);
    expect(decisions[1]).toMatchObject({ overrideId: override.body.id, decision: 'allow' });
    expect(decisions[2]).toMatchObject({ freezeIds: [freeze.body.id], decision: 'deny' });

    // deleting the freeze on the new instance works on the state the old one wrote
    expect((await second.request({ method: 'DELETE', url: `/v1/freezes/${freeze.body.id}`, token: TOKENS.admin })).status).toBe(204);
    expect((await gate(second, { service: 'zone-normal', changeType: 'feature' })).body.decision).toBe('allow');
  });

  it('answers 503 while Redis is down, records nothing, and after an empty Redis comes back treats every SLO as unknown until evaluated', async () => {
    const t = await start();
    const now = t.clock.now();
    await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(now) });
    await t.evaluate();
    expect((await gate(t, { service: 'zone-normal', changeType: 'feature', version: 'v1' })).body.decision).toBe('allow');
    const deploys = jest.spyOn(t.app.get(PagerDutyChangeEvents), 'publish');

    await redis.kill();
    try {
      // rollback is allowed in every zone: even that is not answered without the state
      for (const body of [
        { service: 'zone-normal', changeType: 'feature', version: 'v2' },
        { service: 'zone-normal', changeType: 'rollback', version: 'v0' },
        { service: 'zone-exhausted', changeType: 'security' },
        { service: 'zone-unknown', changeType: 'feature' },
      ]) {
        const res = await gate(t, body);
        expect([body, res.status, res.body.statusCode]).toEqual([body, 503, 503]);
        expect(res.body.decision).toBeUndefined();
        expect(res.body.decisionId).toBeUndefined();
      }
      expect((await t.request({ url: '/v1/deploy-gate/decisions', token: TOKENS.reader })).status).toBe(503);
      expect((await t.request({ url: '/v1/services/zone-normal/budget', token: TOKENS.reader })).status).toBe(503);
      expect((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).status).toBe(503);
      // unknown services are still 404 (the config says so, not the state)
      expect((await gate(t, { service: 'nope' })).status).toBe(404);
    } finally {
      await redis.restart();
    }
    expect(deploys).not.toHaveBeenCalled();
    await waitForRedisBack(t);

    // nothing was recorded for the refused requests (not even somewhere that survived the outage)
    expect((await read(t, '/v1/deploy-gate/decisions')).decisions).toEqual([]);
    expect((await read(t, '/v1/services/zone-normal/budget')).deploys).toEqual([]);

    // the restarted Redis is empty: before an evaluation every SLO is unknown, and onUnknown: deny applies
    for (const zone of ZONE_SERVICES) {
      const res = await gate(t, { service: `zone-${zone}`, changeType: 'feature', version: 'after-outage' });
      expect([zone, res.status, res.body.decision, res.body.zone, res.body.evaluatedAt]).toEqual([zone, 200, 'deny', 'unknown', null]);
      expect(res.body.slos).toEqual([expect.objectContaining({ slo: `${zone}-slo`, zone: 'unknown' })]);
    }
    expect((await gate(t, { service: 'zone-normal', changeType: 'rollback' })).body).toMatchObject({ decision: 'allow', zone: 'unknown' });
    expect((await read(t, '/v1/services/zone-normal/budget')).deploys).toEqual([]); // denied: no markers

    // events again, one evaluation: the gate answers from real numbers again
    t.clock.advance(30_000);
    expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(t.clock.now()) })).status).toBe(202);
    await t.evaluate();
    // the Redis came back empty: that is a loss of the shared state (SPEC §12), so the gate denies
    // every change but rollback and security, naming it, until an admin accepts the loss
    const lost = await gate(t, { service: 'zone-normal', changeType: 'feature', version: 'v3' });
    expect(lost.body).toMatchObject({ decision: 'deny', reasons: [expect.stringContaining('shared state lost')] });
    expect((await t.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.admin })).status).toBe(200);
    const normal = await gate(t, { service: 'zone-normal', changeType: 'feature', version: 'v3' });
    expect(normal.body).toMatchObject({ decision: 'allow', zone: 'normal', evaluatedAt: new Date(t.clock.now()).toISOString() });
    expect((await gate(t, { service: 'zone-exhausted', changeType: 'feature' })).body).toMatchObject({ decision: 'deny', zone: 'exhausted' });
    expect((await gate(t, { service: 'zone-unknown', changeType: 'feature' })).body).toMatchObject({ decision: 'deny', zone: 'unknown' });
    expect((await read(t, '/v1/services/zone-normal/budget')).deploys.map((d: { version: string }) => d.version)).toEqual(['v3']);
  });
});
