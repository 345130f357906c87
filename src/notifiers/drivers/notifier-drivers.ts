import { Inject, Injectable, Optional } from '@nestjs/common';
import type { NotifierConfig } from '../../config/app-config';
import type { OutboxMessage } from '../ports/notification-message';
import type { DeliveryResult } from './notifier-driver';
import { scrubReason, urlSecrets } from './delivery-outcome';
import { LogDriver } from './log.driver';
import { PAGERDUTY_DEFAULT_EVENTS_URL, pagerDutyEvent } from './pagerduty-event';
import { PagerDutyEventsClient } from './pagerduty-events.client';
import { SlackDriver } from './slack.driver';

/** Optional provider: driver settings (tests shorten the timeout). */
export const NOTIFIER_DRIVER_OPTIONS = Symbol('NOTIFIER_DRIVER_OPTIONS');

export interface NotifierDriverOptions {
  /** HTTP request timeout of the pagerduty and slack drivers, ms (default 10 s) */
  timeoutMs?: number;
}

function secretsOf(notifier: NotifierConfig): string[] {
  switch (notifier.type) {
    case 'pagerduty':
      return [notifier.routingKey, ...(notifier.url ? urlSecrets(notifier.url) : [])];
    case 'slack':
      return urlSecrets(notifier.webhookUrl);
    case 'log':
      return [];
  }
}

/**
 * Sends one notification to one receiver with the driver of its `type` (SPEC §6): `pagerduty`
 * (Events API v2 at the notifier's `url`, PagerDuty's US endpoint by default), `slack` (incoming
 * webhook) and `log`. Never throws: anything thrown becomes a `retry`.
 */
@Injectable()
export class NotifierDrivers {
  private readonly pagerDuty: PagerDutyEventsClient;
  private readonly slack: SlackDriver;
  private readonly log = new LogDriver();

  constructor(@Optional() @Inject(NOTIFIER_DRIVER_OPTIONS) options: NotifierDriverOptions | null = null) {
    this.pagerDuty = new PagerDutyEventsClient({ timeoutMs: options?.timeoutMs });
    this.slack = new SlackDriver({ timeoutMs: options?.timeoutMs });
  }

  async send(message: OutboxMessage, notifier: NotifierConfig): Promise<DeliveryResult> {
    try {
      switch (notifier.type) {
        case 'pagerduty':
          return await this.pagerDuty.send(notifier.url ?? PAGERDUTY_DEFAULT_EVENTS_URL, pagerDutyEvent(message, notifier.routingKey));
        case 'slack':
          return await this.slack.send(message, notifier);
        case 'log':
          return await this.log.send(message, notifier);
      }
    } catch (error) {
      return { outcome: 'retry', reason: scrubReason(error instanceof Error ? error.message : String(error), secretsOf(notifier)) };
    }
  }
}
