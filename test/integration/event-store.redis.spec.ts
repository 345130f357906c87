import Redis from 'ioredis';
import type { EventIncrement, SloStoreLayout } from '../../src/sources/events/event-store';
import { defaultWindowsMs } from '../../src/sources/events/bucket-layout';
import { RedisEventStore } from '../../src/store/redis/redis-event-store';
import { startRedis, useTestRedis } from '../helpers/redis-server';

/** What only the Redis store has: replicas sharing one Redis, reloads, gaps in the change log. */
const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.parse('2026-11-21T10:00:00.000Z') + 1_234;
const WINDOWS = defaultWindowsMs(30 * D);
const LAYOUTS: SloStoreLayout[] = [
  { slo: 'checkout', windowsMs: WINDOWS },
  { slo: 'search', windowsMs: defaultWindowsMs(28 * D) },
];

const redis = useTestRedis();
let admin: Redis;
/** the client of the latest replica */
let lastClient: Redis;
let prefix = '';
let counter = 0;

beforeAll(() => {
  admin = redis.client();
});
beforeEach(() => {
  prefix = `redis-only-${++counter}:`;
});

async function replica(layouts: SloStoreLayout[] = LAYOUTS, options: { readCount?: number } = {}): Promise<RedisEventStore> {
  const client = redis.client({ maxRetriesPerRequest: 2 });
  lastClient = client;
  const store = new RedisEventStore(client, prefix, { now: () => NOW, ...options });
  await store.configure(layouts);
  await store.sync();
  return store;
}

function batch(slo: string, agoMs: number[], good = 9, total = 10): EventIncrement[] {
  return agoMs.map((ago) => ({ slo, timestampMs: NOW - ago, good, total }));
}

function counts(store: RedisEventStore, slo = 'checkout') {
  return store.windowCounts(slo, NOW, WINDOWS);
}

describe('RedisEventStore', () => {
  it('uses only keys under its prefix', async () => {
    const store = await replica();
    await store.add(batch('checkout', [M, 3 * H, 2 * D]));
    await store.sync();
    const keys = await admin.keys('*');
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((key) => !key.startsWith(prefix))).toEqual([]);
  });

  it('learns its own writes through sync only', async () => {
    const store = await replica();
    await store.add(batch('checkout', [M]));
    expect(counts(store)[0]).toEqual({ good: 0, total: 0 });
    await store.sync();
    expect(counts(store)[0]).toEqual({ good: 9, total: 10 });
  });

  it('another replica on the same Redis sees the writes after sync', async () => {
    const a = await replica();
    const b = await replica();
    await a.add([...batch('checkout', [M, 40 * M, 5 * H, 2 * D, 20 * D]), ...batch('search', [M], 1, 2)]);
    await b.sync();
    await a.sync();
    expect(counts(b)).toEqual(counts(a));
    expect(counts(b)[WINDOWS.length - 1]).toEqual({ good: 45, total: 50 });
    expect(b.windowCounts('search', NOW, [H])).toEqual([{ good: 1, total: 2 }]);
  });

  it('a fresh process (new client, new store) loads the full state from Redis', async () => {
    const a = await replica();
    const events = [...batch('checkout', [10 * S, 4 * M, 25 * M, 90 * M, 5 * H, 20 * H, 2 * D, 20 * D]), ...batch('search', [M, 2 * D], 3, 4)];
    await a.add(events.slice(0, 5));
    await a.add(events.slice(5));
    await a.sync();
    const b = await replica();
    expect(counts(b)).toEqual(counts(a));
    expect(b.windowCounts('search', NOW, [H, 28 * D])).toEqual(a.windowCounts('search', NOW, [H, 28 * D]));
    expect(counts(b)[WINDOWS.length - 1]).toEqual({ good: 72, total: 80 });
  });

  it('a replica that lost log entries (trimmed) reloads without double counting', async () => {
    const a = await replica();
    const lagging = await replica(LAYOUTS, { readCount: 2 });
    await a.add(batch('checkout', [M]));
    await lagging.sync(); // has the first batch
    await a.add(batch('checkout', [2 * M]));
    await a.add(batch('checkout', [3 * H]));
    await admin.xtrim(`${prefix}ev:log`, 'MAXLEN', 0);
    await a.add(batch('checkout', [2 * D]));
    await a.add(batch('checkout', [10 * S]));
    await lagging.sync();
    await a.sync();
    expect(counts(lagging)).toEqual(counts(a));
    expect(counts(lagging)[WINDOWS.length - 1]).toEqual({ good: 45, total: 50 });
    expect(counts(lagging)[0]).toEqual({ good: 27, total: 30 }); // 5m: 10s, 1m, 2m ago
  });

  it('a changed epoch (Redis lost its data) makes replicas reload from what Redis holds', async () => {
    const a = await replica();
    await a.add(batch('checkout', [M, 2 * H]));
    await a.sync();
    await admin.set(`${prefix}ev:epoch`, 'someone-else');
    await a.add(batch('checkout', [2 * M]));
    await a.sync();
    expect(counts(a)[WINDOWS.length - 1]).toEqual({ good: 27, total: 30 });
    // a real loss: everything gone
    const keys = await admin.keys(`${prefix}*`);
    await admin.del(...keys);
    await a.sync();
    expect(counts(a)[WINDOWS.length - 1]).toEqual({ good: 0, total: 0 });
    await a.add(batch('checkout', [M]));
    await a.sync();
    expect(counts(a)[WINDOWS.length - 1]).toEqual({ good: 9, total: 10 });
  });

  it('concurrent adds from two replicas all count', async () => {
    const a = await replica();
    const b = await replica();
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 50; i++) {
      writes.push(a.add(batch('checkout', [(i % 7) * M + S, (i % 5) * H], 1, 1)));
      writes.push(b.add(batch('checkout', [(i % 3) * M + 2 * S], 1, 2)));
    }
    await Promise.all(writes);
    await Promise.all([a.sync(), b.sync()]);
    expect(counts(a)).toEqual(counts(b));
    expect(counts(a)[WINDOWS.length - 1]).toEqual({ good: 150, total: 200 });
    const fresh = await replica();
    expect(counts(fresh)).toEqual(counts(a));
  });

  it('an SLO added by a reload gets the events other replicas already stored', async () => {
    const newer = await replica([...LAYOUTS, { slo: 'payments', windowsMs: WINDOWS }]);
    const older = await replica();
    await newer.add(batch('payments', [M, 3 * D]));
    await older.sync();
    await older.configure([...LAYOUTS, { slo: 'payments', windowsMs: WINDOWS }]);
    await older.sync();
    expect(counts(older, 'payments')).toEqual(counts(await replica([...LAYOUTS, { slo: 'payments', windowsMs: WINDOWS }]), 'payments'));
    expect(counts(older, 'payments')[WINDOWS.length - 1]).toEqual({ good: 18, total: 20 });
  });

  it('a window added while replicas were down: a fresh replica does not trust the new ring before it is complete', async () => {
    const narrow = [H, 30 * D];
    const before = await replica([{ slo: 'checkout', windowsMs: narrow }]);
    await before.add(batch('checkout', [10 * M, 3 * H, 20 * H]));
    await before.sync();
    // restarted with a 6h rule: the 5m ring has nothing in Redis yet
    const after = await replica([{ slo: 'checkout', windowsMs: [...narrow, 6 * H] }]);
    expect(after.windowCounts('checkout', NOW, [6 * H])[0].total).toBeGreaterThanOrEqual(20);
    expect(after.windowCounts('checkout', NOW, [H, 30 * D])).toEqual(before.windowCounts('checkout', NOW, [H, 30 * D]));
  });

  it('a Redis restart without persistence: the mirror follows Redis (empty), then new writes', async () => {
    const own = await startRedis();
    const client = new Redis(own.url, { maxRetriesPerRequest: 2 });
    try {
      expect(own.port).not.toBe(6379);
      const store = new RedisEventStore(client, prefix, { now: () => NOW });
      await store.configure(LAYOUTS);
      await store.add(batch('checkout', [M, 2 * H]));
      await store.sync();
      expect(counts(store)[WINDOWS.length - 1]).toEqual({ good: 18, total: 20 });
      await own.restart();
      await client.ping();
      await store.sync();
      expect(counts(store)[WINDOWS.length - 1]).toEqual({ good: 0, total: 0 });
      await store.add(batch('checkout', [M]));
      await store.sync();
      expect(counts(store)[WINDOWS.length - 1]).toEqual({ good: 9, total: 10 });
    } finally {
      client.disconnect();
      await own.stop();
    }
  });

  it('a failed sync rejects and leaves the mirror usable', async () => {
    const a = await replica();
    await a.add(batch('checkout', [M]));
    await a.sync();
    lastClient.disconnect();
    await expect(a.sync()).rejects.toThrow();
    expect(counts(a)[0]).toEqual({ good: 9, total: 10 });
  });
});
