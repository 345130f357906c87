/**
 * Change events (SPEC §6): allowed deploys and overrides, shown on the service's PagerDuty
 * timeline beside its incidents. The policy decides what a change says; the notifiers send it to
 * every `pagerduty` notifier with `changeEvents: true`. Best effort: retried with the alert events'
 * backoff for a few attempts, then logged; never on the gate's answer path.
 */
export interface ChangeEvent {
  /** one line, at most 1,024 characters */
  summary: string;
  /** ISO-8601: when the change happened */
  timestamp: string;
  customDetails: Record<string, unknown>;
}

export interface ChangeEventSender {
  /** sends in the background; returns at once */
  publish(event: ChangeEvent): void;
  /** resolves when every send started so far has finished (tests, shutdown) */
  idle(): Promise<void>;
}

export const CHANGE_EVENTS = Symbol('CHANGE_EVENTS');
