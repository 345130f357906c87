import { CORRECTIONS, type CorrectionsReader } from '../../src/slo/ports/corrections';
import { CORRECTION_REPOSITORY, MAX_API_CORRECTIONS, type CorrectionRepository } from '../../src/policies/ports/correction.repository';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * The corrections API (SPEC §4, §5; admin to change, read to list): the config's corrections listed
 * with `source: config` and never deleted (409), API ones created, listed and deleted, every bad
 * input a 400 naming its field with nothing stored, each change audited with the token's name, and
 * the `CORRECTIONS` port the evaluation reads handing out both. On Redis, corrections outlive the
 * process that created them.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Two config corrections (a top-level `corrections:` after the test config's SLOs). */
const CONFIG_CORRECTIONS = `corrections:
  - { service: checkout, reason: "weekly DB maintenance", start: "2026-12-06T02:00:00+01:00", duration: 2h, repeat: weekly }
  - { slo: search-availability, reason: "index migration", start: "2026-11-01T00:00:00Z", end: "2026-11-01T03:30:00Z" }
`;

type View = Record<string, unknown>;

describe('corrections API', () => {
  let t: TestApp;
  let now: number;
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const post = (body: unknown, token = TOKENS.admin) => t.request({ method: 'POST', url: '/v1/corrections', token, body });
  const remove = (id: string, token = TOKENS.admin) => t.request({ method: 'DELETE', url: `/v1/corrections/${encodeURIComponent(id)}`, token });
  const list = async (token = TOKENS.reader) => {
    const res = await t.request({ url: '/v1/corrections', token });
    expect(res.status).toBe(200);
    return res.body.corrections as View[];
  };
  const audit = async () => (await t.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes as View[];
  const apiOnes = async () => (await list()).filter((c) => c.source === 'api');

  beforeEach(async () => {
    t = await startTestApp(testConfig({ extraSlos: CONFIG_CORRECTIONS }));
    now = t.clock.now();
  });
  afterEach(async () => {
    await t.close();
  });

  it('needs a token (401), the admin scope to change (403) and the read scope to list', async () => {
    const body = { slo: 'checkout-availability', start: iso(HOUR), duration: '1h', reason: 'maintenance' };
    expect((await t.request({ method: 'POST', url: '/v1/corrections', body })).status).toBe(401);
    expect((await post(body, 'not-a-token')).status).toBe(401);
    expect((await t.request({ url: '/v1/corrections' })).status).toBe(401);
    expect((await t.request({ method: 'DELETE', url: '/v1/corrections/x' })).status).toBe(401);
    const forbidden = await post(body, TOKENS.reader);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await post(body, TOKENS.ci)).status).toBe(403);
    expect((await t.request({ url: '/v1/corrections', token: TOKENS.ingest })).status).toBe(403);

    const created = await post(body);
    expect(created.status).toBe(201);
    expect((await remove(created.body.id, TOKENS.reader)).status).toBe(403);
    expect((await remove(created.body.id, TOKENS.ci)).status).toBe(403);
    expect(await apiOnes()).toHaveLength(1); // the refused deletes changed nothing
    expect(await list(TOKENS.ci)).toHaveLength(3);
    expect((await audit()).map((c) => c.action)).toEqual(['correction.create']);
  });

  it('lists the config corrections with source config, null creation and stable ids', async () => {
    const listed = await list();
    expect(listed).toEqual([
      {
        id: expect.stringMatching(/^config-[0-9a-f]{16}$/),
        slo: null,
        service: 'checkout',
        start: '2026-12-06T01:00:00.000Z',
        end: '2026-12-06T03:00:00.000Z',
        duration: '2h',
        repeat: 'weekly',
        reason: 'weekly DB maintenance',
        source: 'config',
        createdAt: null,
        createdBy: null,
      },
      {
        id: expect.stringMatching(/^config-[0-9a-f]{16}$/),
        slo: 'search-availability',
        service: null,
        start: '2026-11-01T00:00:00.000Z',
        end: '2026-11-01T03:30:00.000Z',
        duration: '210m',
        repeat: null,
        reason: 'index migration',
        source: 'config',
        createdAt: null,
        createdBy: null,
      },
    ]);
    // the same ids on another start of the same config
    const other = await startTestApp(testConfig({ extraSlos: CONFIG_CORRECTIONS }));
    try {
      const again = (await other.request({ url: '/v1/corrections', token: TOKENS.reader })).body.corrections as View[];
      expect(again.map((c) => c.id)).toEqual(listed.map((c) => c.id));
    } finally {
      await other.close();
    }
  });

  it('creates SLO, service and "*" corrections (201), field for field, listed after the config ones, oldest first', async () => {
    const slo = await post({ slo: 'checkout-availability', start: '2026-11-21T13:30:00+02:00', duration: '90m', repeat: 'daily', reason: 'nightly batch' });
    expect(slo.status).toBe(201);
    expect(Object.keys(slo.body).sort()).toEqual(['createdAt', 'createdBy', 'duration', 'end', 'id', 'reason', 'repeat', 'service', 'slo', 'source', 'start']);
    expect(slo.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slo: 'checkout-availability',
      service: null,
      start: '2026-11-21T11:30:00.000Z', // the offset, written in UTC
      end: '2026-11-21T13:00:00.000Z',
      duration: '90m',
      repeat: 'daily',
      reason: 'nightly batch',
      source: 'api',
      createdAt: iso(0),
      createdBy: 'sre',
    });
    t.clock.advance(1_000);
    // after the fact: a past range, given by its end
    const service = await post({ service: 'search', start: iso(-3 * HOUR), end: iso(-HOUR), reason: '  provider outage, not ours  ' });
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({ slo: null, service: 'search', start: iso(-3 * HOUR), end: iso(-HOUR), duration: '2h', repeat: null, reason: 'provider outage, not ours', createdAt: iso(1_000) });
    t.clock.advance(1_000);
    const all = await post({ service: '*', start: iso(DAY), duration: '30m', repeat: 'weekly', reason: 'network maintenance' });
    expect(all.status).toBe(201);
    expect(all.body).toMatchObject({ service: '*', slo: null, repeat: 'weekly', end: iso(DAY + 30 * MINUTE) });

    const listed = await list();
    expect(listed.map((c) => c.source)).toEqual(['config', 'config', 'api', 'api', 'api']);
    expect(listed.slice(2)).toEqual([slo.body, service.body, all.body]);
  });

  it('never drops a correction as it ages: past ones still change history', async () => {
    const created = (await post({ service: 'checkout', start: iso(-2 * HOUR), duration: '1h', reason: 'maintenance' })).body;
    t.clock.advance(400 * DAY);
    expect(await apiOnes()).toEqual([created]);
  });

  it('refuses bad corrections with 400 and one detail naming the field, storing and auditing nothing', async () => {
    const ok = { slo: 'checkout-availability', start: iso(HOUR), duration: '2h', reason: 'maintenance' };
    const { duration: _duration, ...withoutDuration } = ok;
    const { reason: _reason, ...withoutReason } = ok;
    const { slo: _slo, ...withoutTarget } = ok;
    const cases: Array<[string, unknown, string]> = [
      ['end equal to start', { ...withoutDuration, end: ok.start }, 'end'],
      ['end before start', { ...withoutDuration, end: iso(HOUR - 1) }, 'end'],
      ['unknown SLO', { ...ok, slo: 'nope' }, 'slo'],
      ['a service given as slo', { ...ok, slo: 'checkout' }, 'slo'],
      ['unknown service', { ...withoutTarget, service: 'nope' }, 'service'],
      ['neither slo nor service', withoutTarget, 'service'],
      ['both slo and service', { ...ok, service: 'checkout' }, 'service'],
      ['empty slo', { ...ok, slo: '' }, 'slo'],
      ['slo not a string', { ...ok, slo: 42 }, 'slo'],
      ['unknown repeat', { ...ok, repeat: 'monthly' }, 'repeat'],
      ['repeat null', { ...ok, repeat: null }, 'repeat'],
      ['reason missing', withoutReason, 'reason'],
      ['empty reason', { ...ok, reason: '' }, 'reason'],
      ['blank reason', { ...ok, reason: '   ' }, 'reason'],
      ['reason too long', { ...ok, reason: 'x'.repeat(1_001) }, 'reason'],
      ['start missing', { ...ok, start: undefined }, 'start'],
      ['start not a timestamp', { ...ok, start: 'tomorrow' }, 'start'],
      ['start without a zone', { ...ok, start: '2026-11-21T12:00:00' }, 'start'],
      ['start not a date of the calendar', { ...ok, start: '2026-11-31T12:00:00Z' }, 'start'],
      ['start a number', { ...ok, start: now }, 'start'],
      ['end not a timestamp', { ...withoutDuration, end: 'later' }, 'end'],
      ['end not a date of the calendar', { ...withoutDuration, end: '2026-02-29T00:00:00Z' }, 'end'],
      ['both duration and end', { ...ok, end: iso(3 * HOUR) }, 'duration'],
      ['neither duration nor end', withoutDuration, 'duration'],
      ['duration not a duration', { ...ok, duration: '2 hours' }, 'duration'],
      ['duration under 1s', { ...ok, duration: '500ms' }, 'duration'],
      ['duration a whole day, repeated daily', { ...ok, duration: '24h', repeat: 'daily' }, 'duration'],
      ['duration a whole week, repeated weekly', { ...ok, duration: '7d', repeat: 'weekly' }, 'duration'],
      ['end a day after start, repeated daily', { ...withoutDuration, end: iso(HOUR + DAY), repeat: 'daily' }, 'end'],
    ];
    for (const [what, body, path] of cases) {
      const res = await post(body);
      expect([what, res.status]).toEqual([what, 400]);
      expect([what, res.body.statusCode, res.body.error, typeof res.body.message]).toEqual([what, 400, 'Bad Request', 'string']);
      expect([what, res.body.details.map((d: { path: string }) => d.path)]).toEqual([what, [path]]);
      expect(typeof res.body.details[0].message).toBe('string');
    }
    expect((await post({ ...ok, extra: 1 })).status).toBe(400);
    expect((await post([ok])).status).toBe(400);
    const malformed = await t.request({ method: 'POST', url: '/v1/corrections', token: TOKENS.admin, body: '{"slo":', headers: { 'content-type': 'application/json' } });
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await apiOnes()).toEqual([]);
    expect(await list()).toHaveLength(2);
    expect(await audit()).toEqual([]);
  });

  it('deletes a correction (204), then answers 404; a config correction is 409 and stays', async () => {
    const created = (await post({ slo: 'checkout-latency', start: iso(HOUR), duration: '1h', reason: 'load test' })).body;
    const removed = await remove(created.id);
    expect(removed.status).toBe(204);
    expect(removed.body).toBe('');
    expect(await apiOnes()).toEqual([]);
    const again = await remove(created.id);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ statusCode: 404, error: 'Not Found', details: [] });
    expect((await remove('no-such-id')).status).toBe(404);

    const configured = (await list())[0];
    const refused = await remove(configured.id as string);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('config'), details: [] });
    expect(await list()).toContainEqual(configured);
    expect((await audit()).map((c) => c.action)).toEqual(['correction.delete', 'correction.create']);
  });

  it('audits each create and delete with the token name and the service (the SLO’s for an SLO correction), newest first', async () => {
    const slo = (await post({ slo: 'checkout-latency', start: iso(HOUR), duration: '1h', repeat: 'daily', reason: 'load test' })).body;
    const all = (await post({ service: '*', start: iso(-HOUR), end: iso(0), reason: 'network' })).body;
    t.clock.advance(5_000);
    expect((await remove(slo.id)).status).toBe(204);
    const changes = await audit();
    expect(changes.map((c) => [c.action, c.actor, c.id, c.service])).toEqual([
      ['correction.delete', 'sre', slo.id, 'checkout'],
      ['correction.create', 'sre', all.id, '*'],
      ['correction.create', 'sre', slo.id, 'checkout'],
    ]);
    const details = { slo: 'checkout-latency', service: null, start: slo.start, end: slo.end, duration: '1h', repeat: 'daily', reason: 'load test' };
    expect(changes[2]).toEqual({ at: iso(0), actor: 'sre', action: 'correction.create', id: slo.id, service: 'checkout', details });
    expect(changes[0]).toEqual({ at: iso(5_000), actor: 'sre', action: 'correction.delete', id: slo.id, service: 'checkout', details });
    expect(JSON.stringify(changes)).not.toContain(TOKENS.admin);
  });

  it(`keeps at most ${MAX_API_CORRECTIONS} API corrections: one more is a 409 and stores nothing`, async () => {
    const repo = t.app.get<CorrectionRepository>(CORRECTION_REPOSITORY);
    for (let n = 0; n < MAX_API_CORRECTIONS - 1; n++) {
      await repo.saveCorrection({ id: `seeded-${n}`, service: 'checkout', startMs: now - DAY, durationMs: HOUR, repeat: null, reason: 'seeded', source: 'api', createdAtMs: now - DAY, createdBy: 'sre' });
    }
    expect((await post({ service: 'search', start: iso(0), duration: '1h', reason: 'the last one' })).status).toBe(201);
    const refused = await post({ service: 'search', start: iso(0), duration: '1h', reason: 'one too many' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(String(MAX_API_CORRECTIONS)) });
    expect(await repo.listCorrections()).toHaveLength(MAX_API_CORRECTIONS);
    // deleting one makes room again
    expect((await remove('seeded-0')).status).toBe(204);
    expect((await post({ service: 'search', start: iso(0), duration: '1h', reason: 'room again' })).status).toBe(201);
  });

  it('hands the evaluation every correction through the CORRECTIONS port: the config’s first, then the API’s; a reload replaces the config’s', async () => {
    const reader = t.app.get<CorrectionsReader>(CORRECTIONS);
    const created = (await post({ slo: 'checkout-availability', start: '2026-11-21T08:00:00Z', duration: '2h', repeat: 'daily', reason: 'nightly batch' })).body;
    const all = await reader.all();
    expect(all).toEqual([
      expect.objectContaining({ service: 'checkout', startMs: Date.parse('2026-12-06T01:00:00Z'), durationMs: 2 * HOUR, repeat: 'weekly', source: 'config', createdAtMs: null, createdBy: null }),
      expect.objectContaining({ slo: 'search-availability', startMs: Date.parse('2026-11-01T00:00:00Z'), durationMs: 3.5 * HOUR, repeat: null, source: 'config' }),
      {
        id: created.id,
        slo: 'checkout-availability',
        startMs: Date.parse('2026-11-21T08:00:00Z'),
        durationMs: 2 * HOUR,
        repeat: 'daily',
        reason: 'nightly batch',
        source: 'api',
        createdAtMs: now,
        createdBy: 'sre',
      },
    ]);
    expect(all[0]).not.toHaveProperty('slo');
    expect(all[1]).not.toHaveProperty('service');

    t.writeConfig(testConfig());
    await t.config.replace(t.config.reload());
    expect((await reader.all()).map((c) => c.id)).toEqual([created.id]);
    expect(await list()).toEqual([created]);
  });
});

describe('corrections on Redis', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  let counter = 0;
  let prefix: string;

  beforeEach(() => {
    prefix = `corrections-redis-${process.pid}-${++counter}:`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  const start = async () => {
    const t = await startTestApp(testConfig({ redisUrl: redis.url, redisPrefix: prefix, extraSlos: CONFIG_CORRECTIONS }));
    apps.push(t);
    return t;
  };

  it('keeps corrections and their audit across a restart of the service on the same Redis; deletes on the new one', async () => {
    const first = await start();
    const startAt = new Date(first.clock.now() - 3 * HOUR).toISOString();
    const body = { service: 'checkout', start: startAt, duration: '2h', repeat: 'weekly', reason: 'DB maintenance' };
    const created = await first.request({ method: 'POST', url: '/v1/corrections', token: TOKENS.admin, body });
    expect(created.status).toBe(201);
    first.clock.advance(1_000);
    const other = await first.request({ method: 'POST', url: '/v1/corrections', token: TOKENS.admin, body: { slo: 'search-availability', start: startAt, end: new Date(first.clock.now()).toISOString(), reason: 'outage of the provider' } });
    expect(other.status).toBe(201);
    await apps.pop()!.close(); // the process that wrote them is gone

    const second = await start();
    const listed = await second.request({ url: '/v1/corrections', token: TOKENS.reader });
    expect(listed.status).toBe(200);
    expect(listed.body.corrections.filter((c: View) => c.source === 'api')).toEqual([created.body, other.body]);
    expect(listed.body.corrections.filter((c: View) => c.source === 'config')).toHaveLength(2);
    expect((await second.app.get<CorrectionsReader>(CORRECTIONS).all()).map((c) => c.id)).toContain(created.body.id);
    const audit = (await second.request({ url: '/v1/audit', token: TOKENS.reader })).body.changes;
    expect(audit.map((c: { action: string; actor: string }) => [c.action, c.actor])).toEqual([
      ['correction.create', 'sre'],
      ['correction.create', 'sre'],
    ]);

    expect((await second.request({ method: 'DELETE', url: `/v1/corrections/${created.body.id}`, token: TOKENS.admin })).status).toBe(204);
    const after = (await second.request({ url: '/v1/corrections', token: TOKENS.reader })).body.corrections as View[];
    expect(after.filter((c) => c.source === 'api')).toEqual([other.body]);
  });

  it('leaves a malformed stored correction out (never a 500), answering the others; deleting it removes it', async () => {
    const t = await start();
    const created = await t.request({ method: 'POST', url: '/v1/corrections', token: TOKENS.admin, body: { service: 'checkout', start: new Date(t.clock.now()).toISOString(), duration: '1h', reason: 'kept' } });
    expect(created.status).toBe(201);
    const client = redis.client();
    await client.hset(`${prefix}policy:corrections`, 'garbage', '{"id": "garbage", "startMs": "soon"');
    await client.hset(`${prefix}policy:corrections`, 'wrong-shape', JSON.stringify({ id: 'wrong-shape', service: 'checkout' }));
    const listed = await t.request({ url: '/v1/corrections', token: TOKENS.reader });
    expect(listed.status).toBe(200);
    expect(listed.body.corrections.filter((c: View) => c.source === 'api')).toEqual([created.body]);
    expect((await t.app.get<CorrectionsReader>(CORRECTIONS).all()).map((c) => c.id)).toContain(created.body.id);
    const exported = await t.request({ url: '/v1/admin/state', token: TOKENS.admin });
    expect([exported.status, exported.body.corrections]).toEqual([200, [created.body]]);
    // the API can remove it (nothing readable was removed: 404), and it is gone from Redis
    expect((await t.request({ method: 'DELETE', url: '/v1/corrections/garbage', token: TOKENS.admin })).status).toBe(404);
    expect(await client.hexists(`${prefix}policy:corrections`, 'garbage')).toBe(0);
  });

  it('answers 503 while Redis is down, never a list without the API corrections', async () => {
    const t = await start();
    await redis.kill();
    try {
      const listed = await t.request({ url: '/v1/corrections', token: TOKENS.reader });
      expect([listed.status, listed.body.statusCode, listed.body.corrections]).toEqual([503, 503, undefined]);
      const body = { service: 'checkout', start: new Date(t.clock.now()).toISOString(), duration: '1h', reason: 'x' };
      expect((await t.request({ method: 'POST', url: '/v1/corrections', token: TOKENS.admin, body })).status).toBe(503);
      await expect(t.app.get<CorrectionsReader>(CORRECTIONS).all()).rejects.toMatchObject({ code: 'state-unavailable' });
    } finally {
      await redis.restart();
    }
    // the restarted Redis is empty (no persistence): the list answers again, with the config's only
    const deadline = Date.now() + 15_000;
    let listed = await t.request({ url: '/v1/corrections', token: TOKENS.reader });
    while (listed.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await t.request({ url: '/v1/corrections', token: TOKENS.reader });
    }
    expect([listed.status, listed.body.corrections.map((c: View) => c.source)]).toEqual([200, ['config', 'config']]);
  });
});
