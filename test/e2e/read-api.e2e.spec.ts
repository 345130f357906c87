import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/** The read API of SPEC §5: auth, pagination, detail, service budget, history, errors, health, docs. */
describe('read API', () => {
  let t: TestApp;
  const get = (url: string, token: string | undefined = TOKENS.reader) => t.request({ url, token });

  afterEach(async () => {
    await t?.close();
  });

  describe('with publicRead: false', () => {
    beforeEach(async () => {
      t = await startTestApp(testConfig({ publicRead: false }));
    });

    it('needs a valid token with the read scope: 401 missing/unknown/malformed, 403 without scope', async () => {
      expect((await get('/v1/slos', '')).status).toBe(401);
      expect((await get('/v1/slos', 'nope')).status).toBe(401);
      expect((await t.request({ url: '/v1/slos', headers: { authorization: 'Basic abc' } })).status).toBe(401);
      expect((await get('/v1/slos', TOKENS.ingest)).status).toBe(403);
      expect((await get('/v1/slos', TOKENS.ci)).status).toBe(200);
      const forbidden = await get('/v1/slos', TOKENS.ingest);
      expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden', details: [] });
    });

    it('lists every SLO sorted by id, filtered by service, paginated with a cursor', async () => {
      const all = await get('/v1/slos');
      expect(all.status).toBe(200);
      expect(all.body.slos.map((s: { slo: string }) => s.slo)).toEqual(['checkout-availability', 'checkout-latency', 'search-availability']);
      expect(all.body.nextCursor).toBeNull();

      const first = await get('/v1/slos?limit=2');
      expect(first.body.slos).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(`/v1/slos?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.slos.map((s: { slo: string }) => s.slo)).toEqual(['search-availability']);
      expect(second.body.nextCursor).toBeNull();

      const checkout = await get('/v1/slos?service=checkout');
      expect(checkout.body.slos.map((s: { service: string }) => s.service)).toEqual(['checkout', 'checkout']);
    });

    it('refuses bad list queries with 400 and the failing path', async () => {
      for (const query of ['limit=1001', 'limit=0', 'limit=abc', 'cursor=!!!', 'bogus=1']) {
        const res = await get(`/v1/slos?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.details.length).toBeGreaterThan(0);
      }
      expect((await get('/v1/slos?limit=1001')).body.details[0].path).toBe('limit');
    });

    it('shows one SLO with its definition and budget; 404 for unknown SLOs, services and routes', async () => {
      const res = await get('/v1/slos/checkout-availability');
      expect(res.status).toBe(200);
      expect(res.body.definition).toMatchObject({ id: 'checkout-availability', objective: 99.9, window: '30d', sli: { source: 'events' } });
      expect(res.body.definition.alerting.rules).toHaveLength(4);
      expect(res.body.budget.slo).toBe('checkout-availability');
      expect((await get('/v1/slos/nope')).status).toBe(404);
      expect((await get('/v1/slos/nope/budget')).status).toBe(404);
      expect((await get('/v1/slos/nope/history')).status).toBe(404);
      expect((await get('/v1/services/nope/budget')).status).toBe(404);
      const unknownRoute = await get('/v1/nothing-here');
      expect(unknownRoute.status).toBe(404);
      expect(unknownRoute.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it("gives a service's worst zone and feature gate", async () => {
      const now = t.clock.now();
      // checkout-latency (99%, 7d): 30% errors → remaining 1 − 0.3/0.01 < 0 → exhausted; feature denied
      await t.request({
        method: 'POST',
        url: '/v1/events',
        token: TOKENS.ingest,
        body: {
          events: [
            { slo: 'checkout-latency', good: 70, total: 100, timestamp: new Date(now - 3_600_000).toISOString() },
            { slo: 'checkout-availability', good: 1000, total: 1000, timestamp: new Date(now - 3_600_000).toISOString() },
          ],
        },
      });
      await t.evaluate();
      const res = await get('/v1/services/checkout/budget');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ service: 'checkout', zone: 'exhausted', gate: { feature: 'deny' }, deploys: [] });
      expect(res.body.slos.map((s: { slo: string; zone: string }) => [s.slo, s.zone])).toEqual([
        ['checkout-availability', 'normal'],
        ['checkout-latency', 'exhausted'],
      ]);
    });

    it('turns a zone unknown once the last evaluation is more than 3 intervals old', async () => {
      await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-availability', good: 10, total: 10 }] } });
      await t.evaluate();
      expect((await get('/v1/slos/checkout-availability/budget')).body.zone).toBe('normal');
      t.clock.advance(90_000);
      expect((await get('/v1/slos/checkout-availability/budget')).body.zone).toBe('normal');
      t.clock.advance(1);
      const stale = (await get('/v1/slos/checkout-availability/budget')).body;
      expect(stale.zone).toBe('unknown');
      expect(stale.budget.remaining).toBe(1); // numbers of the last successful evaluation stay
    });

    it('recomputes history from stored events at each step', async () => {
      const now = t.clock.now();
      const events = [
        { slo: 'checkout-availability', good: 100, total: 100, timestamp: new Date(now - 50 * 60_000).toISOString() },
        { slo: 'checkout-availability', good: 50, total: 100, timestamp: new Date(now - 20 * 60_000).toISOString() },
      ];
      await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events } });
      const from = new Date(now - 60 * 60_000).toISOString();
      const res = await get(`/v1/slos/checkout-availability/history?from=${from}&step=15m`);
      expect(res.status).toBe(200);
      expect(res.body.slo).toBe('checkout-availability');
      expect(res.body.points.map((p: { t: string }) => p.t)).toEqual(
        [60, 45, 30, 15, 0].map((m) => new Date(now - m * 60_000).toISOString()),
      );
      const e = 1 - 99.9 / 100;
      const [p60, p45, p30, p15, p0] = res.body.points;
      expect(p60.sli).toBeNull();
      expect(p60.remaining).toBe(1);
      expect(p45.sli).toBe(1);
      expect(p30.sli).toBe(1);
      expect(p15.sli).toBeCloseTo(150 / 200, 9);
      expect(p15.remaining).toBeCloseTo(1 - 0.25 / e, 9);
      expect(p0.burnRates['30m']).toBeCloseTo(0.5 / e, 9);
      expect(p0.burnRates['5m']).toBe(0);

      const defaults = await get('/v1/slos/checkout-availability/history');
      expect(defaults.body.points).toHaveLength(24 * 12 + 1);
      const tooMany = await get(`/v1/slos/checkout-availability/history?from=${new Date(now - 30 * 86_400_000).toISOString()}&step=1m`);
      expect(tooMany.status).toBe(400);
      expect((await get('/v1/slos/checkout-availability/history?from=yesterday')).body.details[0].path).toBe('from');
      expect((await get('/v1/slos/checkout-availability/history?step=0s')).status).toBe(400);
    });

    it('keeps tokens out of every response', async () => {
      const bodies = [
        await get('/v1/slos'),
        await get('/v1/slos/checkout-availability'),
        await t.request({ url: '/docs-json' }),
        await get('/v1/slos', 'wrong'),
      ].map((r) => JSON.stringify(r.body));
      for (const body of bodies) for (const token of Object.values(TOKENS)) expect(body).not.toContain(token);
    });
  });

  describe('with publicRead: true', () => {
    beforeEach(async () => {
      t = await startTestApp(testConfig({ publicRead: true }));
    });

    it('serves read endpoints without a token, but refuses an unknown one and still guards other scopes', async () => {
      expect((await get('/v1/slos', '')).status).toBe(200);
      expect((await get('/v1/slos', 'unknown-token')).status).toBe(401);
      expect((await t.request({ method: 'POST', url: '/v1/events', body: { events: [] } })).status).toBe(401);
    });
  });

  describe('health, docs and the board', () => {
    beforeEach(async () => {
      t = await startTestApp(testConfig());
    });

    it('answers /readyz 503 until the first evaluation has completed, /healthz always', async () => {
      expect((await t.request({ url: '/healthz' })).status).toBe(200);
      const before = await t.request({ url: '/readyz' });
      expect(before.status).toBe(503);
      expect(before.body.details.map((d: { path: string }) => d.path)).toContain('firstEvaluation');
      await t.evaluate();
      const after = await t.request({ url: '/readyz' });
      expect(after.status).toBe(200);
      expect(after.body.status).toBe('ok');
    });

    it('serves the OpenAPI document with every API path and the docs UI', async () => {
      const doc = await t.request({ url: '/docs-json' });
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/events',
          '/v1/slos',
          '/v1/slos/{id}',
          '/v1/slos/{id}/budget',
          '/v1/slos/{id}/history',
          '/v1/services/{service}/budget',
          '/healthz',
          '/readyz',
          '/v1/alerts',
          '/v1/silences',
          '/v1/silences/{id}',
        ]),
      );
      expect(doc.body.components.schemas.Budget.properties).toHaveProperty('burnRates');
      expect(Object.keys(doc.body.components.schemas.FiringAlert.properties)).toEqual(
        expect.arrayContaining(['slo', 'service', 'severity', 'kind', 'state', 'since', 'rule', 'burnRates', 'silenced']),
      );
      expect((await t.request({ url: '/docs' })).status).toBe(200);
    });

    it.each(['/', '/slos/checkout-availability', '/services/checkout', '/incidents', '/incidents/inc-1', '/tv'])(
      'serves the board shell at %s: no data, no inline code, a strict CSP',
      async (url) => {
        const res = await t.request({ url });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).not.toContain('checkout-availability');
        expect(res.body).toContain('<script defer src="/assets/board.js"></script>');
        expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
        expect(res.body).not.toMatch(/<style|\son[a-z]+=/i);
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("default-src 'none'");
        expect(csp).not.toContain('unsafe-inline');
      },
    );

    it('gzips answers over 2 KiB for clients that take it, and only those', async () => {
      const big = await t.request({ url: '/docs-json', headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(big.status).toBe(200);
      expect(big.headers['content-encoding']).toBe('gzip');
      const plain = await t.request({ url: '/docs-json' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.openapi).toBe('3.1.0');
      const small = await t.request({ url: '/healthz', headers: { 'accept-encoding': 'gzip' } });
      expect(small.headers['content-encoding']).toBeUndefined();
    });

    it('serves the bundle gzipped with an ETag, and 404 for what it does not have', async () => {
      const js = await t.request({ url: '/assets/board.js', headers: { 'accept-encoding': 'gzip' } });
      expect(js.status).toBe(200);
      expect(js.headers['content-type']).toContain('javascript');
      expect(js.headers['content-encoding']).toBe('gzip');
      const again = await t.request({ url: '/assets/board.js', headers: { 'if-none-match': String(js.headers.etag) } });
      expect(again.status).toBe(304);
      const css = await t.request({ url: '/assets/board.css' });
      expect(css.status).toBe(200);
      expect(css.body).toContain('.uplot');
      expect((await t.request({ url: '/assets/secrets.env' })).status).toBe(404);
      expect((await t.request({ url: '/assets/..%2Fpackage.json' })).status).toBe(404);
    });
  });
});
