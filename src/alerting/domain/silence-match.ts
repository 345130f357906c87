/**
 * Whether a silence mutes an alert's notifications (SPEC §6: silenced alerts are still evaluated and
 * listed, just not notified). Pure: no framework, no state; the delivery side reads the silences and
 * asks this per alert.
 */

/** What matching needs of a silence (the stored `Silence` has this shape). */
export interface SilenceScope {
  /** the SLO it silences, or null when it silences a whole service */
  slo: string | null;
  /** the service whose every SLO it silences, or null when it silences one SLO */
  service: string | null;
  /** ISO-8601: when it was created (it is in force from then) */
  createdAt: string;
  /** ISO-8601: when it ends (exclusive) */
  until: string;
}

export interface SilencedAlert {
  slo: string;
  service: string;
}

/** In force at `nowMs`: `createdAt ≤ now < until`. An unreadable timestamp never makes it active. */
export function silenceActive(silence: Pick<SilenceScope, 'createdAt' | 'until'>, nowMs: number): boolean {
  return Date.parse(silence.createdAt) <= nowMs && nowMs < Date.parse(silence.until);
}

/** Active at `nowMs` and naming the alert's SLO or the alert's service. */
export function silenceCovers(silence: SilenceScope, alert: SilencedAlert, nowMs: number): boolean {
  if (!silenceActive(silence, nowMs)) return false;
  return (silence.slo !== null && silence.slo === alert.slo) || (silence.service !== null && silence.service === alert.service);
}
