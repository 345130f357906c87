/**
 * Where alert states and pending notifications live (SPEC §6, §8): in Redis when used, so every
 * replica sees one truth and a restart neither re-pages nor forgets; in memory otherwise.
 *
 * Two guarantees carry "one notification per transition per receiver":
 * - `commit` writes an SLO's new alert states and the notifications they cause in one atomic step,
 *   and only if the states are still those the caller read (compare-and-set on `version`): of two
 *   replicas evaluating the same transition, one commits and the other's plan is dropped;
 * - the deliveries are recorded into the notifiers' outbox (`notifiers/ports/outbox.ts`), whose
 *   lanes keep each alert's notifications in order per receiver.
 */
import type { AlertState } from '../domain/alert-state';
import type { Delivery } from '../../notifiers/ports/outbox';

/** The alerts of one SLO as stored; an SLO with nothing stored has every alert inactive. */
export interface StoredSloAlerts {
  slo: string;
  states: AlertState[];
  /** opaque; hand it back to `commit` as `expected` */
  version: string;
}

export interface SloAlertChange {
  slo: string;
  /** the version read; null when nothing was stored for the SLO */
  expected: string | null;
  /** the SLO's alerts after the change; none firing and none told removes the entry */
  states: AlertState[];
  deliveries: Delivery[];
}

export interface AlertStateRepository {
  /** every SLO with stored alerts */
  loadAll(): Promise<StoredSloAlerts[]>;
  /**
   * Applies each change atomically — states and deliveries together — if its SLO's stored version
   * is still `expected`; answers per change whether it was applied.
   */
  commit(changes: readonly SloAlertChange[], nowMs: number): Promise<boolean[]>;
}

export const ALERT_STATE_REPOSITORY = Symbol('ALERT_STATE_REPOSITORY');

/** The stored form of an SLO's alerts; '' when nothing is worth keeping (all inactive). */
export function serializeStates(states: readonly AlertState[]): string {
  return states.some((s) => s.state === 'firing' || s.notifiedReceivers.length > 0) ? JSON.stringify(states) : '';
}
