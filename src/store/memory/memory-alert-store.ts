import { randomUUID } from 'node:crypto';
import { AlertStateRepository, parseStoredStates, serializeStates, SloAlertChange, StoredSloAlerts } from '../../alerting/ports/alert-state.repository';
import { receiverOfLane, type ClaimedDelivery, type ClaimOptions, type Delivery, type Outbox, type RetryUpdate } from '../../notifiers/ports/outbox';
import type { ReminderOutbox } from '../../alerting/ports/reminder-outbox';

/**
 * Alert states, postmortem reminders' marks and the outbox in process: the same semantics as the
 * Redis store (one contract suite tests both), kept only while the process lives.
 */
export class MemoryAlertStore implements AlertStateRepository, Outbox, ReminderOutbox {
  /** slo → stored states as read back from their JSON (the version), never mutated once stored */
  private readonly states = new Map<string, StoredSloAlerts>();
  private readonly items = new Map<string, Delivery>();
  private readonly lanes = new Map<string, string[]>();
  /** lane → due time of its head */
  private readonly due = new Map<string, number>();
  private readonly leases = new Map<string, string>();
  /** receiver → not before */
  private readonly pace = new Map<string, number>();
  /** keys of the postmortem reminders recorded */
  private readonly reminded = new Set<string>();

  async loadAll(): Promise<StoredSloAlerts[]> {
    return [...this.states.values()];
  }

  async commit(changes: readonly SloAlertChange[], nowMs: number): Promise<boolean[]> {
    return changes.map((change) => {
      if ((this.states.get(change.slo)?.version ?? '') !== (change.expected ?? '')) return false;
      const json = serializeStates(change.states, change.about);
      if (json === '') this.states.delete(change.slo);
      else this.states.set(change.slo, deepFreeze(parseStoredStates(change.slo, json, `alert state of "${change.slo}" in memory`)));
      this.append(change.deliveries, nowMs);
      return true;
    });
  }

  async recordReminder(key: string, deliveries: readonly Delivery[], nowMs: number): Promise<boolean> {
    if (this.reminded.has(key)) return false;
    this.reminded.add(key);
    this.append(deliveries, nowMs);
    return true;
  }

  /** Appends deliveries to their lanes; a lane new or idle is due now. */
  private append(deliveries: readonly Delivery[], nowMs: number): void {
    for (const delivery of deliveries) {
      this.items.set(delivery.id, structuredClone(delivery));
      const lane = this.lanes.get(delivery.lane);
      if (lane) lane.push(delivery.id);
      else this.lanes.set(delivery.lane, [delivery.id]);
      if (!this.due.has(delivery.lane)) this.due.set(delivery.lane, nowMs);
    }
  }

  async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    const { nowMs, max, leaseMs, minIntervalMs } = options;
    const lease = randomUUID();
    const dueLanes = [...this.due].filter(([, at]) => at <= nowMs).sort((a, b) => a[1] - b[1]);
    const out: ClaimedDelivery[] = [];
    for (const [lane] of dueLanes) {
      if (out.length >= max) break;
      const receiver = receiverOfLane(lane);
      const notBefore = this.pace.get(receiver) ?? 0;
      if (notBefore > nowMs) {
        this.due.set(lane, notBefore);
        continue;
      }
      const ids = this.lanes.get(lane) ?? [];
      const head = ids.length > 0 ? this.items.get(ids[0]) : undefined;
      if (!head) {
        this.dropLaneIfEmpty(lane);
        continue;
      }
      const interval = minIntervalMs[receiver];
      if (interval) this.pace.set(receiver, nowMs + interval);
      this.due.set(lane, nowMs + leaseMs);
      this.leases.set(lane, lease);
      out.push({ delivery: structuredClone(head), lease });
    }
    return out;
  }

  async complete(claim: ClaimedDelivery, nowMs: number): Promise<boolean> {
    const { lane, id } = claim.delivery;
    if (this.leases.get(lane) !== claim.lease) return false;
    this.leases.delete(lane);
    const ids = this.lanes.get(lane) ?? [];
    if (ids[0] === id) {
      ids.shift();
      this.items.delete(id);
    }
    if (ids.length > 0) this.due.set(lane, nowMs);
    else this.dropLaneIfEmpty(lane);
    return true;
  }

  async retry(claim: ClaimedDelivery, update: RetryUpdate): Promise<boolean> {
    const { lane, id, receiver } = claim.delivery;
    if (this.leases.get(lane) !== claim.lease) return false;
    this.leases.delete(lane);
    const item = this.items.get(id);
    if (item) {
      item.attempts = update.attempts;
      item.lastError = update.lastError;
    }
    this.due.set(lane, update.retryAtMs);
    if (update.receiverPausedUntilMs !== undefined && (this.pace.get(receiver) ?? 0) < update.receiverPausedUntilMs) {
      this.pace.set(receiver, update.receiverPausedUntilMs);
    }
    return true;
  }

  async pending(): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const lane of [...this.lanes.keys()].sort()) {
      for (const id of this.lanes.get(lane) ?? []) {
        const item = this.items.get(id);
        if (item) out.push(structuredClone(item));
      }
    }
    return out;
  }

  private dropLaneIfEmpty(lane: string): void {
    if ((this.lanes.get(lane)?.length ?? 0) > 0) return;
    this.lanes.delete(lane);
    this.due.delete(lane);
    this.leases.delete(lane);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
