/**
 * SPEC §4 (Incidents): when the errors of an incident began. Going back from `detectedAt` in steps of
 * `max(10 s, store precision at that age)` (10 s range steps for Prometheus), `startedAt` is the
 * start of the earliest step from which the 5-minute error ratio of the SLO that paged first stayed
 * above its allowed ratio `e` without a break; a step with no data is a break. Pure functions.
 */

/** The finest step, and Prometheus' range step. */
export const SEARCH_STEP_MS = 10_000;
/** The window whose error ratio is followed back. */
export const SEARCH_WINDOW = '5m';
/** The search never goes back further than this (and normally only the paging rule's long window). */
export const MAX_SEARCH_MS = 7 * 86_400_000;
/** Nor less far than this, whatever the rule. */
export const MIN_SEARCH_MS = 3_600_000;

/** The event store's precision at an age (SPEC §4: `max(10 s, age / 60)`), the step there. */
export function searchStepMs(ageMs: number): number {
  return Math.max(SEARCH_STEP_MS, ageMs / 60);
}

/** How far back to search: the paging rule's long window, at least 1 h, at most 7 days. */
export function searchBoundMs(longWindowMs: number | null): number {
  return Math.min(MAX_SEARCH_MS, Math.max(MIN_SEARCH_MS, longWindowMs ?? MIN_SEARCH_MS));
}

/**
 * The instants whose 5m error ratio is read, newest first: `detectedAt`, then back by the store's
 * precision at each instant's age as seen at `nowMs`, down to `detectedAt − boundMs` (the last one).
 */
export function searchInstants(detectedAtMs: number, boundMs: number, nowMs: number): number[] {
  const oldest = detectedAtMs - boundMs;
  const out = [detectedAtMs];
  let at = detectedAtMs;
  while (at > oldest) {
    at = Math.max(oldest, at - Math.round(searchStepMs(nowMs - at)));
    out.push(at);
  }
  return out;
}

/** The same on a fixed grid (Prometheus range queries): `detectedAt − k × stepMs`, newest first. */
export function gridInstants(detectedAtMs: number, boundMs: number, stepMs = SEARCH_STEP_MS): number[] {
  const steps = Math.floor(boundMs / stepMs);
  return Array.from({ length: steps + 1 }, (_, k) => detectedAtMs - k * stepMs);
}

export interface StartedAt {
  startedAtMs: number;
  /** the ratio was above `e` all the way back to the search's bound: the errors began then or earlier */
  bounded: boolean;
}

/**
 * `instants` newest first (instants[0] = detectedAt) and the 5m error ratio at each (null: no data).
 * Step k spans `(instants[k + 1], instants[k]]`; the run of steps above `allowed` from detectedAt
 * back is followed to its first break, and `startedAt` is the start of its earliest step (the
 * instant of the break). A ratio not above `allowed` at detectedAt itself (the page fired on the
 * long window while the last 5 minutes were quiet, or no data) gives `startedAt = detectedAt`.
 */
export function startedAtFrom(instants: readonly number[], ratios: readonly (number | null)[], allowed: number): StartedAt {
  if (instants.length === 0) throw new Error('startedAtFrom: no instants');
  let k = 0;
  while (k < instants.length && above(ratios[k], allowed)) k++;
  if (k === 0) return { startedAtMs: instants[0], bounded: false };
  if (k < instants.length) return { startedAtMs: instants[k], bounded: false };
  return { startedAtMs: instants[instants.length - 1], bounded: true };
}

function above(ratio: number | null | undefined, allowed: number): boolean {
  return ratio !== null && ratio !== undefined && Number.isFinite(ratio) && ratio > allowed;
}
