import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigHolder } from '../../config/config-holder';
import { CLOCK, Clock } from '../../common/clock';
import { ClaimedDelivery, OUTBOX, Outbox } from '../ports/outbox';
import { isReminder } from '../ports/notification-message';
import type { DeliveryTrigger } from '../ports/delivery-trigger';
import { NotifierDrivers } from '../drivers/notifier-drivers';
import { deliveryExpired, minSendIntervalMs, retryDelayMs } from '../domain/delivery-policy';
import type { DeliveryResult } from '../drivers/notifier-driver';
import { NotificationCounters } from './notification-counters';

/** Lane heads claimed per round. */
const CLAIM_BATCH = 32;
/** A claim not settled within this long is due again (the sender died): well above the 10 s send timeout. */
export const DELIVERY_LEASE_MS = 30_000;
/** How often the loop looks for due notifications (retries, paced messages). */
export const DELIVERY_POLL_MS = 1_000;

export interface DrainReport {
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * Sends what the outbox holds (SPEC §6): claims due lane heads (one per receiver and alert, so a
 * lane stays in order), sends each with its receiver's driver, then completes it (delivered, or
 * failed for good: 4xx, receiver gone, older than 24 h) or puts it back with backoff (429, 5xx,
 * a redirect, network). Any replica may send; the claim's lease keeps two from sending the same
 * notification, and a replica that dies mid-send leaves it due again when the lease runs out.
 */
@Injectable()
export class DeliveryWorker implements DeliveryTrigger, OnApplicationShutdown {
  private readonly logger = new Logger('Delivery');
  private draining: Promise<DrainReport> | null = null;
  private again = false;
  private failing = false;
  private timer: NodeJS.Timeout | null = null;
  /** random source for jitter (tests pin it) */
  random: () => number = Math.random;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly drivers: NotifierDrivers,
    private readonly counters: NotificationCounters,
  ) {}

  /** Polls the outbox every `pollMs` (the scheduler calls this; tests drain by hand). */
  start(pollMs = DELIVERY_POLL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Drains soon, without waiting (after a cycle recorded notifications); no-op unless started. */
  kick(): void {
    if (!this.timer) return;
    this.drain().then(
      () => {
        if (this.failing) this.logger.log('outbox reachable again; delivering');
        this.failing = false;
      },
      (error: unknown) => {
        // Once per outage (the loop retries every second), not once per second.
        if (!this.failing) this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox unavailable; delivery paused, retrying');
        this.failing = true;
      },
    );
  }

  /** Sends everything due now; a call while a drain runs makes it go round once more. */
  async drain(): Promise<DrainReport> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drainRounds();
    try {
      return await this.draining;
    } finally {
      this.draining = null;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Sends in flight finish (each is bounded by its 10 s timeout); what is not sent stays recorded.
    if (this.draining) await this.draining.catch(() => undefined);
  }

  private async drainRounds(): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, retried: 0, failed: 0 };
    do {
      this.again = false;
      for (;;) {
        const claims = await this.outbox.claim({
          nowMs: this.clock.now(),
          max: CLAIM_BATCH,
          leaseMs: DELIVERY_LEASE_MS,
          minIntervalMs: this.pacing(),
        });
        if (claims.length === 0) break;
        const outcomes = await Promise.all(claims.map((claim) => this.deliver(claim)));
        for (const outcome of outcomes) report[outcome]++;
      }
    } while (this.again);
    return report;
  }

  private async deliver(claim: ClaimedDelivery): Promise<keyof DrainReport> {
    const { delivery } = claim;
    const notifier = Object.prototype.hasOwnProperty.call(this.config.current.notifiers, delivery.receiver)
      ? this.config.current.notifiers[delivery.receiver]
      : undefined;
    let result: DeliveryResult;
    if (!notifier) result = { outcome: 'failed', reason: 'receiver no longer configured' };
    else if (deliveryExpired(delivery.createdAtMs, this.clock.now())) result = { outcome: 'failed', reason: `not delivered within 24 h (${delivery.attempts} attempts; last: ${delivery.lastError ?? 'none'})` };
    else result = await this.drivers.send(delivery.message, notifier);

    const nowMs = this.clock.now();
    const fields = {
      receiver: delivery.receiver,
      action: delivery.action,
      dedupKey: delivery.message.dedupKey,
      ...(isReminder(delivery.message) ? { kind: delivery.message.alertKind, incident: delivery.message.incident.id } : { slo: delivery.message.slo }),
      severity: delivery.message.severity,
      attempts: delivery.attempts + 1,
    };
    switch (result.outcome) {
      case 'delivered':
        await this.outbox.complete(claim, nowMs);
        this.counters.increment(delivery.receiver, 'delivered');
        // never negative: a clock stepped back (SPEC §12) can send a notification queued behind a lane head before its recorded time
        this.logger.log({ notification: fields, delayMs: Math.max(0, nowMs - delivery.createdAtMs) }, 'notification delivered');
        return 'delivered';
      case 'failed':
        await this.outbox.complete(claim, nowMs);
        this.counters.increment(delivery.receiver, 'failed');
        this.logger.error({ notification: fields, reason: result.reason }, 'notification failed for good');
        return 'failed';
      case 'retry': {
        const delayMs = retryDelayMs(delivery.attempts + 1, this.random(), result.retryAfterMs);
        await this.outbox.retry(claim, {
          retryAtMs: nowMs + delayMs,
          attempts: delivery.attempts + 1,
          lastError: result.reason,
          ...(result.retryAfterMs !== undefined ? { receiverPausedUntilMs: nowMs + delayMs } : {}),
        });
        this.counters.increment(delivery.receiver, 'retried');
        this.logger.warn({ notification: fields, reason: result.reason, retryInMs: delayMs }, 'notification not delivered; will retry');
        return 'retried';
      }
    }
  }

  private pacing(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, notifier] of Object.entries(this.config.current.notifiers)) {
      const interval = minSendIntervalMs(notifier.type);
      if (interval > 0) out[name] = interval;
    }
    return out;
  }
}
