/**
 * SPEC §3 limits of durations, and the stall deadline of SPEC §12 that ties the Prometheus timeout
 * to the evaluation interval. Plain values and functions: the config schema checks them, the cycle
 * uses the same deadline.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface DurationLimits {
  minMs: number;
  maxMs: number;
}

/** Every duration of the config file, unless a field has its own limits. */
export const CONFIG_DURATION_LIMITS: DurationLimits = { minMs: SECOND, maxMs: 400 * DAY };
/** `EVALUATION_INTERVAL` / `server.evaluationInterval`. */
export const EVALUATION_INTERVAL_LIMITS: DurationLimits = { minMs: SECOND, maxMs: HOUR };
/** `sources.prometheus.timeout` (also shorter than the stall deadline). */
export const PROMETHEUS_TIMEOUT_LIMITS: DurationLimits = { minMs: 100, maxMs: 5 * MINUTE };

/** The stall deadline is twice the evaluation interval, or this when longer (SPEC §12). */
export const MIN_STALL_DEADLINE_MS = 60 * SECOND;

/**
 * How long a cycle may run before it is abandoned as stalled: `max(2 × interval, 60 s)`.
 * `minimumMs` is the 60 s; only tests pass a shorter one.
 */
export function stallDeadlineMs(evaluationIntervalMs: number, minimumMs: number = MIN_STALL_DEADLINE_MS): number {
  return Math.max(2 * evaluationIntervalMs, minimumMs);
}
