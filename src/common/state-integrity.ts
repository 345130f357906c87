/**
 * State-loss detection (SPEC §12): the shared state (Redis) carries a marker written once per
 * deployment. A replica that has seen the marker and then finds it gone or replaced knows the state
 * was lost (FLUSHALL, a failover to an empty replica, a new empty Redis) and records the loss in the
 * shared state, so every replica sees it: the deploy gate then denies all but rollback and security,
 * budgets carry `stateLostAt`, the heartbeat stops — until an admin accepts the loss (or imports a
 * state export). In memory there is nothing to lose behind the process's back.
 */
export interface StateLoss {
  /** epoch ms: when a replica found the marker gone */
  lostAtMs: number;
  /** what was found, for logs and the gate's reason */
  reason: string;
}

export interface StateIntegrity {
  /**
   * Checks the marker (adopting it, or writing it for a new deployment, on the first call) and
   * answers the loss not yet accepted, if any; records a loss it detects. Rejects when the store
   * does not answer (callers answer 503, never "no loss").
   */
  check(nowMs: number): Promise<StateLoss | null>;
  /** Clears the recorded loss (the admin accepted it, or imported a state export). */
  acceptLoss(): Promise<StateLoss | null>;
}

export const STATE_INTEGRITY = Symbol('STATE_INTEGRITY');

/** The gate's and the budgets' words for a loss. */
export function describeStateLoss(loss: StateLoss): string {
  return `shared state lost at ${new Date(loss.lostAtMs).toISOString()} (${loss.reason}): freezes, overrides, silences, budgets and alert states may be missing until an admin accepts the loss (POST /v1/admin/state/accept-loss) or imports a state export (PUT /v1/admin/state)`;
}
