/**
 * What a receiver is told: the contract between alerting (which decides and records it) and the
 * notifiers (which deliver it). A `NotificationMessage` is a snapshot taken when the notification is
 * recorded in the outbox (the numbers of that evaluation), so a retry hours later still says what
 * was true at the transition. No framework imports.
 */
import type { Severity } from '../../config/app-config';
import type { Zone } from '../../slo/domain/zones';

/** A burn-rate alert, or the alert that an SLO's source failed {@link SOURCE_FAILURE_THRESHOLD} evaluations in a row. */
export type AlertKind = 'burn-rate' | 'source-unavailable';

/** Consecutive failed evaluations at which an SLO's source-unavailable alert fires (SPEC §6). */
export const SOURCE_FAILURE_THRESHOLD = 3;

/**
 * - `trigger`: the receiver's first notification of the current firing;
 * - `repeat`: a reminder while the alert still fires;
 * - `resolve`: the alert stopped (sent to exactly the receivers told of the trigger).
 */
export type NotificationAction = 'trigger' | 'repeat' | 'resolve';

export interface NotificationMessage {
  /** `slo-engine/{slo}/{severity}` or `slo-engine/{slo}/source` */
  dedupKey: string;
  /** trigger and repeat are both "the alert fires"; resolve is "it stopped" */
  action: NotificationAction;
  alertKind: AlertKind;
  severity: Severity;
  slo: string;
  service: string;
  team: string | null;
  description: string | null;
  objective: number;
  /** the SLO window as written (`30d`) */
  window: string;
  /** the rule that fired, e.g. `{severity: page, burnRate: 14.4, long: 1h, short: 5m}`; null for source-unavailable */
  rule: { severity: Severity; burnRate: number; long: string; short: string } | null;
  /** every burn rate of the evaluation (keys as in the budget object); null when never evaluated */
  burnRates: Record<string, number> | null;
  /** budget remaining (1 untouched, 0 spent, negative overspent); null when never evaluated */
  remaining: number | null;
  zone: Zone;
  /** ISO-8601, the exhaustion forecast; null when none */
  exhaustsAt: string | null;
  /** ISO-8601: when the alert started firing */
  since: string;
  /** ISO-8601: when this notification was decided (the evaluation time) */
  at: string;
  runbook: string | null;
  /** link to the SLO on the budget board */
  budgetUrl: string;
  /** source-unavailable: the last evaluation error (no secrets: source errors are scrubbed) */
  lastError: string | null;
}

