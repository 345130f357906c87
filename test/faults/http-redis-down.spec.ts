import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §12 "Redis paused, down or restarted": state-dependent endpoints, `/metrics` included, answer
 * 503 in the error shape (JSON, whatever the route answers on success), never 500.
 */
describe('HTTP while Redis is down', () => {
  const redis = useTestRedis();
  let t: TestApp | null = null;

  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('answers /metrics with 503 in the JSON error shape, and 200 text again after Redis is back', async () => {
    t = await startTestApp(testConfig({ redisUrl: redis.url, redisPrefix: `metrics-down-${Date.now()}:` }));
    const before = await t.request({ url: '/metrics', token: TOKENS.reader });
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain/);

    await redis.kill();
    try {
      const down = await t.request({ url: '/metrics', token: TOKENS.reader });
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toMatch(/^application\/json/);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), details: [] });
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    let after = await t.request({ url: '/metrics', token: TOKENS.reader });
    while (after.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await t.request({ url: '/metrics', token: TOKENS.reader });
    }
    expect(after.status).toBe(200);
    expect(after.headers['content-type']).toMatch(/^text\/plain/);
  });
});
