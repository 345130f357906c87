import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { counterValue, METRICS_REGISTRY } from '../../common/metrics-registry';

export type NotificationResult = 'delivered' | 'retried' | 'failed';

/** `slo_engine_notifications_total{receiver,result}` (SPEC §9): one count per send attempt's outcome. */
@Injectable()
export class NotificationCounters {
  private readonly counter: Counter<'receiver' | 'result'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.counter = new Counter({
      name: 'slo_engine_notifications_total',
      help: 'Notification send attempts by receiver and result: delivered, retried (429, 5xx, network), failed (permanent or given up)',
      labelNames: ['receiver', 'result'],
      registers: [registry],
    });
  }

  increment(receiver: string, result: NotificationResult): void {
    this.counter.inc({ receiver, result });
  }

  value(receiver: string, result: NotificationResult): Promise<number> {
    return counterValue(this.counter, { receiver, result });
  }
}
