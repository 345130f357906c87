/**
 * Postmortem reminders (SPEC §6, §13): notifications of kind `postmortem`, routed like tickets of
 * the incident's service (a route may `match: {kind: postmortem}`), recorded durably in the outbox.
 * Declared by the notifiers, used by the incidents step.
 */
export interface PostmortemReminder {
  /** once per key, ever: `{incidentId}/postmortem` or `{incidentId}/action-items/{index}` */
  key: string;
  incidentId: string;
  service: string;
  what: 'postmortem' | 'action-item';
  /** the action item's title, or "postmortem of incident …" */
  title: string;
  owner: string | null;
  /** ISO-8601: when it was due */
  dueAt: string;
  /** link to the incident */
  url: string;
}

export interface ReminderSender {
  /**
   * Records a notification per routed receiver for each reminder whose key was never recorded
   * before (atomically: however many replicas call it, each key is recorded once); answers the keys
   * recorded now. Rejects when the state store cannot be written.
   */
  remind(reminders: readonly PostmortemReminder[], nowMs: number): Promise<string[]>;
}

export const REMINDERS = Symbol('REMINDERS');
