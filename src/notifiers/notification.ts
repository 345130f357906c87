/**
 * What a receiver is told, and what a driver answers. A `NotificationMessage` is a snapshot taken
 * when the notification is recorded in the outbox (the numbers of that evaluation), so a retry
 * hours later still says what was true at the transition. No framework imports.
 */
import type { NotifierConfig, Severity } from '../config/app-config';
import type { Zone } from '../policies/domain/zones';
import type { AlertKind } from './domain/alert-state';
import type { NotificationAction } from './domain/notification-plan';

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

/**
 * - `delivered`: the receiver accepted it (PagerDuty 202, Slack 200);
 * - `retry`: 429, 5xx, network error or timeout; `retryAfterMs` when the receiver said how long;
 * - `failed`: permanent (PagerDuty 400; Slack 400/403/404/410; unknown receiver): not retried.
 * `reason` never holds a routing key, webhook URL or token.
 */
export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'failed'; reason: string };

/** Sends one message to one receiver. Never throws: every problem is a `DeliveryResult`. */
export interface NotifierDriver<N extends NotifierConfig = NotifierConfig> {
  send(message: NotificationMessage, notifier: N): Promise<DeliveryResult>;
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
