import type { Redis } from 'ioredis';
import type { ClaimResult, IdempotencyRepository, StoredResponse } from '../../sources/events/idempotency';
import { redisCall } from './redis-call';

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
}

export class RedisIdempotencyRepository implements IdempotencyRepository {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}idem:${key}`;
  }

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<ClaimResult> {
    return redisCall('idempotency claim', async () => {
      const entry: Entry = { fingerprint, response: null };
      const set = await this.redis.set(this.key(key), JSON.stringify(entry), 'PX', pendingTtlMs, 'NX');
      if (set === 'OK') return { state: 'claimed' };
      const raw = await this.redis.get(this.key(key));
      if (raw === null) return this.claim(key, fingerprint, pendingTtlMs); // expired in between
      const existing = JSON.parse(raw) as Entry;
      return existing.response
        ? { state: 'completed', fingerprint: existing.fingerprint, response: existing.response }
        : { state: 'pending', fingerprint: existing.fingerprint };
    });
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const entry: Entry = { fingerprint, response };
    await redisCall('idempotency complete', () => this.redis.set(this.key(key), JSON.stringify(entry), 'PX', ttlMs));
  }

  async release(key: string): Promise<void> {
    await redisCall('idempotency release', () => this.redis.del(this.key(key)));
  }
}
