import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §5 "Bad input is refused before it costs anything": JSON nested deeper than 32 levels is a
 * 400 on every endpoint; `Idempotency-Key` is at most 200 characters; impossible dates are a 400
 * naming the field; a path segment over 256 characters is a 404 in the error shape. Never a 500.
 */
describe('input bounds', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(testConfig());
  });
  afterEach(async () => {
    await t.close();
  });

  const errorShape = (status: number) => ({ statusCode: status, error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
  const nested = (depth: number, leaf: unknown = 1): unknown => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
    return value;
  };
  const totalOf = async (slo: string) => {
    await t.evaluate();
    return (await t.request({ url: `/v1/slos/${slo}/budget`, token: TOKENS.reader })).body.total;
  };

  describe('nesting deeper than 32 levels', () => {
    const bodies: Array<[string, string, string]> = [
      ['POST', '/v1/events', TOKENS.ingest],
      ['POST', '/v1/deploy-gate', TOKENS.ci],
      ['POST', '/v1/freezes', TOKENS.admin],
      ['POST', '/v1/overrides', TOKENS.admin],
      ['POST', '/v1/silences', TOKENS.admin],
      ['DELETE', '/v1/freezes/some-id', TOKENS.admin],
    ];

    it.each(bodies)('%s %s: 33 levels is a 400 naming the body; 32 levels is read', async (method, url, token) => {
      const deep = await t.request({ method: method as 'POST', url, token, body: { events: nested(32) } }); // 33 with the outer object
      expect(deep.status).toBe(400);
      expect(deep.body).toEqual(errorShape(400));
      expect(deep.body.details).toEqual([{ path: 'body', message: 'JSON nested deeper than 32 levels' }]);
      const fine = await t.request({ method: method as 'POST', url, token, body: { events: nested(31) } });
      expect(fine.body.details ?? []).not.toContainEqual(expect.objectContaining({ message: expect.stringMatching(/nested/) }));
    });

    it('a very deep body (100,000 levels) with an Idempotency-Key is a 400, not a 500, and nothing is stored', async () => {
      const payload = '{"events":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/events',
        payload,
        headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json', 'idempotency-key': 'deep-1' },
      });
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toEqual(errorShape(400));
      // brackets inside strings are not nesting
      const stringy = await t.request({
        method: 'POST',
        url: '/v1/events',
        token: TOKENS.ingest,
        headers: { 'idempotency-key': 'deep-2' },
        body: { events: [{ slo: 'checkout-availability', good: 1, total: 1, timestamp: '['.repeat(40) }] },
      });
      expect(stringy.status).toBe(400);
      expect(stringy.body.details).toEqual([expect.objectContaining({ path: 'events[0].timestamp' })]);
      expect(await totalOf('checkout-availability')).toBe(0);
    });
  });

  describe('Idempotency-Key', () => {
    const body = { events: [{ slo: 'checkout-availability', good: 1, total: 1 }] };
    const post = (key: string) => t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body, headers: { 'idempotency-key': key } });

    it('takes 200 characters and refuses 201 with a 400 naming the header', async () => {
      expect((await post('k'.repeat(200))).status).toBe(202);
      const long = await post('k'.repeat(201));
      expect(long.status).toBe(400);
      expect(long.body.details).toEqual([{ path: 'headers.idempotency-key', message: 'must be 1 to 200 printable ASCII characters' }]);
      for (const bad of ['', 'with space', 'é']) expect((await post(bad)).status).toBe(400);
      expect(await totalOf('checkout-availability')).toBe(1);
    });
  });

  describe('impossible calendar dates', () => {
    const future = (days: number) => new Date(Date.parse('2026-11-21T10:00:00.000Z') + days * 86_400_000).toISOString();

    it('refuses Nov 31st and friends with a 400 naming the field, everywhere a timestamp is read', async () => {
      const impossible = ['2026-11-31T00:00:00Z', '2026-02-29T10:00:00Z', '2026-13-01T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T10:60:00Z', '2026-11-20T10:00:60Z', '2026-11-20T10:00:00+24:00'];
      for (const when of impossible) {
        const ingest = await t.request({
          method: 'POST',
          url: '/v1/events',
          token: TOKENS.ingest,
          body: { events: [{ slo: 'checkout-availability', good: 1, total: 1, timestamp: when }] },
        });
        expect([when, ingest.status, ingest.body.details]).toEqual([when, 400, [{ path: 'events[0].timestamp', message: expect.any(String) }]]);

        const freeze = await t.request({ method: 'POST', url: '/v1/freezes', token: TOKENS.admin, body: { service: 'checkout', start: when, end: future(1), reason: 'r' } });
        expect([when, freeze.status, freeze.body.details.map((d: { path: string }) => d.path)]).toEqual([when, 400, ['start']]);

        const override = await t.request({ method: 'POST', url: '/v1/overrides', token: TOKENS.admin, body: { service: 'checkout', reason: 'r', expiresAt: when, approvedBy: 'jane' } });
        expect([when, override.status, override.body.details.map((d: { path: string }) => d.path)]).toEqual([when, 400, ['expiresAt']]);

        const silence = await t.request({ method: 'POST', url: '/v1/silences', token: TOKENS.admin, body: { slo: 'checkout-availability', until: when, reason: 'r' } });
        expect([when, silence.status, silence.body.details.map((d: { path: string }) => d.path)]).toEqual([when, 400, ['until']]);

        const history = await t.request({ url: `/v1/slos/checkout-availability/history?from=${encodeURIComponent(when)}`, token: TOKENS.reader });
        expect([when, history.status, history.body.details.map((d: { path: string }) => d.path)]).toEqual([when, 400, ['from']]);
      }
      expect(await totalOf('checkout-availability')).toBe(0);
      expect((await t.request({ url: '/v1/freezes', token: TOKENS.reader })).body.freezes).toEqual([]);
    });

    it('takes real dates: Feb 29th of a leap year, the last day of each month, offsets', async () => {
      for (const when of ['2026-11-20T10:00:00Z', '2026-10-31T23:59:59.999Z', '2026-11-20T10:00:00+14:00', '2026-11-20T23:59:59-05:30']) {
        const res = await t.request({ url: `/v1/slos/checkout-availability/history?from=${encodeURIComponent(when)}&step=1h`, token: TOKENS.reader });
        expect([when, res.status]).toEqual([when, 200]);
      }
      const leap = await t.request({ url: `/v1/slos/checkout-availability/history?from=${encodeURIComponent('2024-02-29T00:00:00Z')}&step=30d`, token: TOKENS.reader });
      expect(leap.status).toBe(200);
    });
  });

  describe('path segments over 256 characters', () => {
    it('are a 404 in the error shape on every route with a parameter (256 is an unknown id, also 404)', async () => {
      const cases: Array<[string, string, string]> = [
        ['GET', '/v1/slos/ID', TOKENS.reader],
        ['GET', '/v1/slos/ID/budget', TOKENS.reader],
        ['GET', '/v1/slos/ID/history', TOKENS.reader],
        ['GET', '/v1/services/ID/budget', TOKENS.reader],
        ['DELETE', '/v1/freezes/ID', TOKENS.admin],
        ['DELETE', '/v1/overrides/ID', TOKENS.admin],
        ['DELETE', '/v1/silences/ID', TOKENS.admin],
      ];
      for (const [method, url, token] of cases) {
        for (const length of [256, 257, 5_000]) {
          const res = await t.request({ method: method as 'GET', url: url.replace('ID', 'a'.repeat(length)), token });
          expect([method, url, length, res.status]).toEqual([method, url, length, 404]);
          expect(res.body).toEqual(errorShape(404));
          expect(res.headers['content-type']).toMatch(/^application\/json/);
        }
      }
    });

    it('a malformed percent-encoding in the path is a 400 in the error shape', async () => {
      const res = await t.request({ url: '/v1/slos/%zz/budget', token: TOKENS.reader });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorShape(400));
    });
  });
});
