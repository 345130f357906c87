/**
 * The outbox (SPEC §6, §8): notifications recorded before they are sent, in Redis when used so a
 * restart or another replica sends what one replica recorded; in memory otherwise.
 *
 * The outbox is a set of *lanes*, one per (receiver, alert): a lane's notifications are sent one at
 * a time in the order recorded (a trigger before its resolve), each claimed under a lease so one
 * replica sends it; a lease that runs out (the sender died) makes it due again. Alerting records
 * into it (together with its alert states, see `AlertStateRepository.commit`); the delivery worker
 * drains it.
 */
import type { NotificationAction, OutboxMessage } from './notification-message';

/** One notification to one receiver, recorded before it is sent. */
export interface Delivery {
  id: string;
  /** `{receiver}/{alertKey}`: the order-keeping queue it waits in */
  lane: string;
  receiver: string;
  /** `{slo}/{severity}`, `{slo}/source`, or `postmortem/{incidentId}` for postmortem reminders */
  alertKey: string;
  action: NotificationAction;
  message: OutboxMessage;
  createdAtMs: number;
  /** send attempts so far */
  attempts: number;
  lastError: string | null;
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

export const OUTBOX = Symbol('OUTBOX');

export function laneOf(receiver: string, alertKey: string): string {
  return `${receiver}/${alertKey}`;
}

/** The receiver of a lane: everything before the alert key's two segments (`{slo}/{severity}`, `postmortem/{incidentId}`). */
export function receiverOfLane(lane: string): string {
  const match = /^(.*)\/[^/]+\/[^/]+$/.exec(lane);
  return match ? match[1] : lane;
}

