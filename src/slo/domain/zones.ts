/**
 * SPEC §4 budget zones of one SLO and of a service. Pure functions, no framework imports.
 */
export type Zone = 'normal' | 'caution' | 'freeze' | 'exhausted' | 'unknown';

/** `policy.zones`: remaining-budget thresholds as fractions (defaults 0.5 / 0.25). */
export interface ZoneThresholds {
  caution: number;
  freeze: number;
}

export interface SloZoneInput {
  /** budget remaining at the last successful evaluation; `null` when never evaluated */
  remaining: number | null;
  /** time of the last successful evaluation; `null` when never evaluated */
  evaluatedAtMs: number | null;
  nowMs: number;
  evaluationIntervalMs: number;
  /** the SLO's whole window had no data */
  noData: boolean;
  /** a calendar period that has counted fewer than 1/e events: `normal` whatever the numbers (SPEC §4) */
  warmingUp?: boolean;
  onNoData: 'unknown' | 'normal';
  thresholds: ZoneThresholds;
}

/** Zones from best to worst, as a service's zone ranks them (SPEC: exhausted > freeze > unknown > caution > normal). */
export const ZONE_SEVERITY_ORDER: readonly Zone[] = ['normal', 'caution', 'unknown', 'freeze', 'exhausted'];

/** An evaluation older than this many intervals makes the zone `unknown`. */
export const STALE_AFTER_INTERVALS = 3;

/** Rank of a zone in {@link ZONE_SEVERITY_ORDER}: higher is worse. */
export function zoneSeverity(zone: Zone): number {
  return ZONE_SEVERITY_ORDER.indexOf(zone);
}

/**
 * `normal` when remaining > c; `caution` when f ≤ remaining ≤ c; `freeze` when 0 < remaining < f;
 * `exhausted` when remaining ≤ 0.
 */
export function zoneForRemaining(remaining: number, t: ZoneThresholds): Exclude<Zone, 'unknown'> {
  if (remaining <= 0) return 'exhausted';
  if (remaining > t.caution) return 'normal';
  if (remaining >= t.freeze) return 'caution';
  if (remaining > 0) return 'freeze';
  return 'exhausted'; // NaN
}

/** The zone of one SLO, including the `unknown` rules (never evaluated, stale, no data). */
export function sloZone(input: SloZoneInput): Zone {
  const { remaining, evaluatedAtMs, nowMs, evaluationIntervalMs } = input;
  if (evaluatedAtMs === null || remaining === null) return 'unknown';
  if (nowMs - evaluatedAtMs > STALE_AFTER_INTERVALS * evaluationIntervalMs) return 'unknown';
  if (input.noData) return input.onNoData === 'unknown' ? 'unknown' : 'normal';
  if (input.warmingUp) return 'normal';
  return zoneForRemaining(remaining, input.thresholds);
}

/** The worst zone of a service's SLOs; an empty list → `unknown`. */
export function serviceZone(zones: Zone[]): Zone {
  if (zones.length === 0) return 'unknown';
  let worst = zones[0];
  for (const zone of zones) {
    if (zoneSeverity(zone) > zoneSeverity(worst)) worst = zone;
  }
  return worst;
}
