/**
 * Postmortem reminders, recorded once (SPEC §6, §13): however many replicas ask in the same cycle,
 * and however often the incidents step asks again, a reminder's key is recorded — its notifications
 * written into the notifiers' outbox — exactly once. Implemented by the alert stores (memory and
 * Redis), beside the compare-and-set of alert states; `PostmortemReminderService` uses it.
 */
import type { Delivery } from '../../notifiers/ports/outbox';

export interface ReminderOutbox {
  /**
   * Marks `key` as reminded and records `deliveries` (none: the key is marked all the same), in one
   * atomic step, unless `key` was marked before; answers whether this call did. Rejects when the
   * store cannot be written (nothing is marked then).
   */
  recordReminder(key: string, deliveries: readonly Delivery[], nowMs: number): Promise<boolean>;
}

export const REMINDER_OUTBOX = Symbol('REMINDER_OUTBOX');

/** How long a reminder's mark is kept: as long as incidents are (SPEC §13: 400 days). */
export const REMINDER_MARK_TTL_MS = 400 * 86_400_000;
