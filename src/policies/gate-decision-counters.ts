import { Injectable } from '@nestjs/common';

/**
 * `deploy_gate_decisions_total{service,decision}` (SPEC §9), counted here until the metrics module
 * exposes it: it will read `snapshot()` (or replace this class with a prom-client counter).
 */
@Injectable()
export class GateDecisionCounters {
  private readonly counts = new Map<string, { service: string; decision: 'allow' | 'deny'; value: number }>();

  increment(service: string, decision: 'allow' | 'deny'): void {
    const key = `${service}\u0000${decision}`;
    const entry = this.counts.get(key);
    if (entry) entry.value++;
    else this.counts.set(key, { service, decision, value: 1 });
  }

  snapshot(): Array<{ service: string; decision: 'allow' | 'deny'; value: number }> {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }

  value(service: string, decision: 'allow' | 'deny'): number {
    return this.counts.get(`${service}\u0000${decision}`)?.value ?? 0;
  }
}
