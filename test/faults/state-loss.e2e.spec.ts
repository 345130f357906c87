import { createServer, Server } from 'node:http';
import { HeartbeatService } from '../../src/notifiers/delivery/heartbeat.service';
import { freePort } from '../helpers/free-port';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';
import { gateConfig, zoneEvents } from '../helpers/gate-config';

/**
 * SPEC §12, "Redis state lost while running": a real redis-server emptied with FLUSHALL under a
 * running service. The loss is detected within one cycle (at once by the gate), logged, counted;
 * the gate denies all but rollback and security naming the loss, budgets carry `stateLostAt`, the
 * heartbeat stops — until an admin accepts the loss. What never happens: a gate that allows because
 * freezes and budgets vanished. Also SPEC §8: an evicting Redis is refused at start.
 */
describe('state loss (Redis emptied under a running service)', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  let prefix: string;
  let seq = 0;

  beforeEach(() => {
    prefix = `state-loss-${Date.now()}-${seq++}:`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  // onUnknown: allow, so that a gate reading the emptied state would let a feature through
  const start = async (extra = '') => {
    const app = await startTestApp(gateConfig({ redisUrl: redis.url, prefix, onUnknown: 'allow' }) + extra);
    apps.push(app);
    return app;
  };
  const gate = (t: TestApp, service: string, changeType: string) =>
    t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service, changeType, version: '1.0.0' } });
  const flushAll = async () => {
    const client = redis.client();
    await client.flushall();
    client.disconnect();
  };

  it('denies all but rollback and security, naming the loss, with stateLostAt on budgets, until an admin accepts it', async () => {
    const t = await start();
    expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(t.clock.now()) })).status).toBe(202);
    await t.evaluate();
    const freeze = await t.request({
      method: 'POST',
      url: '/v1/freezes',
      token: TOKENS.admin,
      body: { service: 'zone-normal', start: new Date(t.clock.now() - 60_000).toISOString(), end: new Date(t.clock.now() + 3_600_000).toISOString(), reason: 'Black Friday' },
    });
    expect(freeze.status).toBe(201);
    expect((await gate(t, 'zone-normal', 'feature')).body).toMatchObject({ decision: 'deny', reasons: [expect.stringContaining('Black Friday')] });

    await flushAll(); // the freeze, the evaluations, the alert states and the outbox are gone
    t.clock.advance(30_000);
    await t.evaluate();

    for (const changeType of ['feature', 'fix', 'db-migration', 'infra']) {
      const answer = await gate(t, 'zone-normal', changeType);
      expect([changeType, answer.status, answer.body.decision]).toEqual([changeType, 200, 'deny']);
      expect(answer.body.reasons).toEqual([expect.stringMatching(/^shared state lost at .*the state marker vanished.*only rollback and security changes pass$/)]);
    }
    for (const changeType of ['rollback', 'security']) {
      expect((await gate(t, 'zone-normal', changeType)).body.decision).toBe('allow');
    }
    const budget = await t.request({ url: '/v1/slos/normal-slo/budget', token: TOKENS.reader });
    expect(budget.body.stateLostAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
    const metrics = await t.request({ url: '/metrics', token: TOKENS.reader });
    expect(metrics.body).toMatch(/^slo_engine_state_loss_total 1$/m);

    // reading, evaluating and deciding again detects nothing new: one loss, counted once
    await t.evaluate();
    expect((await t.request({ url: '/metrics', token: TOKENS.reader })).body).toMatch(/^slo_engine_state_loss_total 1$/m);

    expect((await t.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.reader })).status).toBe(403);
    const accepted = await t.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.admin });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ accepted: { lostAt: budget.body.stateLostAt, reason: expect.stringContaining('marker vanished') } });
    const audit = await t.request({ url: '/v1/audit', token: TOKENS.reader });
    expect(audit.body.changes[0]).toMatchObject({ action: 'state.accept-loss', actor: 'sre' });

    const after = await gate(t, 'zone-normal', 'feature');
    expect(after.body.reasons.join('\n')).not.toContain('shared state lost');
    expect((await t.request({ url: '/v1/slos/normal-slo/budget', token: TOKENS.reader })).body.stateLostAt).toBeUndefined();
    expect((await t.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.admin })).body).toEqual({ accepted: null });
  });

  it('records the loss for every replica: one that starts after it is detected denies too; a first start on an empty Redis is a new deployment', async () => {
    const a = await start();
    const b = await start();
    // a new deployment: no loss on either replica
    expect((await gate(b, 'zone-normal', 'feature')).body.reasons.join('\n')).not.toContain('shared state lost');

    await flushAll();
    expect((await gate(a, 'zone-normal', 'feature')).body).toMatchObject({ decision: 'deny', reasons: [expect.stringContaining('shared state lost')] });

    const c = await start(); // never saw the old marker: it learns of the loss from the shared record
    expect((await gate(c, 'zone-normal', 'feature')).body).toMatchObject({ decision: 'deny', reasons: [expect.stringContaining('shared state lost')] });
    expect((await gate(b, 'zone-normal', 'feature')).body.decision).toBe('deny');

    expect((await a.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.admin })).body.accepted).not.toBeNull();
    for (const t of [a, b, c]) expect((await gate(t, 'zone-normal', 'feature')).body.reasons.join('\n')).not.toContain('shared state lost');
  });

  it('sends no heartbeat while the loss is not accepted, and pings again after', async () => {
    const pings: number[] = [];
    const port = await freePort();
    const server: Server = createServer((req, res) => {
      pings.push(Date.now());
      res.end('OK');
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const t = await start(`heartbeat: { url: "http://127.0.0.1:${port}/ping", interval: 1s }\n`);
      const heartbeat = t.app.get(HeartbeatService);
      const cycle = async () => {
        t.clock.advance(10_000);
        await t.evaluate();
        await heartbeat.idle();
      };
      await cycle();
      expect(pings).toHaveLength(1);
      await flushAll();
      await cycle();
      await cycle();
      expect(pings).toHaveLength(1);
      await t.request({ method: 'POST', url: '/v1/admin/state/accept-loss', token: TOKENS.admin });
      await cycle();
      expect(pings).toHaveLength(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses to start on a Redis that evicts keys, naming maxmemory-policy', async () => {
    const client = redis.client();
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(startTestApp(gateConfig({ redisUrl: redis.url, prefix }))).rejects.toThrow(/maxmemory-policy is "allkeys-lru".*noeviction/);
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
