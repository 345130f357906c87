import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { counterValue, METRICS_REGISTRY } from '../common/metrics-registry';

/** `deploy_gate_decisions_total{service,decision}` (SPEC §9). */
@Injectable()
export class GateDecisionCounters {
  private readonly counter: Counter<'service' | 'decision'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.counter = new Counter({
      name: 'deploy_gate_decisions_total',
      help: 'Deploy-gate decisions by service and decision (allow, deny)',
      labelNames: ['service', 'decision'],
      registers: [registry],
    });
  }

  increment(service: string, decision: 'allow' | 'deny'): void {
    this.counter.inc({ service, decision });
  }

  value(service: string, decision: 'allow' | 'deny'): Promise<number> {
    return counterValue(this.counter, { service, decision });
  }
}
