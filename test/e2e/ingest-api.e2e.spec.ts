import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/** POST /v1/events: whole-batch validation, idempotency, size bounds (SPEC §5). */
describe('POST /v1/events', () => {
  let t: TestApp;
  const post = (body: unknown, headers: Record<string, string> = {}, token = TOKENS.ingest) =>
    t.request({ method: 'POST', url: '/v1/events', token, body, headers });
  const totalOf = async (slo: string) => {
    await t.evaluate();
    return (await t.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body.total;
  };

  beforeEach(async () => {
    t = await startTestApp(testConfig());
  });
  afterEach(async () => {
    await t.close();
  });

  it('accepts a valid batch with 202 and the count', async () => {
    const res = await post({ events: [{ slo: 'checkout-availability', good: 9, total: 10 }, { slo: 'checkout-latency', good: 1, total: 1 }] });
    expect(res).toMatchObject({ status: 202, body: { accepted: 2 } });
    expect(await totalOf('checkout-availability')).toBe(10);
  });

  it('refuses a batch with one bad event: 400, a detail per problem, nothing stored', async () => {
    const now = t.clock.now();
    const res = await post({
      events: [
        { slo: 'checkout-availability', good: 5, total: 10 },
        { slo: 'checkout-availability', good: 11, total: 10 },
        { slo: 'nope', good: 1, total: 1 },
        { slo: 'checkout-availability', good: 1.5, total: 2 },
        { slo: 'checkout-availability', good: -1, total: 2 },
        { slo: 'checkout-availability', good: 1, total: 1, timestamp: '2026-11-21T09:00:00' },
        { slo: 'checkout-availability', good: 1, total: 1, timestamp: new Date(now + 6 * 60_000).toISOString() },
        { slo: 'checkout-availability', good: 1, total: 1, timestamp: new Date(now - 31 * 86_400_000).toISOString() },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const paths = res.body.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(
      ['events[1].good', 'events[2].slo', 'events[3].good', 'events[4].good', 'events[5].timestamp', 'events[6].timestamp', 'events[7].timestamp'].sort(),
    );
    for (const detail of res.body.details) expect(detail.message).toEqual(expect.any(String));
    expect(await totalOf('checkout-availability')).toBe(0); // nothing stored
  });

  it('refuses empty, oversized and malformed batches', async () => {
    expect((await post({ events: [] })).status).toBe(400);
    expect((await post({})).body.details[0].path).toBe('events');
    expect((await post({ events: [{ slo: 'checkout-availability', good: 1, total: 1, extra: true }] })).status).toBe(400);
    const tooMany = Array.from({ length: 10_001 }, () => ({ slo: 'checkout-availability', good: 1, total: 1 }));
    const res = await post({ events: tooMany });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'events' })]);
  });

  it('answers 413 above 5 MiB and stores nothing', async () => {
    const big = { events: [{ slo: 'checkout-availability', good: 1, total: 1 }], pad: 'x'.repeat(5 * 1024 * 1024) };
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413 });
    expect(await totalOf('checkout-availability')).toBe(0);
  });

  it('answers a repeated Idempotency-Key as the first time and stores nothing more; 409 on a different body', async () => {
    const body = { events: [{ slo: 'checkout-availability', good: 3, total: 4 }] };
    const first = await post(body, { 'idempotency-key': 'deploy-42' });
    const again = await post(body, { 'idempotency-key': 'deploy-42' });
    expect(first).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect(again).toMatchObject({ status: 202, body: first.body });
    expect(await totalOf('checkout-availability')).toBe(4);
    const other = await post({ events: [{ slo: 'checkout-availability', good: 1, total: 4 }] }, { 'idempotency-key': 'deploy-42' });
    expect(other.status).toBe(409);
    expect(await totalOf('checkout-availability')).toBe(4);
  });

  it('lets a key be reused after a refused (400) request', async () => {
    const bad = await post({ events: [{ slo: 'checkout-availability', good: 5, total: 4 }] }, { 'idempotency-key': 'k1' });
    expect(bad.status).toBe(400);
    const good = await post({ events: [{ slo: 'checkout-availability', good: 4, total: 4 }] }, { 'idempotency-key': 'k1' });
    expect(good.status).toBe(202);
  });

  it('needs the ingest scope', async () => {
    const body = { events: [{ slo: 'checkout-availability', good: 1, total: 1 }] };
    expect((await post(body, {}, '')).status).toBe(401);
    expect((await post(body, {}, 'wrong-token')).status).toBe(401);
    expect((await post(body, {}, TOKENS.ci)).status).toBe(403);
    expect((await post(body, {}, TOKENS.admin)).status).toBe(202);
  });
});
