import type { Redis } from 'ioredis';

/** Thrown when Redis is set up to lose state silently: the service must not start on it (SPEC §8). */
export class UnsafeRedisError extends Error {}

/**
 * SPEC §8: Redis must not evict keys (`maxmemory-policy noeviction`): an evicted key is silently
 * lost state (a freeze, an alert state, a pending page). Throws {@link UnsafeRedisError} naming the
 * setting when it is otherwise; answers warnings when the server refuses `CONFIG GET` (some managed
 * services) or when persistence (RDB and AOF) is off.
 */
export async function checkRedisSettings(redis: Redis): Promise<string[]> {
  let settings: Record<string, string>;
  try {
    const pairs = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    const more = (await redis.call('CONFIG', 'GET', 'save')) as string[];
    const aof = (await redis.call('CONFIG', 'GET', 'appendonly')) as string[];
    settings = Object.fromEntries(chunk([...pairs, ...more, ...aof]));
  } catch (error) {
    return [
      `could not read Redis' maxmemory-policy (CONFIG GET refused: ${error instanceof Error ? error.message : String(error)}); make sure it is noeviction, or state may be evicted silently`,
    ];
  }
  const policy = settings['maxmemory-policy'];
  if (policy !== undefined && policy !== 'noeviction') {
    throw new UnsafeRedisError(
      `Redis maxmemory-policy is "${policy}": it must be "noeviction" (an evicted key is silently lost state); set maxmemory-policy noeviction in redis.conf or with CONFIG SET`,
    );
  }
  const warnings: string[] = [];
  if ((settings.save ?? '') === '' && settings.appendonly !== 'yes') {
    warnings.push('Redis persistence is off (no RDB save points, appendonly no): a Redis restart loses all state; enable AOF or RDB');
  }
  return warnings;
}

function chunk(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}
