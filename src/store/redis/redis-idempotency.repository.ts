import type { Redis } from 'ioredis';
import {
  IDEMPOTENCY_MAX_KEYS,
  type ClaimResult,
  type IdempotencyRepository,
  type StoredResponse,
} from '../../sources/events/idempotency';
import { redisCall } from './redis-call';

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
}

/**
 * Records an entry and keeps the key count bounded (SPEC §5), atomically.
 * KEYS[1] the entry, KEYS[2] the keys in claim order (zset scored by KEYS[3], a sequence);
 * ARGV[1] the entry's value, ARGV[2] its TTL (ms), ARGV[3] the most keys kept, ARGV[4] the prefix
 * of entry keys, ARGV[5] the key itself, ARGV[6] `claim` (only if absent; answers what the key
 * holds, or nil when claimed) or `complete` (overwrites; a key already listed keeps its place).
 * A new key is the newest: the oldest keys beyond the bound are forgotten, entries and all.
 */
const RECORD_LUA = `
local function remember()
  if redis.call('ZSCORE', KEYS[2], ARGV[5]) then return end
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[5])
  local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
  if excess > 0 then
    local oldest = redis.call('ZPOPMIN', KEYS[2], excess)
    for i = 1, #oldest, 2 do redis.call('DEL', ARGV[4] .. oldest[i]) end
  end
end
if ARGV[6] == 'claim' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
    return redis.call('GET', KEYS[1])
  end
  redis.call('ZREM', KEYS[2], ARGV[5])
  remember()
  return false
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
remember()
return 'OK'
`;

const RELEASE_LUA = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

type Scripts = {
  sloIdempotencyRecordV1(entry: string, order: string, seq: string, value: string, ttlMs: number, maxKeys: number, entryPrefix: string, key: string, mode: 'claim' | 'complete'): Promise<string | null>;
  sloIdempotencyReleaseV1(entry: string, order: string, key: string): Promise<number>;
};

/**
 * Idempotency keys in Redis: one string key per idempotency key (expiring with its TTL), and a
 * sorted set of the keys in claim order that bounds how many are kept (SPEC §5: 100,000).
 */
export class RedisIdempotencyRepository implements IdempotencyRepository {
  private readonly scripts: Scripts;
  private readonly entryPrefix: string;
  private readonly orderKey: string;
  private readonly seqKey: string;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly maxKeys = IDEMPOTENCY_MAX_KEYS,
  ) {
    this.entryPrefix = `${prefix}idem:`;
    this.orderKey = `${prefix}idem-order`;
    this.seqKey = `${prefix}idem-seq`;
    redis.defineCommand('sloIdempotencyRecordV1', { numberOfKeys: 3, lua: RECORD_LUA });
    redis.defineCommand('sloIdempotencyReleaseV1', { numberOfKeys: 2, lua: RELEASE_LUA });
    this.scripts = redis as unknown as Scripts;
  }

  private key(key: string): string {
    return this.entryPrefix + key;
  }

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<ClaimResult> {
    const entry: Entry = { fingerprint, response: null };
    const held = await redisCall('idempotency claim', () =>
      this.scripts.sloIdempotencyRecordV1(this.key(key), this.orderKey, this.seqKey, JSON.stringify(entry), pendingTtlMs, this.maxKeys, this.entryPrefix, key, 'claim'),
    );
    if (held === null) return { state: 'claimed' };
    const existing = JSON.parse(held) as Entry;
    return existing.response
      ? { state: 'completed', fingerprint: existing.fingerprint, response: existing.response }
      : { state: 'pending', fingerprint: existing.fingerprint };
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const entry: Entry = { fingerprint, response };
    await redisCall('idempotency complete', () =>
      this.scripts.sloIdempotencyRecordV1(this.key(key), this.orderKey, this.seqKey, JSON.stringify(entry), ttlMs, this.maxKeys, this.entryPrefix, key, 'complete'),
    );
  }

  async release(key: string): Promise<void> {
    await redisCall('idempotency release', () => this.scripts.sloIdempotencyReleaseV1(this.key(key), this.orderKey, key));
  }
}
