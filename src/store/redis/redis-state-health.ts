import type { Redis } from 'ioredis';
import type { StateHealth } from '../../common/state-health';

/** A PING round trip: rejects while Redis does not answer. */
export function redisStateHealth(redis: Redis): StateHealth {
  return {
    mode: 'redis',
    ping: async () => {
      await redis.ping();
    },
  };
}
