/**
 * Where alert states and pending notifications live (SPEC §6, §8): in Redis when used, so every
 * replica sees one truth and a restart neither re-pages nor forgets; in memory otherwise.
 *
 * Two guarantees carry "one notification per transition per receiver":
 * - `commit` writes an SLO's new alert states and the notifications they cause in one atomic step,
 *   and only if the states are still those the caller read (compare-and-set on `version`): of two
 *   replicas evaluating the same transition, one commits and the other's plan is dropped;
 * - the outbox is a set of *lanes*, one per (receiver, alert): a lane's notifications are sent one
 *   at a time in the order recorded (a trigger before its resolve), each claimed under a lease so
 *   one replica sends it; a lease that runs out (the sender died) makes it due again.
 */
import type { AlertState } from '../notifiers/domain/alert-state';
import type { NotificationAction } from '../notifiers/domain/notification-plan';
import type { NotificationMessage } from '../notifiers/notification';

/** The alerts of one SLO as stored; an SLO with nothing stored has every alert inactive. */
export interface StoredSloAlerts {
  slo: string;
  states: AlertState[];
  /** opaque; hand it back to `commit` as `expected` */
  version: string;
}

/** One notification to one receiver, recorded before it is sent. */
export interface Delivery {
  id: string;
  /** `{receiver}/{alertKey}`: the order-keeping queue it waits in */
  lane: string;
  receiver: string;
  alertKey: string;
  action: NotificationAction;
  message: NotificationMessage;
  createdAtMs: number;
  /** send attempts so far */
  attempts: number;
  lastError: string | null;
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

export interface ClaimedDelivery {
  delivery: Delivery;
  /** proves the claim in `complete` / `retry` */
  lease: string;
}

export interface ClaimOptions {
  nowMs: number;
  max: number;
  /** a claim not completed or retried within this long is due again (the sender died) */
  leaseMs: number;
  /** per receiver, the least time between two sends (Slack: 1 s); missing: no pacing */
  minIntervalMs: Readonly<Record<string, number>>;
}

export interface RetryUpdate {
  retryAtMs: number;
  attempts: number;
  lastError: string;
  /** a 429's Retry-After holds back every lane of the receiver until then */
  receiverPausedUntilMs?: number;
}

export interface Outbox {
  /** claims up to `max` due lane heads whose receiver is not paced or paused */
  claim(options: ClaimOptions): Promise<ClaimedDelivery[]>;
  /** removes a delivered (or permanently failed) head; the lane's next notification is due at once */
  complete(claim: ClaimedDelivery, nowMs: number): Promise<boolean>;
  /** keeps the head and makes it due again at `retryAtMs` */
  retry(claim: ClaimedDelivery, update: RetryUpdate): Promise<boolean>;
  /** every recorded, undelivered notification, lane by lane in order */
  pending(): Promise<Delivery[]>;
}

export const ALERT_STATE_REPOSITORY = Symbol('ALERT_STATE_REPOSITORY');
export const OUTBOX = Symbol('OUTBOX');

export function laneOf(receiver: string, alertKey: string): string {
  return `${receiver}/${alertKey}`;
}

/** The receiver of a lane: everything before the alert key's two segments (`{slo}/{severity}`). */
export function receiverOfLane(lane: string): string {
  const match = /^(.*)\/[^/]+\/[^/]+$/.exec(lane);
  return match ? match[1] : lane;
}

/** The stored form of an SLO's alerts; '' when nothing is worth keeping (all inactive). */
export function serializeStates(states: readonly AlertState[]): string {
  return states.some((s) => s.state === 'firing' || s.notifiedReceivers.length > 0) ? JSON.stringify(states) : '';
}
