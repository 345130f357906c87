import { Injectable } from '@nestjs/common';

export type NotificationResult = 'delivered' | 'retried' | 'failed';

/**
 * `slo_engine_notifications_total{receiver,result}` (SPEC §9), counted here until the metrics
 * module exposes it: it will read `snapshot()` (or replace this class with a prom-client counter).
 */
@Injectable()
export class NotificationCounters {
  private readonly counts = new Map<string, { receiver: string; result: NotificationResult; value: number }>();

  increment(receiver: string, result: NotificationResult): void {
    const key = `${receiver}\u0000${result}`;
    const entry = this.counts.get(key);
    if (entry) entry.value++;
    else this.counts.set(key, { receiver, result, value: 1 });
  }

  /** every (receiver, result) counted so far */
  snapshot(): Array<{ receiver: string; result: NotificationResult; value: number }> {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }

  value(receiver: string, result: NotificationResult): number {
    return this.counts.get(`${receiver}\u0000${result}`)?.value ?? 0;
  }
}
