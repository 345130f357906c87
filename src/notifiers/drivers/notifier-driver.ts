/** What a driver answers, and the driver interface every receiver type implements. No framework imports. */
import type { NotifierConfig } from '../../config/app-config';
import type { OutboxMessage } from '../ports/notification-message';

/**
 * - `delivered`: the receiver accepted it (PagerDuty 202, Slack 200);
 * - `retry`: 429, 5xx, a redirect (3xx, never followed), network error or timeout; `retryAfterMs`
 *   when the receiver said how long;
 * - `failed`: permanent (PagerDuty 400; Slack 400/403/404/410; unknown receiver): not retried.
 * `reason` never holds a routing key, webhook URL or token.
 */
export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'failed'; reason: string };

/** Sends one message to one receiver. Never throws: every problem is a `DeliveryResult`. */
export interface NotifierDriver<N extends NotifierConfig = NotifierConfig> {
  send(message: OutboxMessage, notifier: N): Promise<DeliveryResult>;
}
