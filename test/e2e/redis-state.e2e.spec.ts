import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { startService, ServiceProcess } from '../helpers/service-process';
import { testConfig, TOKENS } from '../helpers/configs';

/** State in a real Redis: survives a service restart; Redis down means 503, never empty answers. */
describe('Redis state', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  let prefix: string;

  beforeEach(() => {
    prefix = `redis-state-${Date.now()}:`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  const start = async () => {
    const app = await startTestApp(testConfig({ redisUrl: redis.url, redisPrefix: prefix }));
    apps.push(app);
    return app;
  };
  const budget = async (t: TestApp) => t.request({ url: '/v1/slos/checkout-availability/budget', token: TOKENS.reader });

  it('keeps the budget across a service restart', async () => {
    const first = await start();
    const now = first.clock.now();
    await first.request({
      method: 'POST',
      url: '/v1/events',
      token: TOKENS.ingest,
      body: { events: [{ slo: 'checkout-availability', good: 9_990, total: 10_000, timestamp: new Date(now - 600_000).toISOString() }] },
    });
    await first.evaluate();
    const before = (await budget(first)).body;
    expect(before.total).toBe(10_000);
    await first.close();
    apps.pop();

    const second = await start();
    second.clock.set(now);
    expect((await budget(second)).body).toEqual(before); // the stored evaluation, before any cycle
    second.clock.set(now + 30_000);
    await second.evaluate(); // recomputed from the events kept in Redis
    const after = (await budget(second)).body;
    expect(after.total).toBe(10_000);
    expect(after.good).toBe(9_990);
    expect(after.budget.remaining).toBeCloseTo(before.budget.remaining, 12);
  });

  it('shares ingested events between two replicas on one Redis', async () => {
    const a = await start();
    const b = await start();
    b.clock.set(a.clock.now());
    await a.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-latency', good: 7, total: 8 }] } });
    await b.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-latency', good: 1, total: 2 }] } });
    await b.evaluate();
    const seen = (await a.request({ url: '/v1/slos/checkout-latency/budget', token: TOKENS.reader })).body;
    expect([seen.good, seen.total]).toEqual([8, 10]);
  });

  it('answers 503 while Redis is down, keeps the last numbers, and recovers', async () => {
    const t = await start();
    await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-availability', good: 5, total: 5 }] } });
    await t.evaluate();
    await redis.kill();
    try {
      for (const url of ['/v1/slos', '/v1/slos/checkout-availability/budget', '/v1/services/checkout/budget', '/v1/slos/checkout-availability/history']) {
        const res = await t.request({ url, token: TOKENS.reader });
        expect([url, res.status, res.body.statusCode]).toEqual([url, 503, 503]);
      }
      const ingest = await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-availability', good: 1, total: 1 }] } });
      expect(ingest.status).toBe(503);
      expect((await t.request({ url: '/readyz' })).status).toBe(503);
      await expect(t.evaluate()).rejects.toThrow(/state store unavailable/);
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    while ((await t.request({ url: '/readyz' })).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await t.request({ url: '/readyz' })).status).toBe(200);
    // The restarted Redis kept nothing (no persistence in tests): the SLO is unknown, not "healthy".
    await t.evaluate();
    const res = await budget(t);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
    expect(res.body.zone).toBe('unknown');
  });

  describe('as a process', () => {
    let dir: string;
    let service: ServiceProcess | null = null;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'slo-engine-redis-proc-'));
    });
    afterEach(async () => {
      if (service && service.child.exitCode === null) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('starts while Redis is unreachable: /readyz and reads answer 503 until Redis comes up', async () => {
      await redis.kill();
      const file = join(dir, 'config.yaml');
      writeFileSync(file, testConfig());
      try {
        service = await startService({ CONFIG_FILE: file, REDIS_URL: redis.url, REDIS_PREFIX: prefix });
        await service.waitFor('/healthz', 200);
        expect((await fetch(`${service.base}/readyz`)).status).toBe(503);
        const read = await fetch(`${service.base}/v1/slos`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
        expect(read.status).toBe(503);
      } finally {
        await redis.restart();
      }
      await service!.waitFor('/readyz', 200, 20_000);
      const read = await fetch(`${service!.base}/v1/slos`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
      expect(read.status).toBe(200);
      expect(service!.output()).not.toContain(TOKENS.reader);
    });
  });
});
