import Redis from 'ioredis';
import { ManualClock } from '../../src/common/clock';
import { INCIDENT_RETENTION_MS, type IncidentRecord } from '../../src/incidents/domain/incident';
import type { IncidentRepository } from '../../src/incidents/ports/incident.repository';
import { MemoryIncidentRepository } from '../../src/store/memory/memory-incident.repository';
import { RedisIncidentRepository } from '../../src/store/redis/redis-incident.repository';
import { redisOptions, waitForRedis } from '../../src/store/redis/redis-connection';
import { useTestRedis } from '../helpers/redis-server';

/**
 * One contract, two repositories: what the incidents step and the incident endpoints rely on
 * (SPEC §8, §13) holds in memory and in Redis alike — one open incident per service however many
 * open it at once, compare-and-set updates, newest-first pages with a cursor, 400 days of
 * retention after the resolve, the follow-ups, and (Redis) a malformed value failing only itself.
 */
type Kind = 'memory' | 'redis';
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

const redis = useTestRedis();
let prefixCounter = 0;

function incident(n: number, over: Partial<IncidentRecord> = {}): IncidentRecord {
  const detectedAtMs = T0 + n * MINUTE;
  return {
    id: `inc-${String(n).padStart(4, '0')}`,
    service: 'checkout',
    state: 'open',
    startedAtMs: detectedAtMs - 80_000,
    detectedAtMs,
    resolvedAtMs: null,
    timeToDetect: 80,
    timeToResolve: null,
    zoneAtOpen: 'normal',
    zoneNow: 'normal',
    slos: [{ slo: 'checkout-availability', budgetConsumed: null }],
    pages: [{ slo: 'checkout-availability', rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' }, firedAtMs: detectedAtMs, resolvedAtMs: null }],
    postmortem: { required: false, reasons: [], dueAtMs: null, url: null, summary: null, actionItems: [] },
    timeline: [{ atMs: detectedAtMs, what: 'opened' }],
    ...over,
  };
}

function resolved(i: IncidentRecord, atMs = i.detectedAtMs + 10 * MINUTE): IncidentRecord {
  return { ...i, state: 'resolved', resolvedAtMs: atMs, timeToResolve: (atMs - i.startedAtMs!) / 1000 };
}

interface Subject {
  repo: IncidentRepository;
  clock: ManualClock;
  client: Redis | null;
  prefix: string;
}

async function makeSubject(kind: Kind): Promise<Subject> {
  const clock = new ManualClock(T0);
  if (kind === 'memory') return { repo: new MemoryIncidentRepository(clock), clock, client: null, prefix: '' };
  const client = redis.client(redisOptions());
  await waitForRedis(client, 5_000);
  const prefix = `incident-contract-${process.pid}-${++prefixCounter}:`;
  return { repo: new RedisIncidentRepository(client, prefix), clock, client, prefix };
}

describe.each<Kind>(['memory', 'redis'])('incident repository contract (%s)', (kind) => {
  let s: Subject;
  beforeEach(async () => {
    s = await makeSubject(kind);
  });

  it('opens one incident per service, however many open at once', async () => {
    const opened = await Promise.all(Array.from({ length: 10 }, (_, i) => s.repo.openIfNone(incident(i), T0)));
    expect(opened.filter(Boolean)).toHaveLength(1);
    const open = await s.repo.listOpen();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ service: 'checkout', incident: { service: 'checkout', state: 'open' } });
    expect(await s.repo.openIfNone(incident(20, { service: 'search' }), T0)).toBe(true);
    expect((await s.repo.listOpen()).map((o) => o.service).sort()).toEqual(['checkout', 'search']);
  });

  it('updates by compare-and-set; a resolve frees the service, and its id never opens again', async () => {
    const first = incident(1);
    await s.repo.openIfNone(first, T0);
    const [stored] = await s.repo.listOpen();
    expect(await s.repo.get(first.id)).toEqual({ ...stored, service: 'checkout' });
    const joined = { ...first, timeline: [...first.timeline, { atMs: T0, what: 'joined' }] };
    expect(await s.repo.update(joined, stored.version, T0)).toBe(true);
    expect(await s.repo.update({ ...first, zoneNow: 'caution' }, stored.version, T0)).toBe(false); // stale version
    expect((await s.repo.get(first.id))!.incident).toEqual(joined);

    const current = (await s.repo.get(first.id))!;
    expect(await s.repo.update(resolved(joined), current.version, T0)).toBe(true);
    expect(await s.repo.listOpen()).toEqual([]);
    expect(await s.repo.openIfNone(first, T0)).toBe(false); // stored (resolved): not opened again
    expect((await s.repo.get(first.id))!.incident!.state).toBe('resolved');
    expect(await s.repo.openIfNone(incident(2), T0)).toBe(true);
    expect(await s.repo.update(incident(9), 'anything', T0)).toBe(false); // unknown id
    expect(await s.repo.get('inc-nope')).toBeNull();
  });

  it('lists newest first, filtered, page by page with a cursor', async () => {
    // 25 incidents of two services, detected at 13 instants (pairs share one), resolved but the last of each service
    const all: IncidentRecord[] = [];
    for (let n = 0; n < 25; n++) {
      const base = incident(Math.floor(n / 2), { id: `inc-${String(n).padStart(4, '0')}`, service: n % 2 === 0 ? 'checkout' : 'search' });
      all.push(n >= 23 ? base : resolved(base));
    }
    for (const i of all) expect(await s.repo.insertIfAbsent(i, T0)).toBe(true);
    const newest = [...all].sort((a, b) => b.detectedAtMs - a.detectedAtMs || b.id.localeCompare(a.id)).map((i) => i.id);

    const seen: string[] = [];
    let after = null;
    for (let round = 0; round < 10; round++) {
      const page = await s.repo.list({ limit: 10, after });
      seen.push(...page.incidents.map((i) => i.id));
      after = page.next;
      if (!after) break;
    }
    expect(seen).toEqual(newest);

    const search = await s.repo.list({ service: 'search', limit: 100 });
    expect(search.incidents.map((i) => i.id)).toEqual(newest.filter((id) => Number(id.slice(4)) % 2 === 1));
    const open = await s.repo.list({ state: 'open', limit: 100 });
    expect(open.incidents.map((i) => i.id)).toEqual(['inc-0024', 'inc-0023']);
    const window = await s.repo.list({ fromMs: T0 + 2 * MINUTE, toMs: T0 + 3 * MINUTE, limit: 100 });
    expect(window.incidents.map((i) => i.id)).toEqual(['inc-0007', 'inc-0006', 'inc-0005', 'inc-0004']);
    expect((await s.repo.list({ limit: 3 })).next).toEqual({ detectedAtMs: T0 + 11 * MINUTE, id: 'inc-0022' });
  });

  it('keeps a resolved incident 400 days after its resolve, an open one for good', async () => {
    const old = resolved(incident(1));
    await s.repo.openIfNone(incident(1), T0);
    await s.repo.update(old, (await s.repo.get(old.id))!.version, T0);
    await s.repo.openIfNone(incident(2, { service: 'search' }), T0);
    expect(await s.repo.insertIfAbsent(resolved(incident(3, { service: 'ledger' }), T0 - INCIDENT_RETENTION_MS - DAY), T0)).toBe(false); // past retention
    if (kind === 'memory') {
      s.clock.set(old.resolvedAtMs! + INCIDENT_RETENTION_MS + 1);
    } else {
      const ttl = await s.client!.pttl(`${s.prefix}incident:${old.id}`);
      expect(ttl).toBeGreaterThan(INCIDENT_RETENTION_MS - DAY);
      expect(ttl).toBeLessThanOrEqual(old.resolvedAtMs! + INCIDENT_RETENTION_MS - T0);
      expect(await s.client!.pttl(`${s.prefix}incident:${incident(2).id}`)).toBe(-1);
      await s.client!.del(`${s.prefix}incident:${old.id}`); // as Redis expires it
    }
    expect(await s.repo.get(old.id)).toBeNull();
    expect((await s.repo.list({ limit: 10 })).incidents.map((i) => i.id)).toEqual([incident(2).id]);
    expect((await s.repo.listOpen()).map((o) => o.id)).toEqual([incident(2).id]);
    if (s.client) expect(await s.client.zcard(`${s.prefix}incidents:index`)).toBe(1); // the expired member is trimmed
  });

  it('lists the incidents with a postmortem or an action item to follow up', async () => {
    const required = resolved(incident(1, { postmortem: { required: true, reasons: ['r'], dueAtMs: T0 + DAY, url: null, summary: null, actionItems: [] } }));
    await s.repo.insertIfAbsent(required, T0);
    await s.repo.insertIfAbsent(resolved(incident(2, { service: 'search' })), T0);
    expect((await s.repo.listFollowUps()).map((f) => f.id)).toEqual([required.id]);
    const item = { title: 'fix it', owner: 'jane', dueAtMs: T0 + DAY, category: 'prevention' as const, done: false };
    const written = { ...required, postmortem: { ...required.postmortem, url: 'https://wiki.example/pm', actionItems: [item] } };
    expect(await s.repo.update(written, (await s.repo.get(required.id))!.version, T0)).toBe(true);
    expect((await s.repo.listFollowUps()).map((f) => f.id)).toEqual([required.id]); // the action item is open
    const done = { ...written, postmortem: { ...written.postmortem, actionItems: [{ ...item, done: true }] } };
    expect(await s.repo.update(done, (await s.repo.get(required.id))!.version, T0)).toBe(true);
    expect(await s.repo.listFollowUps()).toEqual([]);
  });

  if (kind === 'redis') {
    it('answers a malformed value as unreadable, naming the key, and lists the others', async () => {
      await s.repo.insertIfAbsent(resolved(incident(1)), T0);
      await s.repo.openIfNone(incident(2), T0);
      await s.client!.set(`${s.prefix}incident:${incident(1).id}`, '{"id": "inc-0001", "state": "maybe"}');
      await s.client!.set(`${s.prefix}incident:${incident(2).id}`, 'not json');
      const bad = await s.repo.get(incident(1).id);
      expect(bad).toMatchObject({ incident: null, unreadable: expect.stringContaining(`Redis key "${s.prefix}incident:inc-0001"`) });
      const open = await s.repo.listOpen();
      expect(open).toEqual([expect.objectContaining({ id: 'inc-0002', service: 'checkout', incident: null, unreadable: expect.stringContaining('incident:inc-0002') })]);
      await s.repo.insertIfAbsent(resolved(incident(3, { service: 'search' })), T0);
      const page = await s.repo.list({ limit: 10 });
      expect(page.incidents.map((i) => i.id)).toEqual(['inc-0003']);
      expect(page.unreadable).toHaveLength(2);
      expect(await s.repo.update(incident(2), 'not json', T0)).toBe(true); // a human repair: compare-and-set on what is there
    });
  }
});
