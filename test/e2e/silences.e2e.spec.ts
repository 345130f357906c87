import { SilenceService } from '../../src/alerting/silences/silence.service';
import { silenceCovers } from '../../src/alerting/domain/silence-match';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * The silences API (SPEC §5; admin to change, read to list): validation with one `details` entry
 * per problem, ended silences dropped from the list, every change audited with the token's name;
 * on Redis, silences outlive the process that created them.
 */
const DAY = 86_400_000;

describe('silences API', () => {
  let t: TestApp;
  let now: number;
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const post = (body: unknown, token = TOKENS.admin) => t.request({ method: 'POST', url: '/v1/silences', token, body });
  const list = async (token = TOKENS.reader) => {
    const res = await t.request({ url: '/v1/silences', token });
    expect(res.status).toBe(200);
    return res.body.silences as Array<Record<string, unknown>>;
  };
  const audit = async () => (await t.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes as Array<Record<string, unknown>>;

  beforeEach(async () => {
    t = await startTestApp(testConfig());
    now = t.clock.now();
  });
  afterEach(async () => {
    await t.close();
  });

  it('needs a token (401), the admin scope to change (403) and the read scope to list', async () => {
    const body = { slo: 'checkout-availability', until: iso(3_600_000), reason: 'maintenance' };
    expect((await t.request({ method: 'POST', url: '/v1/silences', body })).status).toBe(401);
    expect((await post(body, 'not-a-token')).status).toBe(401);
    expect((await t.request({ url: '/v1/silences' })).status).toBe(401);
    expect((await t.request({ method: 'DELETE', url: '/v1/silences/x' })).status).toBe(401);
    const forbidden = await post(body, TOKENS.reader);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await post(body, TOKENS.ci)).status).toBe(403);
    expect((await t.request({ url: '/v1/silences', token: TOKENS.ingest })).status).toBe(403);

    const created = await post(body);
    expect(created.status).toBe(201);
    expect((await t.request({ method: 'DELETE', url: `/v1/silences/${created.body.id}`, token: TOKENS.reader })).status).toBe(403);
    expect(await list()).toHaveLength(1); // the refused delete changed nothing
    expect((await audit()).map((c) => c.action)).toEqual(['silence.create']);
  });

  it('creates an SLO silence and a service silence (201), field for field', async () => {
    const slo = await post({ slo: 'checkout-availability', until: '2026-11-21T13:30:00+02:00', reason: 'provider maintenance' });
    expect(slo.status).toBe(201);
    expect(Object.keys(slo.body).sort()).toEqual(['createdAt', 'createdBy', 'id', 'reason', 'service', 'slo', 'until']);
    expect(slo.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slo: 'checkout-availability',
      service: null,
      until: '2026-11-21T11:30:00.000Z', // the offset, written in UTC
      reason: 'provider maintenance',
      createdBy: 'sre',
      createdAt: iso(0),
    });
    t.clock.advance(1_000);
    const service = await post({ service: 'search', until: iso(30 * DAY), reason: '  index rebuild  ' }); // exactly 30 days: allowed
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({ slo: null, service: 'search', reason: 'index rebuild', createdAt: iso(1_000), until: iso(30 * DAY) });
    // null reads as absent: a listed silence can be posted back
    expect((await post({ slo: null, service: 'checkout', until: iso(60_000), reason: 'x' })).body).toMatchObject({ slo: null, service: 'checkout' });
  });

  it('refuses bad silences with 400 and one detail naming the path, storing and auditing nothing', async () => {
    const ok = { slo: 'checkout-availability', until: iso(3_600_000), reason: 'maintenance' };
    const cases: Array<[string, unknown, string]> = [
      ['neither slo nor service', { until: ok.until, reason: 'x' }, 'slo'],
      ['both slo and service', { ...ok, service: 'checkout' }, 'service'],
      ['unknown SLO', { ...ok, slo: 'nope' }, 'slo'],
      ['unknown service', { service: 'nope', until: ok.until, reason: 'x' }, 'service'],
      ['a service given as slo', { ...ok, slo: 'checkout' }, 'slo'],
      ['empty slo', { ...ok, slo: '' }, 'slo'],
      ['until in the past', { ...ok, until: iso(-1) }, 'until'],
      ['until now', { ...ok, until: iso(0) }, 'until'],
      ['until more than 30 days ahead', { ...ok, until: iso(30 * DAY + 1) }, 'until'],
      ['until without a zone', { ...ok, until: '2026-11-21T12:00:00' }, 'until'],
      ['until not a timestamp', { ...ok, until: 'tomorrow' }, 'until'],
      ['until missing', { slo: ok.slo, reason: 'x' }, 'until'],
      ['empty reason', { ...ok, reason: '' }, 'reason'],
      ['blank reason', { ...ok, reason: '   ' }, 'reason'],
      ['reason missing', { slo: ok.slo, until: ok.until }, 'reason'],
    ];
    for (const [what, body, path] of cases) {
      const res = await post(body);
      expect([what, res.status]).toEqual([what, 400]);
      expect([what, res.body.statusCode, res.body.error, typeof res.body.message]).toEqual([what, 400, 'Bad Request', 'string']);
      expect([what, res.body.details.map((d: { path: string }) => d.path)]).toEqual([what, [path]]);
      expect(typeof res.body.details[0].message).toBe('string');
    }
    const several = await post({ slo: 'nope', until: iso(-1), reason: 'x' });
    expect(several.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['slo', 'until']);
    expect((await post({ ...ok, extra: 1 })).status).toBe(400);
    const malformed = await t.request({ method: 'POST', url: '/v1/silences', token: TOKENS.admin, body: '{"slo":', headers: { 'content-type': 'application/json' } });
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await list()).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  it('lists silences not yet ended, oldest first, to a read token; ended ones disappear', async () => {
    const short = (await post({ service: 'checkout', until: iso(60_000), reason: 'short' })).body;
    t.clock.advance(1_000);
    const long = (await post({ slo: 'search-availability', until: iso(DAY), reason: 'long' })).body;
    expect(await list()).toEqual([short, long]);
    expect(await list(TOKENS.ci)).toEqual([short, long]);

    t.clock.set(now + 60_000 - 1);
    expect((await list()).map((s) => s.reason)).toEqual(['short', 'long']);
    t.clock.set(now + 60_000); // until is exclusive: ended
    expect(await list()).toEqual([long]);
    // dropped for good, not just hidden: a clock moved back does not bring it back
    t.clock.set(now + 30_000);
    expect(await list()).toEqual([long]);
    expect((await t.request({ method: 'DELETE', url: `/v1/silences/${short.id}`, token: TOKENS.admin })).status).toBe(404);
    t.clock.advance(2 * DAY);
    expect(await list()).toEqual([]);
  });

  it('deletes a silence (204), then answers 404', async () => {
    const silence = (await post({ slo: 'checkout-latency', until: iso(3_600_000), reason: 'load test' })).body;
    const removed = await t.request({ method: 'DELETE', url: `/v1/silences/${silence.id}`, token: TOKENS.admin });
    expect(removed.status).toBe(204);
    expect(removed.body).toBe('');
    expect(await list()).toEqual([]);
    const again = await t.request({ method: 'DELETE', url: `/v1/silences/${silence.id}`, token: TOKENS.admin });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ statusCode: 404, error: 'Not Found', details: [] });
    expect((await t.request({ method: 'DELETE', url: '/v1/silences/no-such-id', token: TOKENS.admin })).status).toBe(404);
  });

  it('audits each create and delete with the token name and the service (the SLO’s for an SLO silence), newest first', async () => {
    const slo = (await post({ slo: 'checkout-latency', until: iso(3_600_000), reason: 'load test' })).body;
    const service = (await post({ service: 'search', until: iso(7_200_000), reason: 'reindex' })).body;
    await t.request({ method: 'DELETE', url: `/v1/silences/${slo.id}`, token: TOKENS.admin });
    const changes = await audit();
    expect(changes.map((c) => [c.action, c.actor, c.id, c.service])).toEqual([
      ['silence.delete', 'sre', slo.id, 'checkout'],
      ['silence.create', 'sre', service.id, 'search'],
      ['silence.create', 'sre', slo.id, 'checkout'],
    ]);
    expect(changes[2]).toMatchObject({ at: iso(0), details: { slo: 'checkout-latency', service: null, until: slo.until, reason: 'load test' } });
    expect(JSON.stringify(changes)).not.toContain(TOKENS.admin);
  });

  it('hands the delivery side the silences in force at an instant, which cover the alerts they name', async () => {
    const slo = (await post({ slo: 'checkout-latency', until: iso(3_600_000), reason: 'a' })).body;
    t.clock.advance(1_000);
    const service = (await post({ service: 'search', until: iso(600_000), reason: 'b' })).body;
    const silences = t.app.get(SilenceService);
    const at = now + 1_000;
    expect(await silences.activeSilences(at)).toEqual([slo, service]);
    expect(await silences.activeSilences(now)).toEqual([slo]); // the service silence did not exist yet
    expect(await silences.activeSilences(now - 1)).toEqual([]);
    expect(await silences.activeSilences(now + 600_000)).toEqual([slo]);
    const active = await silences.activeSilences(at);
    const covered = (alert: { slo: string; service: string }) => active.some((s) => silenceCovers(s, alert, at));
    expect(covered({ slo: 'checkout-latency', service: 'checkout' })).toBe(true);
    expect(covered({ slo: 'checkout-availability', service: 'checkout' })).toBe(false);
    expect(covered({ slo: 'search-availability', service: 'search' })).toBe(true);
  });
});

describe('silences on Redis', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  let counter = 0;
  let prefix: string;

  beforeEach(() => {
    prefix = `silences-redis-${process.pid}-${++counter}:`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  const start = async () => {
    const t = await startTestApp(testConfig({ redisUrl: redis.url, redisPrefix: prefix }));
    apps.push(t);
    return t;
  };

  it('keeps silences and their audit across a restart of the service on the same Redis', async () => {
    const first = await start();
    const until = new Date(first.clock.now() + 3_600_000).toISOString();
    const created = await first.request({ method: 'POST', url: '/v1/silences', token: TOKENS.admin, body: { slo: 'checkout-availability', until, reason: 'maintenance' } });
    expect(created.status).toBe(201);
    await apps.pop()!.close(); // the process that wrote it is gone

    const second = await start();
    const listed = await second.request({ url: '/v1/silences', token: TOKENS.reader });
    expect(listed.status).toBe(200);
    expect(listed.body.silences).toEqual([created.body]);
    expect(await second.app.get(SilenceService).activeSilences(second.clock.now())).toEqual([created.body]);
    const audit = (await second.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes;
    expect(audit.map((c: { action: string; actor: string }) => [c.action, c.actor])).toEqual([['silence.create', 'sre']]);

    // deleting on the new instance works on the state the old one wrote
    expect((await second.request({ method: 'DELETE', url: `/v1/silences/${created.body.id}`, token: TOKENS.admin })).status).toBe(204);
    expect((await second.request({ url: '/v1/silences', token: TOKENS.reader })).body.silences).toEqual([]);
  });

  it('answers 503 while Redis is down, never an empty list, and answers again once it is back', async () => {
    const t = await start();
    const until = new Date(t.clock.now() + 3_600_000).toISOString();
    await redis.kill();
    try {
      const listed = await t.request({ url: '/v1/silences', token: TOKENS.reader });
      expect([listed.status, listed.body.statusCode, listed.body.silences]).toEqual([503, 503, undefined]);
      const created = await t.request({ method: 'POST', url: '/v1/silences', token: TOKENS.admin, body: { service: 'checkout', until, reason: 'x' } });
      expect(created.status).toBe(503);
      await expect(t.app.get(SilenceService).activeSilences(t.clock.now())).rejects.toMatchObject({ code: 'state-unavailable' });
    } finally {
      await redis.restart();
    }
    // the restarted Redis is empty (no persistence): the list answers again, with nothing in it
    const deadline = Date.now() + 15_000;
    let listed = await t.request({ url: '/v1/silences', token: TOKENS.reader });
    while (listed.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await t.request({ url: '/v1/silences', token: TOKENS.reader });
    }
    expect([listed.status, listed.body.silences]).toEqual([200, []]);
  });
});
