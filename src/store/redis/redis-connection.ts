import { Logger } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import type { ServerConfig } from '../../config/app-config';

/**
 * One ioredis client for all state. Commands fail fast while the connection is down
 * (no offline queue), so a request answers 503 at once instead of hanging; the client itself keeps
 * reconnecting with capped exponential backoff.
 */
export function redisOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000),
  };
}

/**
 * How the Sentinel client follows a failover (tested in test/faults/redis-sentinel.spec.ts):
 * - `failoverDetector`: subscribe to the sentinels' `+switch-master` and reconnect (asking a
 *   sentinel for the master again) as soon as one announces a new master. Without it the client
 *   stays on the old master after a `SENTINEL FAILOVER` until the sentinels demote that node
 *   (about 10 s later, when they also kill its client connections): every write acknowledged in
 *   between (events, alert transitions, outbox entries) is then discarded by the resync from the
 *   new master: a silent loss, and a page sent twice.
 * - `reconnectOnError` on READONLY: a connection that ends up on a replica (a demoted master whose
 *   clients were not killed) reconnects through the sentinels instead of failing every write
 *   forever; the failed command is not resent (the caller sees the error: a 503 or a failed cycle).
 */
export function sentinelOptions(): RedisOptions {
  return {
    failoverDetector: true,
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 1 : false),
  };
}

export function createRedisClient(server: ServerConfig): Redis | null {
  const sentinel = server.redis?.sentinel;
  if (sentinel) {
    return withErrorLogging(new Redis({
      ...redisOptions(),
      ...sentinelOptions(),
      sentinels: sentinel.sentinels,
      name: sentinel.name,
      password: sentinel.password,
      sentinelPassword: sentinel.sentinelPassword,
    }));
  }
  if (server.redis?.cluster) {
    // Cluster support needs the event log's keys reworked per hash slot; refused until then.
    throw new Error('server.redis.cluster is not supported yet; use a single Redis or Sentinel');
  }
  if (!server.redisUrl) return null;
  return withErrorLogging(new Redis(server.redisUrl, redisOptions()));
}

/**
 * ioredis emits 'error' on every failed (re)connect; without a listener it prints a stack per
 * attempt. Log a connection problem once per outage instead (no URL in it: it may hold a password).
 */
function withErrorLogging(client: Redis): Redis {
  const logger = new Logger('redis');
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.warn({ err: error.message.replace(/redis(s)?:\/\/\S+/g, 'redis://…') }, 'Redis connection problem; reconnecting');
  });
  client.on('ready', () => {
    if (reported) logger.log('Redis connection ready');
    reported = false;
  });
  return client;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** A Redis URL with its password masked, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.username) parsed.username = parsed.username ? '***' : '';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable url)';
  }
}
