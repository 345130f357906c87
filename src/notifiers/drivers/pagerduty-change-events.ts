import { Injectable, Logger } from '@nestjs/common';
import { ConfigHolder } from '../../config/config-holder';
import type { NotifierConfig } from '../../config/app-config';
import type { ChangeEvent, ChangeEventSender } from '../ports/change-events';
import { RETRY_BASE_MS, retryDelayMs } from '../domain/delivery-policy';
import { changeEventsUrl, pagerDutyChangeEvent } from './pagerduty-event';
import { PagerDutyEventsClient } from './pagerduty-events.client';

/** Attempts per change event and receiver (best effort: the gate's answer never waits for them). */
export const CHANGE_EVENT_ATTEMPTS = 4;

type PagerDutyNotifier = Extract<NotifierConfig, { type: 'pagerduty' }>;

/**
 * Sends change events to every pagerduty notifier with `changeEvents: true`, through the same
 * PagerDuty client as alert events (no redirects, no key in errors) and the same backoff (429, 5xx
 * and network errors retried; 400 permanent), for {@link CHANGE_EVENT_ATTEMPTS} attempts, then
 * logged. Off the request path; not durable (a change event lost in a restart is a missing marker
 * on a timeline, not a missed page).
 */
@Injectable()
export class PagerDutyChangeEvents implements ChangeEventSender {
  private readonly logger = new Logger('ChangeEvents');
  private readonly client = new PagerDutyEventsClient();
  private readonly pending = new Set<Promise<void>>();
  /** backoff base, ms (tests shorten it) */
  retryBaseMs = RETRY_BASE_MS;
  /** random source for jitter */
  random: () => number = Math.random;

  constructor(private readonly config: ConfigHolder) {}

  publish(event: ChangeEvent): void {
    for (const notifier of this.receivers()) {
      const task = this.deliver(notifier, event).finally(() => this.pending.delete(task));
      this.pending.add(task);
    }
  }

  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private receivers(): PagerDutyNotifier[] {
    return Object.values(this.config.current.notifiers).filter((n): n is PagerDutyNotifier => n.type === 'pagerduty' && n.changeEvents);
  }

  private async deliver(notifier: PagerDutyNotifier, event: ChangeEvent): Promise<void> {
    const url = changeEventsUrl(notifier.url);
    const body = pagerDutyChangeEvent(notifier.routingKey, event);
    for (let attempt = 1; ; attempt++) {
      const result = await this.client.sendChange(url, body);
      switch (result.outcome) {
        case 'delivered':
          this.logger.log({ receiver: notifier.name, summary: body.payload.summary }, 'change event delivered');
          return;
        case 'failed':
          this.logger.error({ receiver: notifier.name, outcome: result.reason }, 'change event refused');
          return;
        case 'retry':
          if (attempt >= CHANGE_EVENT_ATTEMPTS) {
            this.logger.error({ receiver: notifier.name, outcome: result.reason, attempts: attempt }, 'change event not delivered');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, this.random(), result.retryAfterMs, this.retryBaseMs)));
      }
    }
  }
}
