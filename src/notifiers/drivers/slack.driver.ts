import { AsyncLocalStorage } from 'node:async_hooks';
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError, type FetchFunction } from '@slack/webhook';
import type { NotifierConfig } from '../../config/app-config';
import { truncate } from '../../common/truncate';
import type { OutboxMessage } from '../ports/notification-message';
import type { DeliveryResult, NotifierDriver } from './notifier-driver';
import { outcomeForStatus, transportFailure, urlSecrets } from './delivery-outcome';
import { slackMessage } from './slack-message';

export type SlackNotifier = Extract<NotifierConfig, { type: 'slack' }>;

export interface SlackDriverOptions {
  /** request timeout, ms (default 10 s; tests shorten it) */
  timeoutMs?: number;
  /** the fetch used by `@slack/webhook` (default: the global fetch) */
  fetch?: FetchFunction;
}

/** What one send learnt that `@slack/webhook`'s errors do not carry. */
interface SendContext {
  /** the answer's `Retry-After` */
  retryAfter?: string | null;
  /** the transport error as fetch threw it (`IncomingWebhookRequestError` may keep only its text) */
  transportError?: unknown;
}

/**
 * Sends to a Slack incoming webhook through `@slack/webhook` (one `IncomingWebhook` per URL, no
 * retries of its own: the outbox retries). 2xx delivered; 429 (with `Retry-After`), 5xx, network
 * errors and timeouts retried; 400/403/404/410 and other 4xx failed.
 *
 * `@slack/webhook` 8 throws on every non-2xx answer: an `IncomingWebhookHTTPError` with
 * `statusCode`, `statusMessage` and the body text (Slack's `invalid_payload`, `no_service`, …) but
 * not the headers; and an `IncomingWebhookRequestError` wrapping the transport error (a
 * `TimeoutError` when its timeout fires, a `TypeError('fetch failed')` whose cause has the code)
 * when nothing was answered — but it keeps that error only if it is an `Error` of its own realm,
 * else just its text. So the fetch handed to it records `Retry-After` and the raw transport error
 * in the context of the send (AsyncLocalStorage: overlapping sends to one webhook stay apart).
 */
export class SlackDriver implements NotifierDriver<SlackNotifier> {
  private readonly webhooks = new Map<string, IncomingWebhook>();
  private readonly sends = new AsyncLocalStorage<SendContext>();
  private readonly timeoutMs: number;
  private readonly fetch: FetchFunction;

  constructor(options: SlackDriverOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const base: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
    this.fetch = async (url, init) => {
      const context = this.sends.getStore();
      try {
        const response = await base(url, init);
        if (context) context.retryAfter = response.headers.get('retry-after');
        // The answer read whole here, under the send's deadline (init.signal): an answer that
        // trickles past it is a transport error seen below, a timeout, not an error's text.
        const text = await response.text();
        return {
          ok: response.ok,
          status: response.status,
          statusText: response.statusText,
          url: response.url,
          headers: response.headers,
          text: () => Promise.resolve(text),
          json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
          arrayBuffer: () => Promise.resolve(new TextEncoder().encode(text).buffer),
        };
      } catch (error) {
        if (context) context.transportError = error;
        throw error;
      }
    };
  }

  async send(message: OutboxMessage, notifier: SlackNotifier): Promise<DeliveryResult> {
    const secrets = urlSecrets(notifier.webhookUrl);
    const context: SendContext = {};
    try {
      const webhook = this.webhook(notifier.webhookUrl);
      await this.sends.run(context, () => webhook.send(slackMessage(message)));
      return { outcome: 'delivered' };
    } catch (error) {
      if (error instanceof IncomingWebhookHTTPError) {
        return outcomeForStatus(error.statusCode, {
          retryAfter: context.retryAfter,
          detail: error.statusCode < 500 && error.statusCode !== 429 ? truncate(error.body, 200) : undefined,
          secrets,
        });
      }
      if (context.transportError !== undefined) return transportFailure(context.transportError, secrets);
      return transportFailure(error instanceof IncomingWebhookRequestError ? error.original : error, secrets);
    }
  }

  private webhook(url: string): IncomingWebhook {
    let webhook = this.webhooks.get(url);
    if (!webhook) {
      webhook = new IncomingWebhook(url, { timeout: this.timeoutMs, retryConfig: { retries: 0 }, fetch: this.fetch });
      this.webhooks.set(url, webhook);
    }
    return webhook;
  }
}
