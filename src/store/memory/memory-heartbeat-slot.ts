import type { HeartbeatSlot } from '../../notifiers/ports/heartbeat-slot';

/** One process, one slot: the time of the last ping. */
export class MemoryHeartbeatSlot implements HeartbeatSlot {
  private lastSentAtMs = -Infinity;

  async take(nowMs: number, intervalMs: number): Promise<boolean> {
    if (nowMs - this.lastSentAtMs < intervalMs) return false;
    this.lastSentAtMs = nowMs;
    return true;
  }
}
