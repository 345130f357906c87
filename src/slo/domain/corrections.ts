/**
 * SPEC §4 "Corrections": planned maintenance taken out of the budget. A correction is the range
 * `[start, start + duration)`, repeated every 24 h (`daily`) or 7 × 24 h (`weekly`) from start,
 * for one SLO, one service or `"*"`. Pure functions: which corrections cover an SLO, and the union
 * of their occurrences within a window.
 */
import type { CorrectionSpec } from '../../config/app-config';

/** A correction of the config or of the API, as the evaluation and the API see it. */
export interface Correction extends CorrectionSpec {
  id: string;
  source: 'config' | 'api';
  /** when it was created through the API; null for the config's */
  createdAtMs: number | null;
  /** name of the token that created it; null for the config's */
  createdBy: string | null;
}

/** A half-open time range `[fromMs, toMs)`. */
export interface Interval {
  fromMs: number;
  toMs: number;
}

const REPEAT_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** True when the correction applies to this SLO (by id, by service, or `"*"`). */
export function correctionCovers(correction: CorrectionSpec, slo: { id: string; service: string }): boolean {
  if (correction.slo !== undefined) return correction.slo === slo.id;
  return correction.service === '*' || correction.service === slo.service;
}

/** The correction's occurrences that overlap `[fromMs, toMs)`, clipped to it, oldest first. */
export function occurrencesWithin(correction: CorrectionSpec, fromMs: number, toMs: number): Interval[] {
  const out: Interval[] = [];
  if (!(toMs > fromMs) || !(correction.durationMs > 0)) return out;
  const { startMs, durationMs } = correction;
  if (correction.repeat === null) {
    const a = Math.max(startMs, fromMs);
    const b = Math.min(startMs + durationMs, toMs);
    if (b > a) out.push({ fromMs: a, toMs: b });
    return out;
  }
  const period = REPEAT_MS[correction.repeat];
  // first occurrence k ≥ 0 ending after fromMs
  let k = Math.max(0, Math.floor((fromMs - startMs - durationMs) / period) + 1);
  for (let begin = startMs + k * period; begin < toMs; k++, begin = startMs + k * period) {
    const a = Math.max(begin, fromMs);
    const b = Math.min(begin + durationMs, toMs);
    if (b > a) out.push({ fromMs: a, toMs: b });
  }
  return out;
}

/** The union of the occurrences of every correction covering the SLO within `[fromMs, toMs)`, sorted and disjoint. */
export function correctedIntervals(
  corrections: readonly CorrectionSpec[],
  slo: { id: string; service: string },
  fromMs: number,
  toMs: number,
): Interval[] {
  const all: Interval[] = [];
  for (const correction of corrections) {
    if (correctionCovers(correction, slo)) all.push(...occurrencesWithin(correction, fromMs, toMs));
  }
  return mergeIntervals(all);
}

/** Sorted, disjoint union of intervals (touching ones joined). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((x, y) => x.fromMs - y.fromMs);
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out[out.length - 1];
    if (last && next.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, next.toMs);
    else out.push({ ...next });
  }
  return out;
}

/**
 * Counts of a window minus the counts of its corrected parts (SPEC §4), clamped so that
 * `0 ≤ good ≤ total`. A window covered whole by corrections has no data.
 */
export function subtractCorrected(
  window: { good: number; total: number },
  corrected: ReadonlyArray<{ good: number; total: number }>,
  coveredWhole: boolean,
): { good: number; total: number } {
  if (coveredWhole) return { good: 0, total: 0 };
  let good = window.good;
  let total = window.total;
  let bad = total - good;
  for (const part of corrected) {
    total -= part.total;
    bad -= part.total - part.good;
  }
  total = Math.max(0, total);
  bad = Math.min(total, Math.max(0, bad));
  good = total - bad;
  return { good, total };
}

/** The corrections covering each SLO (one pass over the corrections, for a whole cycle). */
export function correctionsBySlo<C extends CorrectionSpec>(corrections: readonly C[], slos: ReadonlyArray<{ id: string; service: string }>): Map<string, C[]> {
  const out = new Map<string, C[]>();
  if (corrections.length === 0) return out;
  const bySlo = new Map<string, C[]>();
  const byService = new Map<string, C[]>();
  const everywhere: C[] = [];
  for (const c of corrections) {
    if (c.slo !== undefined) bySlo.set(c.slo, [...(bySlo.get(c.slo) ?? []), c]);
    else if (c.service === '*') everywhere.push(c);
    else if (c.service !== undefined) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  }
  for (const slo of slos) {
    const covering = [...everywhere, ...(byService.get(slo.service) ?? []), ...(bySlo.get(slo.id) ?? [])];
    if (covering.length > 0) out.set(slo.id, covering);
  }
  return out;
}
