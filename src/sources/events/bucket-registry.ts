import type { SloStoreLayout, WindowCounts } from './event-store';
import { BucketLayout, computeBucketLayout, type ExtraRing } from './bucket-layout';
import { SloBuckets } from './slo-buckets';

export interface ReconfigureResult {
  /** SLOs that did not exist before */
  added: string[];
  /** existing SLOs whose layout changed (rings resized, added or dropped) */
  changed: string[];
  removed: string[];
}

/**
 * The bucket rings of every configured SLO, keyed by SLO id: the whole state of the memory store
 * and the local mirror of the Redis store. Layouts are shared between SLOs with equal windows.
 */
export class BucketRegistry {
  private slos = new Map<string, SloBuckets>();
  private readonly layouts = new Map<string, BucketLayout>();

  get(slo: string): SloBuckets | undefined {
    return this.slos.get(slo);
  }

  get size(): number {
    return this.slos.size;
  }

  ids(): IterableIterator<string> {
    return this.slos.keys();
  }

  entries(): IterableIterator<[string, SloBuckets]> {
    return this.slos.entries();
  }

  /** Puts `buckets` in place of the SLO's current ones (a reload from Redis). */
  replace(slo: string, buckets: SloBuckets): void {
    this.slos.set(slo, buckets);
  }

  /** Windows of an unknown SLO count nothing. */
  windowCounts(slo: string, endMs: number, windowsMs: readonly number[]): WindowCounts[] {
    const buckets = this.slos.get(slo);
    if (buckets) return buckets.windowCounts(endMs, windowsMs);
    return windowsMs.map(() => ({ good: 0, total: 0 }));
  }

  /** Counts of `[fromMs, toMs]` (`EventStore.rangeCounts`); an unknown SLO counts nothing. */
  rangeCounts(slo: string, fromMs: number, toMs: number, interpolateEnd: boolean): WindowCounts {
    const buckets = this.slos.get(slo);
    return buckets ? buckets.rangeCounts(fromMs, toMs, interpolateEnd) : { good: 0, total: 0 };
  }

  layoutOf(windowsMs: readonly number[], extraRings: readonly ExtraRing[] = []): BucketLayout {
    const computed = computeBucketLayout(windowsMs, extraRings);
    const shared = this.layouts.get(computed.key);
    if (shared) return shared;
    this.layouts.set(computed.key, computed);
    return computed;
  }

  /**
   * Sets the SLOs and their windows: keeps the data of SLOs that stay (rings resized, new rings
   * seeded from finer ones where exact, see `reshape`), drops removed SLOs. Validates every layout
   * before changing anything.
   */
  configure(layouts: readonly SloStoreLayout[]): ReconfigureResult {
    const windows = new Map<string, { windowsMs: number[]; extraRings: ExtraRing[] }>();
    for (const { slo, windowsMs, extraRings } of layouts) {
      const entry = windows.get(slo) ?? { windowsMs: [], extraRings: [] };
      entry.windowsMs.push(...windowsMs);
      entry.extraRings.push(...(extraRings ?? []));
      windows.set(slo, entry);
    }
    const wanted = new Map<string, BucketLayout>();
    for (const [slo, entry] of windows) wanted.set(slo, this.layoutOf(entry.windowsMs, entry.extraRings));

    const result: ReconfigureResult = { added: [], changed: [], removed: [] };
    const next = new Map<string, SloBuckets>();
    for (const [slo, layout] of wanted) {
      const current = this.slos.get(slo);
      if (!current) {
        next.set(slo, new SloBuckets(layout));
        result.added.push(slo);
      } else if (current.layout.key === layout.key) {
        next.set(slo, current);
      } else {
        next.set(slo, reshape(current, layout));
        result.changed.push(slo);
      }
    }
    for (const slo of this.slos.keys()) if (!next.has(slo)) result.removed.push(slo);
    this.slos = next;
    const inUse = new Set([...wanted.values()].map((layout) => layout.key));
    for (const key of [...this.layouts.keys()]) if (!inUse.has(key)) this.layouts.delete(key);
    return result;
  }

  /** Layout of every configured SLO. */
  layoutsBySlo(): Map<string, BucketLayout> {
    return new Map([...this.slos].map(([slo, buckets]) => [slo, buckets.layout]));
  }
}

/**
 * The SLO's data moved to a new layout. A ring whose width stays keeps its buckets (the newest ones
 * that fit) and its `completeFrom`. A ring of a new width is seeded by summing an existing finer
 * ring (widths divide each other, so a coarse bucket is exact when every fine bucket in it is
 * known), complete from the first coarse bucket the fine ring fully covers; with no finer ring it
 * starts empty, complete from the end of the newest data (every later event will reach it).
 */
export function reshape(old: SloBuckets, layout: BucketLayout): SloBuckets {
  const next = new SloBuckets(layout);
  const oldTiers = old.layout.tiers;
  layout.tiers.forEach(({ widthMs }, r) => {
    const same = old.tierIndexOf(widthMs);
    if (same >= 0) {
      next.raiseCompleteFrom(r, old.completeFromMs(same));
      old.forEachBucket(same, (idx, good, total) => next.addToTier(r, idx, good, total));
      return;
    }
    let source = -1;
    let sourceFrom = Infinity;
    oldTiers.forEach((tier, s) => {
      if (tier.widthMs >= widthMs || widthMs % tier.widthMs !== 0) return;
      const from = Math.ceil(old.completeFromMs(s) / widthMs) * widthMs;
      if (from < sourceFrom || (from === sourceFrom && source >= 0 && tier.widthMs > oldTiers[source].widthMs)) {
        source = s;
        sourceFrom = from;
      }
    });
    if (source < 0) {
      next.raiseCompleteFrom(r, old.newestDataEndMs());
      return;
    }
    next.raiseCompleteFrom(r, sourceFrom);
    const sourceWidth = oldTiers[source].widthMs;
    old.forEachBucket(source, (idx, good, total) => {
      const coarse = Math.floor((idx * sourceWidth) / widthMs);
      if (coarse * widthMs >= sourceFrom) next.addToTier(r, coarse, good, total);
    });
  });
  return next;
}
