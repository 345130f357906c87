import type { Redis } from 'ioredis';

/** Whether shared state can be read right now (always, in memory mode). */
export interface StateHealth {
  readonly mode: 'memory' | 'redis';
  /** a round trip to the store; rejects when it does not answer */
  ping(): Promise<void>;
}

export const STATE_HEALTH = Symbol('STATE_HEALTH');

export const memoryStateHealth: StateHealth = {
  mode: 'memory',
  ping: async () => undefined,
};

export function redisStateHealth(redis: Redis): StateHealth {
  return {
    mode: 'redis',
    ping: async () => {
      await redis.ping();
    },
  };
}
