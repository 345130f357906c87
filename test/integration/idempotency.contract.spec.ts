import Redis from 'ioredis';
import { ManualClock } from '../../src/common/clock';
import {
  IDEMPOTENCY_MAX_KEYS,
  IDEMPOTENCY_PENDING_TTL_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRepository,
} from '../../src/sources/events/idempotency';
import { MemoryIdempotencyRepository } from '../../src/store/memory/memory-idempotency.repository';
import { RedisIdempotencyRepository } from '../../src/store/redis/redis-idempotency.repository';
import { redisOptions, waitForRedis } from '../../src/store/redis/redis-connection';
import { useTestRedis } from '../helpers/redis-server';

/**
 * One contract, two repositories: `Idempotency-Key` (SPEC §5) — a repeat answers as the first did,
 * and a key is remembered for its TTL or until `maxKeys` newer keys have been seen, whichever comes
 * first, so memory stays bounded whatever clients send; memory and Redis alike.
 */
type Kind = 'memory' | 'redis';

const redis = useTestRedis();
let prefixCounter = 0;

async function connect(): Promise<Redis> {
  const client = redis.client(redisOptions());
  await waitForRedis(client, 5_000);
  return client;
}

interface Subject {
  repo: IdempotencyRepository;
  /** lets `ms` pass (the manual clock for memory, real time for Redis, whose TTLs are Redis' own) */
  pass(ms: number): Promise<void>;
  /** entries held in the backing store (for Redis: keys under the prefix, the order set included) */
  held(): Promise<number>;
}

async function makeSubject(kind: Kind, maxKeys: number): Promise<Subject> {
  if (kind === 'memory') {
    const clock = new ManualClock(Date.parse('2026-11-21T10:00:00.000Z'));
    const repo = new MemoryIdempotencyRepository(clock, maxKeys);
    return { repo, pass: async (ms) => clock.advance(ms), held: async () => repo.size };
  }
  const client = await connect();
  const prefix = `idem-contract-${process.pid}-${++prefixCounter}:`;
  const repo = new RedisIdempotencyRepository(client, prefix, maxKeys);
  return {
    repo,
    pass: (ms) => new Promise((r) => setTimeout(r, ms)),
    held: async () => (await client.keys(`${prefix}idem:*`)).length,
  };
}

const answer = (n: number) => ({ statusCode: 202, body: { accepted: n } });

describe.each<Kind>(['memory', 'redis'])('idempotency contract (%s)', (kind) => {
  it('claims a new key; a repeat sees it pending, then completed with the first answer and fingerprint', async () => {
    const { repo } = await makeSubject(kind, 10);
    expect(await repo.claim('deploy-42', 'fp-1', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'claimed' });
    expect(await repo.claim('deploy-42', 'fp-2', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'pending', fingerprint: 'fp-1' });
    await repo.complete('deploy-42', 'fp-1', answer(3), IDEMPOTENCY_TTL_MS);
    expect(await repo.claim('deploy-42', 'fp-1', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'completed', fingerprint: 'fp-1', response: answer(3) });
  });

  it('lets a released key be claimed again', async () => {
    const { repo, held } = await makeSubject(kind, 10);
    await repo.claim('k', 'fp-1', IDEMPOTENCY_PENDING_TTL_MS);
    await repo.release('k');
    expect(await held()).toBe(0);
    expect(await repo.claim('k', 'fp-2', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'claimed' });
  });

  it('forgets the oldest key once maxKeys newer keys have been seen; repeats do not count', async () => {
    const { repo, held } = await makeSubject(kind, 3);
    for (const key of ['k1', 'k2', 'k3']) {
      await repo.claim(key, `fp-${key}`, IDEMPOTENCY_PENDING_TTL_MS);
      await repo.complete(key, `fp-${key}`, answer(1), IDEMPOTENCY_TTL_MS);
    }
    // repeats of remembered keys are no new keys: all three stay
    for (const key of ['k1', 'k3', 'k1']) expect((await repo.claim(key, `fp-${key}`, IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('completed');
    await repo.claim('k4', 'fp-k4', IDEMPOTENCY_PENDING_TTL_MS); // the 4th key: k1, the oldest claimed, is forgotten
    expect(await held()).toBe(3);
    for (const key of ['k2', 'k3']) expect((await repo.claim(key, `fp-${key}`, IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('completed');
    expect(await repo.claim('k4', 'fp-k4', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'pending', fingerprint: 'fp-k4' });
    expect(await repo.claim('k1', 'fp-other', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'claimed' }); // forgotten: a new key
    expect(await held()).toBe(3); // and k2 went in its turn
    expect(await repo.claim('k2', 'fp-x', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'claimed' });
  });

  it('stays bounded whatever is sent: many distinct keys hold at most maxKeys entries', async () => {
    const { repo, held } = await makeSubject(kind, 50);
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const key = `flood-${i + j}-${'x'.repeat(180)}`;
          await repo.claim(key, 'fp', IDEMPOTENCY_PENDING_TTL_MS);
          await repo.complete(key, 'fp', answer(1), IDEMPOTENCY_TTL_MS);
        }),
      );
    }
    expect(await held()).toBe(50);
    expect((await repo.claim(`flood-499-${'x'.repeat(180)}`, 'fp', IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('completed');
    expect((await repo.claim(`flood-0-${'x'.repeat(180)}`, 'fp', IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('claimed');
  });

  it('a completed answer expires with its TTL (24 h in the service)', async () => {
    const { repo, pass } = await makeSubject(kind, 10);
    await repo.claim('ttl', 'fp', IDEMPOTENCY_PENDING_TTL_MS);
    await repo.complete('ttl', 'fp', answer(2), 200);
    expect((await repo.claim('ttl', 'fp', IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('completed');
    await pass(300);
    expect(await repo.claim('ttl', 'fp-new', IDEMPOTENCY_PENDING_TTL_MS)).toEqual({ state: 'claimed' });
  });
});

describe('idempotency bound as the service runs it', () => {
  it('is 100,000 keys: the first of 100,001 distinct keys is forgotten, the second is remembered', async () => {
    expect(IDEMPOTENCY_MAX_KEYS).toBe(100_000);
    const repo = new MemoryIdempotencyRepository(new ManualClock(0));
    for (let i = 0; i <= IDEMPOTENCY_MAX_KEYS; i++) await repo.claim(`key-${i}`, 'fp', IDEMPOTENCY_PENDING_TTL_MS);
    expect(repo.size).toBe(IDEMPOTENCY_MAX_KEYS);
    expect((await repo.claim('key-1', 'fp', IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('pending');
    expect((await repo.claim('key-0', 'fp', IDEMPOTENCY_PENDING_TTL_MS)).state).toBe('claimed');
  });
});
