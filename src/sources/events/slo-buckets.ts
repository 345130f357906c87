import type { WindowCounts } from './event-store';
import { BucketLayout, naturalTierWidth } from './bucket-layout';

/**
 * One SLO's counts: a ring of (good, total) buckets per tier of its layout, all in one Float64Array.
 *
 * Ring of width d and capacity C with head H (newest bucket index written): it holds buckets
 * (H − C, H]; writing a newer bucket moves H and clears the slots it reuses; writing a bucket
 * ≤ H − C is refused. Each ring also keeps `completeFrom`: every event stamped at or after it that
 * was ever written is in the ring — it rises when a bucket holding data is pushed out or a write is
 * refused as too old, and is set when a ring is created on a reload. The final state does not
 * depend on the order of writes (a Redis reload may load buckets in any order).
 *
 * Window sum over (end − w, end] (`windowInto`): the ring chosen for the window's start sums
 * whole buckets from the one holding `end − w` up to the one before the bucket holding `end`; that
 * last partial bucket is refined with finer rings down to the 10s ring, so only the start edge is
 * imprecise (by at most the ring width ≤ max(10s, w/60)) — the end edge is exact up to the 10s
 * bucket holding `end` (matters only for events stamped in the future). At a past instant whose
 * finer rings are gone (history), the end falls inside a coarse bucket, counted pro rata.
 */
export class SloBuckets {
  /** [head × k | completeFrom × k | slot of head × k | (good, total) × totalSlots] */
  readonly buf: Float64Array;
  readonly tierCount: number;
  /** buf index of the first data slot */
  private readonly dataAt: number;

  constructor(readonly layout: BucketLayout) {
    const k = layout.tiers.length;
    this.tierCount = k;
    this.dataAt = 3 * k;
    this.buf = new Float64Array(3 * k + 2 * layout.totalSlots);
    this.buf.fill(-Infinity, 0, 2 * k);
  }

  tierIndexOf(widthMs: number): number {
    const widths = this.layout.widths;
    for (let r = 0; r < widths.length; r++) if (widths[r] === widthMs) return r;
    return -1;
  }

  /** newest bucket index of ring r (−Infinity when empty) */
  head(r: number): number {
    return this.buf[r];
  }

  completeFromMs(r: number): number {
    return this.buf[this.tierCount + r];
  }

  raiseCompleteFrom(r: number, ms: number): void {
    const at = this.tierCount + r;
    if (ms > this.buf[at]) this.buf[at] = ms;
  }

  /** Adds one event (or an aggregate stamped at one instant) to every ring. Zero counts are ignored. */
  add(timestampMs: number, good: number, total: number): void {
    if (good === 0 && total === 0) return;
    const widths = this.layout.widths;
    for (let r = 0; r < this.tierCount; r++) this.addToTier(r, Math.floor(timestampMs / widths[r]), good, total);
  }

  /**
   * Adds to bucket `idx` of ring r; false when refused as older than the ring's range. Bucket idx
   * lives in slot idx mod C; the slot of the head is kept so that slots are found by subtraction.
   */
  addToTier(r: number, idx: number, good: number, total: number): boolean {
    if (good === 0 && total === 0) return true;
    const buf = this.buf;
    const k = this.tierCount;
    const capacity = this.layout.capacities[r];
    const head = buf[r];
    let slot: number;
    if (idx > head) {
      if (head === -Infinity) {
        slot = mod(idx, capacity);
      } else {
        this.advance(r, head, idx);
        slot = buf[2 * k + r] + (idx - head);
        if (slot >= capacity) slot = idx - head < capacity ? slot - capacity : mod(idx, capacity);
      }
      buf[r] = idx;
      buf[2 * k + r] = slot;
    } else if (idx <= head - capacity) {
      this.raiseCompleteFrom(r, (idx + 1) * this.layout.widths[r]);
      return false;
    } else {
      slot = buf[2 * k + r] - (head - idx);
      if (slot < 0) slot += capacity;
    }
    const p = this.dataAt + 2 * (this.layout.offsets[r] + slot);
    buf[p] += good;
    buf[p + 1] += total;
    return true;
  }

  /** Clears the slots buckets head+1..idx reuse, noting the newest bucket with data pushed out. */
  private advance(r: number, head: number, idx: number): void {
    const buf = this.buf;
    const capacity = this.layout.capacities[r];
    const base = this.dataAt + 2 * this.layout.offsets[r];
    const end = base + 2 * capacity;
    // oldest bucket whose slot gets reused, and how many
    const steps = idx - head < capacity ? idx - head : capacity;
    const firstEvicted = head - capacity + 1;
    let p = base + 2 * this.slotOfRetained(r, head, firstEvicted);
    let lost = -Infinity;
    for (let i = 0; i < steps; i++) {
      if (buf[p] !== 0 || buf[p + 1] !== 0) {
        lost = firstEvicted + i;
        buf[p] = 0;
        buf[p + 1] = 0;
      }
      p += 2;
      if (p === end) p = base;
    }
    if (lost !== -Infinity) this.raiseCompleteFrom(r, (lost + 1) * this.layout.widths[r]);
  }

  /** slot of bucket idx, for head − C < idx ≤ head */
  private slotOfRetained(r: number, head: number, idx: number): number {
    const slot = this.buf[2 * this.tierCount + r] - (head - idx);
    return slot < 0 ? slot + this.layout.capacities[r] : slot;
  }

  /** Calls `visit` for every retained bucket of ring r holding data, oldest first. */
  forEachBucket(r: number, visit: (idx: number, good: number, total: number) => void): void {
    const head = this.buf[r];
    if (head === -Infinity) return;
    const capacity = this.layout.capacities[r];
    const base = this.dataAt + 2 * this.layout.offsets[r];
    for (let idx = head - capacity + 1; idx <= head; idx++) {
      const p = base + 2 * this.slotOfRetained(r, head, idx);
      if (this.buf[p] !== 0 || this.buf[p + 1] !== 0) visit(idx, this.buf[p], this.buf[p + 1]);
    }
  }

  /** An upper bound of the newest event time (end of the newest bucket of the finest non-empty ring); −Infinity when empty. */
  newestDataEndMs(): number {
    const tiers = this.layout.tiers;
    for (let r = 0; r < tiers.length; r++) {
      if (this.buf[r] !== -Infinity) return (this.buf[r] + 1) * tiers[r].widthMs;
    }
    return -Infinity;
  }

  windowCounts(endMs: number, windowsMs: readonly number[]): WindowCounts[] {
    const out = new Array<WindowCounts>(windowsMs.length);
    for (let i = 0; i < windowsMs.length; i++) {
      this.windowInto(endMs, windowsMs[i]);
      out[i] = { good: accGood, total: accTotal };
    }
    return out;
  }

  /** Sums (endMs − windowMs, endMs] into the module accumulators accGood/accTotal. */
  private windowInto(endMs: number, windowMs: number): void {
    accGood = 0;
    accTotal = 0;
    if (!(windowMs > 0)) return;
    const tiers = this.layout.tiers;
    const startMs = endMs - windowMs;
    const r = this.chooseTier(startMs, windowMs);
    let width = tiers[r].widthMs;
    let endIdx = Math.floor(endMs / width);
    this.sumRange(r, Math.floor(startMs / width), endIdx - 1);
    let ring = r;
    let cursorMs = endIdx * width;
    for (let f = r - 1; f >= 0; f--) {
      if (cursorMs < this.buf[this.tierCount + f]) continue;
      width = tiers[f].widthMs;
      endIdx = Math.floor(endMs / width);
      this.sumRange(f, Math.floor(cursorMs / width), endIdx - 1);
      cursorMs = endIdx * width;
      ring = f;
    }
    width = tiers[ring].widthMs;
    endIdx = Math.floor(endMs / width);
    // The bucket holding `end`: whole on the finest ring, or when it is the ring's newest bucket
    // (nothing after `end` in it but events stamped ahead). A past instant (history) whose finer
    // rings are gone ends inside an older coarse bucket: only its share up to `end` is counted,
    // else a 5m window three hours back would count the whole hour after it.
    if (ring === 0 || endIdx >= this.buf[ring]) {
      this.sumRange(ring, endIdx, endIdx);
      return;
    }
    const bucketStart = endIdx * width;
    const share = (endMs - Math.max(startMs, bucketStart)) / width;
    if (share > 0) this.sumFraction(ring, endIdx, share);
  }

  /**
   * Counts of `[fromMs, toMs]` (see `EventStore.rangeCounts`): the finest ring complete from
   * `fromMs` sums the buckets from the one holding it (pro rata when `fromMs` is inside it) up to
   * the one before the bucket holding `toMs`; that tail is refined with finer rings as in
   * `windowInto`, and its last bucket counted whole or pro rata.
   */
  rangeCounts(fromMs: number, toMs: number, interpolateEnd: boolean): WindowCounts {
    accGood = 0;
    accTotal = 0;
    if (!(toMs >= fromMs)) return { good: 0, total: 0 };
    const k = this.tierCount;
    const tiers = this.layout.tiers;
    let r = -1;
    for (let i = 0; i < k && r < 0; i++) if (this.buf[k + i] <= fromMs) r = i;
    if (r < 0) r = this.chooseTier(fromMs, toMs - fromMs + 1);
    let width = tiers[r].widthMs;
    const firstIdx = Math.floor(fromMs / width);
    let endIdx = Math.floor(toMs / width);
    let ring = r;
    let cursorMs: number;
    if (firstIdx === endIdx) {
      cursorMs = fromMs; // one bucket of r: refine it below from fromMs
    } else {
      const lead = (firstIdx + 1) * width - fromMs;
      if (lead === width) this.sumRange(r, firstIdx, firstIdx);
      else this.sumFraction(r, firstIdx, lead / width);
      this.sumRange(r, firstIdx + 1, endIdx - 1);
      cursorMs = endIdx * width;
    }
    for (let f = r - 1; f >= 0; f--) {
      if (cursorMs < this.buf[k + f]) continue;
      width = tiers[f].widthMs;
      const from = Math.floor(cursorMs / width);
      endIdx = Math.floor(toMs / width);
      if (from < endIdx) {
        const lead = (from + 1) * width - cursorMs;
        if (lead === width) this.sumRange(f, from, from);
        else this.sumFraction(f, from, lead / width);
        this.sumRange(f, from + 1, endIdx - 1);
        cursorMs = endIdx * width;
      }
      ring = f;
    }
    width = tiers[ring].widthMs;
    endIdx = Math.floor(toMs / width);
    const bucketStart = endIdx * width;
    const startInBucket = Math.max(cursorMs, bucketStart);
    const share = interpolateEnd || startInBucket > bucketStart ? (toMs + 1 - startInBucket) / width : 1;
    if (share >= 1) this.sumRange(ring, endIdx, endIdx);
    else if (share > 0) this.sumFraction(ring, endIdx, share);
    return { good: accGood, total: accTotal };
  }

  /** Adds `share` of bucket idx of ring r to the accumulators. */
  private sumFraction(r: number, idx: number, share: number): void {
    const good = accGood;
    const total = accTotal;
    accGood = 0;
    accTotal = 0;
    this.sumRange(r, idx, idx);
    accGood = good + accGood * share;
    accTotal = total + accTotal * share;
  }

  /**
   * The natural tier if complete from `startMs`; else the finest coarser complete one; else the
   * coarsest finer complete one; else the ring complete from earliest (precision loss, e.g. just
   * after a reload added a window).
   */
  chooseTier(startMs: number, windowMs: number): number {
    const natural = naturalTierWidth(windowMs);
    const tiers = this.layout.tiers;
    const k = this.tierCount;
    let coarser = -1;
    let finer = -1;
    let earliest = 0;
    for (let r = 0; r < k; r++) {
      const from = this.buf[k + r];
      if (from <= startMs) {
        const width = tiers[r].widthMs;
        if (width === natural) return r;
        if (width > natural) {
          if (coarser < 0) coarser = r;
        } else finer = r;
      }
      if (from < this.buf[k + earliest]) earliest = r;
    }
    return coarser >= 0 ? coarser : finer >= 0 ? finer : earliest;
  }

  private sumRange(r: number, from: number, to: number): void {
    const buf = this.buf;
    const head = buf[r];
    if (head === -Infinity) return;
    const capacity = this.layout.capacities[r];
    const lo = from > head - capacity + 1 ? from : head - capacity + 1;
    const hi = to < head ? to : head;
    if (lo > hi) return;
    const base = this.dataAt + 2 * this.layout.offsets[r];
    const end = base + 2 * capacity;
    let p = base + 2 * this.slotOfRetained(r, head, lo);
    let good = 0;
    let total = 0;
    for (let i = hi - lo; i >= 0; i--) {
      good += buf[p];
      total += buf[p + 1];
      p += 2;
      if (p === end) p = base;
    }
    accGood += good;
    accTotal += total;
  }
}

let accGood = 0;
let accTotal = 0;

export function mod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}
