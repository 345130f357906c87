/**
 * Which bucket rings an SLO needs (pure functions, no state).
 *
 * Resolution tiers have fixed widths aligned to the epoch (bucket index = floor(ts / width)), each
 * width dividing the next. A window `w` reads its *natural tier*: the widest tier no wider than
 * `max(10s, w/60)`, the imprecision SPEC §4 allows at a window's start. A layout has one ring per
 * natural tier of the SLO's windows, long enough for the longest window using it, plus:
 * - 2 buckets for the partial buckets at both ends of a window;
 * - FUTURE_SLACK_MS of buckets, because events may be stamped up to 5 minutes ahead (SPEC §5) and
 *   such an event moves the ring forward: without the slack it would push out the oldest buckets a
 *   window at "now" still needs;
 * - the tier of the longest window holds two of it (history and the burn-down chart look back one
 *   window).
 */
export const TIER_WIDTHS_MS: readonly number[] = [
  10_000, // 10s
  60_000, // 1m
  300_000, // 5m
  1_200_000, // 20m
  3_600_000, // 1h
  14_400_000, // 4h
  43_200_000, // 12h
  86_400_000, // 1d
];

export const FINEST_WIDTH_MS = TIER_WIDTHS_MS[0];

/** How far ahead of "now" an event may be stamped (SPEC §5 refuses events more than 5 min ahead). */
export const FUTURE_SLACK_MS = 5 * 60_000;

export interface TierSpec {
  readonly widthMs: number;
  /** number of buckets the ring keeps */
  readonly capacity: number;
}

export interface BucketLayout {
  /** identifies equal layouts (`width×capacity,...`); equal keys mean interchangeable layouts */
  readonly key: string;
  /** ascending widths */
  readonly tiers: readonly TierSpec[];
  /** first slot of each tier in a flat slot array */
  readonly offsets: readonly number[];
  /** tiers[r].widthMs and tiers[r].capacity as flat arrays (hot paths) */
  readonly widths: Float64Array;
  readonly capacities: Float64Array;
  readonly totalSlots: number;
  readonly longestWindowMs: number;
}

/** The imprecision SPEC §4 allows at the start of a window of `windowMs`. */
export function toleranceMs(windowMs: number): number {
  return Math.max(FINEST_WIDTH_MS, windowMs / 60);
}

/** Widest tier width ≤ max(10s, w/60). */
export function naturalTierWidth(windowMs: number): number {
  const limit = toleranceMs(windowMs);
  let chosen = TIER_WIDTHS_MS[0];
  for (const width of TIER_WIDTHS_MS) {
    if (width <= limit) chosen = width;
  }
  return chosen;
}

/** Buckets a ring of `widthMs` needs to answer a window of `spanMs` ending up to FUTURE_SLACK_MS before its newest bucket. */
export function ringCapacity(spanMs: number, widthMs: number): number {
  return Math.ceil(spanMs / widthMs) + 2 + Math.ceil(FUTURE_SLACK_MS / widthMs);
}

function assertWindow(windowMs: number): void {
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new Error(`invalid window length ${windowMs} ms`);
}

/**
 * A ring an SLO needs beyond its windows' natural tiers: `widthMs` (a tier width) over `spanMs`.
 * A calendar SLO keeps one on the grid its period starts lie on, over two periods, so that counts
 * from a period start are exact (SPEC §4).
 */
export interface ExtraRing {
  widthMs: number;
  spanMs: number;
}

export function computeBucketLayout(windowsMs: readonly number[], extraRings: readonly ExtraRing[] = []): BucketLayout {
  if (windowsMs.length === 0) throw new Error('an SLO store layout needs at least one window');
  windowsMs.forEach(assertWindow);
  const longest = Math.max(...windowsMs);
  const capacityByWidth = new Map<number, number>();
  for (const windowMs of windowsMs) {
    const width = naturalTierWidth(windowMs);
    const span = windowMs === longest ? 2 * windowMs : windowMs;
    capacityByWidth.set(width, Math.max(capacityByWidth.get(width) ?? 0, ringCapacity(span, width)));
  }
  for (const ring of extraRings) {
    if (!TIER_WIDTHS_MS.includes(ring.widthMs)) throw new Error(`${ring.widthMs} ms is not a tier width`);
    assertWindow(ring.spanMs);
    capacityByWidth.set(ring.widthMs, Math.max(capacityByWidth.get(ring.widthMs) ?? 0, ringCapacity(ring.spanMs, ring.widthMs)));
  }
  return layoutFromTiers(
    [...capacityByWidth.entries()].map(([widthMs, capacity]) => ({ widthMs, capacity })),
    Math.max(longest, ...extraRings.map((ring) => ring.spanMs)),
  );
}

/** A layout from explicit tiers (sorted here); widths must be tier widths. */
export function layoutFromTiers(tiers: TierSpec[], longestWindowMs: number): BucketLayout {
  const sorted = [...tiers].sort((a, b) => a.widthMs - b.widthMs);
  const offsets: number[] = [];
  let totalSlots = 0;
  for (const tier of sorted) {
    if (!TIER_WIDTHS_MS.includes(tier.widthMs)) throw new Error(`${tier.widthMs} ms is not a tier width`);
    if (!Number.isInteger(tier.capacity) || tier.capacity < 1) throw new Error(`invalid ring capacity ${tier.capacity}`);
    offsets.push(totalSlots);
    totalSlots += tier.capacity;
  }
  return {
    key: sorted.map((tier) => `${tier.widthMs}x${tier.capacity}`).join(','),
    tiers: sorted,
    offsets,
    widths: Float64Array.from(sorted, (tier) => tier.widthMs),
    capacities: Float64Array.from(sorted, (tier) => tier.capacity),
    totalSlots,
    longestWindowMs,
  };
}

/** Windows of an SLO on SPEC §4's default rules (rows whose long window exceeds W left out), 1h, and W. */
export function defaultWindowsMs(sloWindowMs: number): number[] {
  const minute = 60_000;
  const rows: Array<[number, number]> = [
    [60, 5],
    [360, 30],
    [1_440, 120],
    [4_320, 360],
  ];
  const windows = rows.filter(([long]) => long * minute <= sloWindowMs).flatMap(([long, short]) => [long * minute, short * minute]);
  return [...new Set([...windows, 60 * minute, sloWindowMs])].sort((a, b) => a - b);
}
