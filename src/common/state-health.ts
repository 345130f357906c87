/**
 * Whether shared state can be read right now (always, in memory mode). A port: the store module
 * provides it; readiness and the read paths that must not answer from a stale view ask it.
 */
export interface StateHealth {
  readonly mode: 'memory' | 'redis';
  /** a round trip to the store; rejects when it does not answer */
  ping(): Promise<void>;
}

export const STATE_HEALTH = Symbol('STATE_HEALTH');
