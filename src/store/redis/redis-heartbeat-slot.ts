import type { Redis } from 'ioredis';
import type { HeartbeatSlot } from '../../notifiers/ports/heartbeat-slot';

/** The slot is a key taken with `SET NX PX interval`: of the replicas completing cycles, one pings per interval. */
export class RedisHeartbeatSlot implements HeartbeatSlot {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(nowMs: number, intervalMs: number): Promise<boolean> {
    const key = `${this.prefix}heartbeat:slot`;
    return (await this.redis.set(key, String(nowMs), 'PX', Math.max(1, intervalMs), 'NX')) === 'OK';
  }
}
