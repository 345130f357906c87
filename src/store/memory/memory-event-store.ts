import type { EventIncrement, EventStore, SloStoreLayout, WindowCounts } from '../../sources/events/event-store';
import { BucketRegistry } from '../../sources/events/bucket-registry';

/** Thrown by `add` when a batch names an SLO the store was not configured with (nothing is stored). */
export class UnknownSloError extends Error {
  constructor(readonly slo: string) {
    super(`event store: unknown SLO "${slo}"`);
    this.name = 'UnknownSloError';
  }
}

/** Checks a whole batch before anything is stored: known SLOs, finite numbers. */
export function assertBatch(increments: readonly EventIncrement[], known: (slo: string) => boolean): void {
  for (const increment of increments) {
    if (!known(increment.slo)) throw new UnknownSloError(increment.slo);
    if (!Number.isFinite(increment.timestampMs) || !Number.isFinite(increment.good) || !Number.isFinite(increment.total)) {
      throw new TypeError(`event store: non-finite timestamp or count for SLO "${increment.slo}"`);
    }
  }
}

/** The embedded event store in process memory (one replica; lost on restart). */
export class MemoryEventStore implements EventStore {
  private readonly registry = new BucketRegistry();

  async configure(layouts: SloStoreLayout[]): Promise<void> {
    this.registry.configure(layouts);
  }

  async add(increments: EventIncrement[]): Promise<void> {
    assertBatch(increments, (slo) => this.registry.get(slo) !== undefined);
    for (const { slo, timestampMs, good, total } of increments) this.registry.get(slo)!.add(timestampMs, good, total);
  }

  async sync(): Promise<void> {
    /* nothing to catch up with */
  }

  windowCounts(slo: string, endMs: number, windowsMs: readonly number[]): WindowCounts[] {
    return this.registry.windowCounts(slo, endMs, windowsMs);
  }

  rangeCounts(slo: string, fromMs: number, toMs: number, interpolateEnd: boolean): WindowCounts {
    return this.registry.rangeCounts(slo, fromMs, toMs, interpolateEnd);
  }

  async close(): Promise<void> {
    /* nothing to release */
  }
}
