import { randomUUID } from 'node:crypto';
import type { PostmortemReminderMessage } from '../notifiers/ports/notification-message';
import type { PostmortemReminder } from '../notifiers/ports/reminders';
import { Delivery, laneOf } from '../notifiers/ports/outbox';

/** The outbox's alert key of an incident's reminders: one lane per receiver and incident, in the order recorded. */
export function reminderAlertKey(incidentId: string): string {
  return `postmortem/${incidentId}`;
}

/** PagerDuty's `dedup_key` of a reminder: `slo-engine/postmortem/{key}` (never resolved). */
export function reminderDedupKey(key: string): string {
  return `slo-engine/postmortem/${key}`;
}

/** The message of a postmortem reminder (SPEC §6, §13), as recorded at `nowMs`. */
export function reminderMessage(reminder: PostmortemReminder, team: string | null, nowMs: number): PostmortemReminderMessage {
  return {
    alertKind: 'postmortem',
    dedupKey: reminderDedupKey(reminder.key),
    action: 'trigger',
    severity: 'ticket',
    service: reminder.service,
    team,
    key: reminder.key,
    what: reminder.what,
    title: reminder.title,
    owner: reminder.owner,
    dueAt: reminder.dueAt,
    incident: { id: reminder.incidentId, url: reminder.url },
    at: new Date(nowMs).toISOString(),
  };
}

/** A reminder to one receiver, as the outbox records it: in the incident's lane, sent once (a `trigger`). */
export function reminderDeliveryOf(receiver: string, message: PostmortemReminderMessage, nowMs: number): Delivery {
  const alertKey = reminderAlertKey(message.incident.id);
  return {
    id: randomUUID(),
    lane: laneOf(receiver, alertKey),
    receiver,
    alertKey,
    action: 'trigger',
    message,
    createdAtMs: nowMs,
    attempts: 0,
    lastError: null,
  };
}
