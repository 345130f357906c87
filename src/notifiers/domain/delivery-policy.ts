/**
 * SPEC §6 durable delivery: when a failed send is tried again, and when it is given up. Pure
 * functions, no framework imports.
 */
import type { NotifierConfig } from '../../config/app-config';

/** A notification not delivered this long after it was recorded is given up (and counted failed). */
export const DELIVERY_MAX_AGE_MS = 24 * 3_600_000;

/** First retry after about this long; each further one doubles it… */
export const RETRY_BASE_MS = 1_000;
/** …up to this: a receiver back after an outage gets its pages within a minute. */
export const RETRY_CAP_MS = 60_000;
/** A `Retry-After` longer than this is shortened to it (a receiver cannot park pages for hours). */
export const RETRY_AFTER_CAP_MS = 15 * 60_000;

/**
 * Delay before attempt `attempts + 1`, after `attempts` (≥ 1) failed ones: exponential backoff
 * `base × 2^(attempts−1)` capped at {@link RETRY_CAP_MS}, with jitter (`random` in [0, 1) scales it
 * into [½, 1]) so replicas and lanes do not retry in lockstep. A receiver's `Retry-After` is honoured
 * as a lower bound. `baseMs` is for tests that shorten the wait.
 */
export function retryDelayMs(attempts: number, random: number, retryAfterMs?: number, baseMs: number = RETRY_BASE_MS): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const backoff = Math.min(RETRY_CAP_MS, baseMs * 2 ** exponent) * (0.5 + Math.min(Math.max(random, 0), 1) / 2);
  const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, RETRY_AFTER_CAP_MS) : 0;
  return Math.round(Math.max(backoff, floor));
}

/** Whether a notification recorded at `createdAtMs` is past its delivery deadline at `nowMs`. */
export function deliveryExpired(createdAtMs: number, nowMs: number): boolean {
  return nowMs - createdAtMs >= DELIVERY_MAX_AGE_MS;
}

/** Per-receiver pacing: Slack webhooks take at most one message per second (SPEC §6). */
export function minSendIntervalMs(type: NotifierConfig['type']): number {
  switch (type) {
    case 'slack':
      return 1_000;
    case 'pagerduty':
    case 'log':
      return 0;
  }
}
