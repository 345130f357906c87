import { Injectable, Logger } from '@nestjs/common';
import axios, { AxiosInstance } from 'axios';
import { ConfigHolder } from '../config/config-holder';
import type { NotifierConfig } from '../config/app-config';
import { PAGERDUTY_DEFAULT_EVENTS_URL } from '../notifiers/drivers/pagerduty-event';
import type { DecisionRecord, Override } from './policy-state';

const ATTEMPTS = 4;

/** The PagerDuty Change Events API v2 body. */
export interface PagerDutyChangeEvent {
  routing_key: string;
  payload: {
    summary: string;
    timestamp: string;
    source: string;
    custom_details: Record<string, unknown>;
  };
}

/** `/v2/change/enqueue` on the host of the notifier's events URL (US by default; EU when set). */
export function changeEventsUrl(eventsUrl: string | undefined): string {
  return new URL('/v2/change/enqueue', eventsUrl ?? PAGERDUTY_DEFAULT_EVENTS_URL).toString();
}

export function deployChangeEvent(routingKey: string, decision: DecisionRecord): PagerDutyChangeEvent {
  const what = `${decision.service} ${decision.version ?? ''}`.trim();
  return {
    routing_key: routingKey,
    payload: {
      summary: `Deploy of ${what} (${decision.changeType}) allowed by the deploy gate`.slice(0, 1024),
      timestamp: decision.at,
      source: 'slo-engine',
      custom_details: {
        service: decision.service,
        version: decision.version,
        changeType: decision.changeType,
        environment: decision.environment,
        requestedBy: decision.requestedBy,
        zone: decision.zone,
        decisionId: decision.decisionId,
        reasons: decision.reasons,
      },
    },
  };
}

export function overrideChangeEvent(routingKey: string, override: Override): PagerDutyChangeEvent {
  return {
    routing_key: routingKey,
    payload: {
      summary: `Error-budget override for ${override.service} until ${override.expiresAt}: ${override.reason}`.slice(0, 1024),
      timestamp: override.createdAt,
      source: 'slo-engine',
      custom_details: {
        service: override.service,
        overrideId: override.id,
        reason: override.reason,
        approvedBy: override.approvedBy,
        expiresAt: override.expiresAt,
        createdBy: override.createdBy,
      },
    },
  };
}

/**
 * Sends allowed deploys and overrides to every pagerduty notifier with `changeEvents: true`.
 * Best effort, off the request path: retried with backoff on 429/5xx/network errors, then logged.
 * (Durable delivery comes with the notification outbox.)
 */
@Injectable()
export class ChangeEventsPublisher {
  private readonly logger = new Logger('ChangeEvents');
  private readonly http: AxiosInstance = axios.create({ timeout: 10_000, validateStatus: () => true });
  private readonly pending = new Set<Promise<void>>();
  /** backoff base, ms (tests shorten it) */
  retryBaseMs = 1_000;

  constructor(private readonly config: ConfigHolder) {}

  deploy(decision: DecisionRecord): void {
    for (const notifier of this.receivers()) this.send(notifier, deployChangeEvent(notifier.routingKey, decision));
  }

  override(override: Override): void {
    for (const notifier of this.receivers()) this.send(notifier, overrideChangeEvent(notifier.routingKey, override));
  }

  /** Resolves when every send started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private receivers(): Array<Extract<NotifierConfig, { type: 'pagerduty' }>> {
    return Object.values(this.config.current.notifiers).filter(
      (n): n is Extract<NotifierConfig, { type: 'pagerduty' }> => n.type === 'pagerduty' && n.changeEvents,
    );
  }

  private send(notifier: Extract<NotifierConfig, { type: 'pagerduty' }>, event: PagerDutyChangeEvent): void {
    const task = this.deliver(notifier, event).finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private async deliver(notifier: Extract<NotifierConfig, { type: 'pagerduty' }>, event: PagerDutyChangeEvent): Promise<void> {
    const url = changeEventsUrl(notifier.url);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let outcome: string;
      try {
        const response = await this.http.post(url, event, { headers: { 'Content-Type': 'application/json' } });
        if (response.status >= 200 && response.status < 300) {
          this.logger.log({ receiver: notifier.name, summary: event.payload.summary }, 'change event delivered');
          return;
        }
        outcome = `HTTP ${response.status}`;
        if (response.status !== 429 && response.status < 500) {
          this.logger.error({ receiver: notifier.name, outcome }, 'change event refused');
          return;
        }
      } catch (error) {
        outcome = (error as Error).message.replace(/https?:\/\/\S+/g, '…');
      }
      if (attempt === ATTEMPTS) {
        this.logger.error({ receiver: notifier.name, outcome, attempts: attempt }, 'change event not delivered');
        return;
      }
      await new Promise((r) => setTimeout(r, this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
    }
  }
}
