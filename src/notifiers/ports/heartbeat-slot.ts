/**
 * The heartbeat's slot (SPEC §6): at most one ping per interval across every replica. In Redis a
 * key taken with `SET NX PX` decides which replica sends; in memory the process remembers its last
 * ping.
 */
export interface HeartbeatSlot {
  /** true when this caller may ping now (and the slot is then taken until `nowMs + intervalMs`) */
  take(nowMs: number, intervalMs: number): Promise<boolean>;
}

export const HEARTBEAT_SLOT = Symbol('HEARTBEAT_SLOT');
