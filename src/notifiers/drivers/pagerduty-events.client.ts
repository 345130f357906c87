import axios, { AxiosInstance } from 'axios';
import { truncate } from '../../common/truncate';
import type { DeliveryResult } from './notifier-driver';
import { outcomeForStatus, transportFailure, urlSecrets } from './delivery-outcome';
import type { PagerDutyChangeEvent, PagerDutyEvent } from './pagerduty-event';

export interface PagerDutyEventsClientOptions {
  /** request timeout, ms (default 10 s; tests shorten it) */
  timeoutMs?: number;
}

/** PagerDuty's error body: `{"status": "invalid event", "message": "...", "errors": ["..."]}`. */
function errorDetail(data: unknown): string | undefined {
  if (typeof data === 'string') return truncate(data, 200) || undefined;
  if (data === null || typeof data !== 'object') return undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts = [
    typeof message === 'string' ? message : undefined,
    Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string').join('; ') : undefined,
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(': ') : undefined;
}

/** PagerDuty's answers are a few hundred bytes; a bigger one is not read whole (a retry). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends Events API v2 events and Change Events (SPEC §6): 2xx (202) delivered; 429, 5xx, 3xx
 * (redirects are not followed: the routing key goes to the configured host only), network errors
 * and timeouts retried, with `Retry-After` when PagerDuty gives one; 400 and other 4xx failed. One
 * attempt per call: the outbox retries. The timeout is a deadline for the whole exchange, answer
 * included (axios' own `timeout` is an idle time a trickling answer never reaches). Reasons hold no
 * URL and no routing key.
 */
export class PagerDutyEventsClient {
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;

  constructor(options: PagerDutyEventsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.http = axios.create({ timeout: this.timeoutMs, validateStatus: () => true, maxRedirects: 0, maxContentLength: MAX_ANSWER_BYTES });
  }

  /** An alert event to the notifier's events URL. */
  send(url: string, event: PagerDutyEvent): Promise<DeliveryResult> {
    return this.post(url, event);
  }

  /** A change event to `/v2/change/enqueue` on the same host (`changeEventsUrl`). */
  sendChange(url: string, event: PagerDutyChangeEvent): Promise<DeliveryResult> {
    return this.post(url, event);
  }

  private async post(url: string, event: PagerDutyEvent | PagerDutyChangeEvent): Promise<DeliveryResult> {
    const secrets = [event.routing_key, ...urlSecrets(url)];
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.http.post<unknown>(url, event, { headers: { 'Content-Type': 'application/json' }, signal: deadline });
      const retryAfter: unknown = response.headers['retry-after'];
      return outcomeForStatus(response.status, {
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        detail: response.status >= 400 && response.status < 500 ? errorDetail(response.data) : undefined,
        secrets,
      });
    } catch (error) {
      return deadline.aborted ? { outcome: 'retry', reason: 'timeout' } : transportFailure(error, secrets);
    }
  }
}
