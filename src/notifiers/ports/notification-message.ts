/**
 * What a receiver is told: the contract between alerting (which decides and records it) and the
 * notifiers (which deliver it). A `NotificationMessage` is a snapshot taken when the notification is
 * recorded in the outbox (the numbers of that evaluation), so a retry hours later still says what
 * was true at the transition. Postmortem reminders (`PostmortemReminderMessage`) share the outbox
 * with them (`OutboxMessage`). No framework imports.
 */
import type { Severity } from '../../config/app-config';
import type { Zone } from '../../slo/domain/zones';

/** A burn-rate alert, or the alert that an SLO's source failed {@link SOURCE_FAILURE_THRESHOLD} evaluations in a row. */
export type AlertKind = 'burn-rate' | 'source-unavailable';

/**
 * What a notification is about, as routes match it (`match: {kind: …}`): an alert of one of the
 * {@link AlertKind}s, or a postmortem reminder (SPEC §6, §13).
 */
export type NotificationKind = AlertKind | 'postmortem';

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
  /**
   * Pages (SPEC §13): the incident of the SLO's service the page opened or joined. Absent on
   * tickets, when the incident could not be known (the incidents could not be read when the page
   * fired), and in messages recorded before incidents existed.
   */
  incident?: IncidentLink;
  /** A page's resolve: how long the page fired and what it cost the budget. Absent otherwise. */
  resolution?: PageResolution;
}

/** An incident, and its page on the board (`{EXTERNAL_URL}/incidents/{id}`). */
export interface IncidentLink {
  id: string;
  url: string;
}

export interface PageResolution {
  /** whole seconds from `since` to `at` */
  lastedSeconds: number;
  /**
   * Budget spent while the page fired, as a fraction: the budget remaining at the evaluation that
   * fired it minus the budget remaining now, at least 0; null when either is unknown (a page that
   * fired before this was kept, an SLO resolved without a final evaluation).
   */
  budgetCost: number | null;
}

/**
 * A postmortem reminder (SPEC §6, §13): a one-shot notification, sent once when a required
 * postmortem becomes overdue, or an action item passes its due time undone. Routed like a ticket
 * of the incident's service; never resolved.
 */
export interface PostmortemReminderMessage {
  alertKind: 'postmortem';
  /** `slo-engine/postmortem/{key}` */
  dedupKey: string;
  /** a reminder is only ever sent, never repeated nor resolved */
  action: 'trigger';
  /** routed like a ticket (PagerDuty `warning`) */
  severity: 'ticket';
  service: string;
  /** the team of the service's SLOs when they all name the same one; else null */
  team: string | null;
  /** once per key, ever: `{incidentId}/postmortem` or `{incidentId}/action-items/{index}` */
  key: string;
  what: 'postmortem' | 'action-item';
  /** the action item's title, or the postmortem's ("postmortem of incident …") */
  title: string;
  owner: string | null;
  /** ISO-8601: when it was due */
  dueAt: string;
  incident: IncidentLink;
  /** ISO-8601: when the reminder was recorded */
  at: string;
}

/** What the outbox holds for a receiver: an alert's notification, or a postmortem reminder. */
export type OutboxMessage = NotificationMessage | PostmortemReminderMessage;

/** Whether `message` is a postmortem reminder (else an alert's notification). */
export function isReminder(message: OutboxMessage): message is PostmortemReminderMessage {
  return message.alertKind === 'postmortem';
}

