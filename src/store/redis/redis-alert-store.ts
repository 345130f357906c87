import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AlertStateRepository, parseStoredStates, serializeStates, SloAlertChange, StoredSloAlerts } from '../../alerting/ports/alert-state.repository';
import type { ClaimedDelivery, ClaimOptions, Delivery, Outbox, RetryUpdate } from '../../notifiers/ports/outbox';
import { REMINDER_MARK_TTL_MS, type ReminderOutbox } from '../../alerting/ports/reminder-outbox';
import { redisCall } from './redis-call';
import { CLAIM_LUA, COMMIT_ALERTS_LUA, COMPLETE_LUA, RECORD_REMINDER_LUA, RETRY_LUA } from './redis-alert-scripts';

interface AlertScripts {
  sloAlertsCommitV1(...args: Array<string | number>): Promise<number[]>;
  sloReminderRecordV1(...args: Array<string | number>): Promise<number>;
  sloOutboxClaimV1(...args: Array<string | number>): Promise<string[]>;
  sloOutboxCompleteV1(...args: Array<string | number>): Promise<number>;
  sloOutboxRetryV1(...args: Array<string | number>): Promise<number>;
}

/** At most this many SLO changes per commit script call (keeps one call's argument list bounded). */
const COMMIT_CHUNK = 200;

/**
 * Alert states, postmortem reminders' marks and the outbox in Redis, shared by every replica (the
 * contracts: alerting/ports/alert-state.repository.ts, alerting/ports/reminder-outbox.ts and
 * notifiers/ports/outbox.ts; the scripts: redis-alert-scripts.ts).
 */
export class RedisAlertStore implements AlertStateRepository, Outbox, ReminderOutbox {
  private readonly keys: { state: string; items: string; due: string; lease: string; pace: string; lanePrefix: string; remindedPrefix: string };
  private readonly scripts: AlertScripts;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = {
      state: `${prefix}alerts:state`,
      items: `${prefix}outbox:items`,
      due: `${prefix}outbox:due`,
      lease: `${prefix}outbox:lease`,
      pace: `${prefix}outbox:pace`,
      lanePrefix: `${prefix}outbox:lane:`,
      remindedPrefix: `${prefix}reminded:`,
    };
    redis.defineCommand('sloAlertsCommitV1', { numberOfKeys: 3, lua: COMMIT_ALERTS_LUA });
    redis.defineCommand('sloReminderRecordV1', { numberOfKeys: 3, lua: RECORD_REMINDER_LUA });
    redis.defineCommand('sloOutboxClaimV1', { numberOfKeys: 4, lua: CLAIM_LUA });
    redis.defineCommand('sloOutboxCompleteV1', { numberOfKeys: 4, lua: COMPLETE_LUA });
    redis.defineCommand('sloOutboxRetryV1', { numberOfKeys: 4, lua: RETRY_LUA });
    this.scripts = redis as unknown as AlertScripts;
  }

  /** A malformed value fails only its SLO: answered `unreadable`, naming the hash and the field. */
  async loadAll(): Promise<StoredSloAlerts[]> {
    const all = await redisCall('read alert states', () => this.redis.hgetall(this.keys.state));
    return Object.entries(all).map(([slo, json]) => parseStoredStates(slo, json, `Redis hash "${this.keys.state}" field "${slo}"`));
  }

  async commit(changes: readonly SloAlertChange[], nowMs: number): Promise<boolean[]> {
    const applied: boolean[] = [];
    for (let i = 0; i < changes.length; i += COMMIT_CHUNK) {
      const chunk = changes.slice(i, i + COMMIT_CHUNK);
      const args: Array<string | number> = [this.keys.state, this.keys.items, this.keys.due, nowMs, this.keys.lanePrefix, chunk.length];
      for (const change of chunk) {
        args.push(change.slo, change.expected ?? '', serializeStates(change.states, change.about), change.deliveries.length);
        for (const d of change.deliveries) args.push(d.id, d.lane, JSON.stringify(d));
      }
      const result = await redisCall('commit alert states', () => this.scripts.sloAlertsCommitV1(...args));
      for (const flag of result) applied.push(flag === 1);
    }
    return applied;
  }

  async recordReminder(key: string, deliveries: readonly Delivery[], nowMs: number): Promise<boolean> {
    const args: Array<string | number> = [this.keys.remindedPrefix + key, this.keys.items, this.keys.due, nowMs, this.keys.lanePrefix, REMINDER_MARK_TTL_MS, deliveries.length];
    for (const d of deliveries) args.push(d.id, d.lane, JSON.stringify(d));
    const recorded = await redisCall('record postmortem reminder', () => this.scripts.sloReminderRecordV1(...args));
    return recorded === 1;
  }

  async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    const lease = randomUUID();
    const items = await redisCall('claim notifications', () =>
      this.scripts.sloOutboxClaimV1(
        this.keys.due,
        this.keys.lease,
        this.keys.pace,
        this.keys.items,
        options.nowMs,
        options.max,
        options.leaseMs,
        lease,
        JSON.stringify(options.minIntervalMs),
        this.keys.lanePrefix,
      ),
    );
    return items.map((json) => ({ delivery: JSON.parse(json) as Delivery, lease }));
  }

  async complete(claim: ClaimedDelivery, nowMs: number): Promise<boolean> {
    const { lane, id } = claim.delivery;
    const done = await redisCall('complete notification', () =>
      this.scripts.sloOutboxCompleteV1(this.keys.due, this.keys.lease, this.keys.items, this.keys.lanePrefix + lane, lane, id, claim.lease, nowMs),
    );
    return done === 1;
  }

  async retry(claim: ClaimedDelivery, update: RetryUpdate): Promise<boolean> {
    const { lane, id, receiver } = claim.delivery;
    const item: Delivery = { ...claim.delivery, attempts: update.attempts, lastError: update.lastError };
    const done = await redisCall('reschedule notification', () =>
      this.scripts.sloOutboxRetryV1(
        this.keys.due,
        this.keys.lease,
        this.keys.items,
        this.keys.pace,
        lane,
        id,
        claim.lease,
        update.retryAtMs,
        JSON.stringify(item),
        receiver,
        update.receiverPausedUntilMs ?? '',
      ),
    );
    return done === 1;
  }

  async pending(): Promise<Delivery[]> {
    return redisCall('read pending notifications', async () => {
      const lanes = (await this.redis.zrange(this.keys.due, 0, -1)).sort();
      const out: Delivery[] = [];
      for (const lane of lanes) {
        const ids = await this.redis.lrange(this.keys.lanePrefix + lane, 0, -1);
        if (ids.length === 0) continue;
        const items = await this.redis.hmget(this.keys.items, ...ids);
        for (const json of items) if (json) out.push(JSON.parse(json) as Delivery);
      }
      return out;
    });
  }
}
