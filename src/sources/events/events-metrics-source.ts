import { Inject, Injectable } from '@nestjs/common';
import type { Counts } from '../../slo/domain/budget-math';
import type { CountsRequest, CountsResult, MetricsSource } from '../../slo/ports/metrics-source';
import { EVENT_STORE, EventStore } from './event-store';

/**
 * `sli.source: events`: counts from the embedded event store. One sync per cycle brings the local
 * view up to date (other replicas' writes included); every window is then summed locally. When the
 * sync fails (Redis down), every events SLO of the cycle fails with that reason.
 */
@Injectable()
export class EventsMetricsSource implements MetricsSource {
  readonly kind = 'events' as const;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async counts(requests: readonly CountsRequest[], atMs: number): Promise<Map<string, CountsResult>> {
    const out = new Map<string, CountsResult>();
    if (requests.length === 0) return out;
    let syncError: Error | null = null;
    await this.store.sync().catch((error: unknown) => {
      syncError = new Error(`event store unavailable: ${error instanceof Error ? error.message : String(error)}`);
    });
    for (const request of requests) {
      try {
        out.set(request.slo.id, syncError ?? this.countsAt(request, atMs));
      } catch (error) {
        out.set(request.slo.id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return out;
  }

  countsAt(request: CountsRequest, atMs: number): Record<string, Counts> {
    const sums = this.store.windowCounts(request.slo.id, atMs, request.windowsMs);
    const counts: Record<string, Counts> = {};
    request.labels.forEach((label, i) => (counts[label] = sums[i]));
    for (const range of request.ranges ?? []) {
      counts[range.key] = this.store.rangeCounts(request.slo.id, range.fromMs, range.toMs, range.interpolateEnd);
    }
    return counts;
  }
}
