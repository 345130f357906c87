import { randomBytes } from 'node:crypto';
import type { EventIncrement, EventStore, SloStoreLayout, WindowCounts } from '../../sources/events/event-store';
import { FUTURE_SLACK_MS } from '../../sources/events/bucket-layout';
import { BucketRegistry, reshape } from '../../sources/events/bucket-registry';
import { assertBatch } from '../memory/memory-event-store';
import { buildWrites, encodeLog, EventKeys, groupByTenSeconds, TtlTracker } from './redis-event-codec';
import { applyLogEntry, LoadedSeqs, loadFromRedis, RedisClient } from './redis-event-loader';
import { ADD_EVENTS_LUA, COVER_LUA } from './redis-event-scripts';
import { stateUnavailable } from './redis-call';
import type { SloBuckets } from '../../sources/events/slo-buckets';

export interface RedisEventStoreOptions {
  /** The application's clock (pass it: TTLs, skipped stale writes and reload bookkeeping use it). Default Date.now. */
  now?: () => number;
  /** approximate bound of the change log's length (XADD MAXLEN ~); default 100,000 */
  logMaxLen?: number;
  /** change-log entries older than this are trimmed (XTRIM MINID ~); default 15 min, 0 = off */
  logRetentionMs?: number;
  /** log entries per XREAD; default 1,000 */
  readCount?: number;
  /** HGETALLs per pipeline when loading; default 500 */
  loadBatch?: number;
}

interface EventScripts {
  sloEventsAddV1(log: string, seq: string, ...args: Array<string | number>): Promise<number>;
  sloEventsCoverV1(...args: Array<string | number>): Promise<number>;
}

/** Where a reader stands in the change log, and what it applies entries to. */
interface LogCursor {
  lastId: string;
  lastSeq: number;
  epoch: string;
  seqs: LoadedSeqs | null;
  lookup: (slo: string) => SloBuckets | undefined;
}

class LogGap extends Error {}

const COVER_TTL_MS = 400 * 86_400_000;
const COVER_BATCH = 500;

/**
 * Event store with Redis as the durable truth and a local in-memory mirror per replica, so that
 * `windowCounts` runs at memory speed. `add` writes Redis only (one Lua script: log entry + bucket
 * hashes); the mirror learns every write, this replica's own included, through `sync`, which
 * replays the change log — or reloads everything from the bucket hashes at first use, when the log
 * lost entries this replica had not read (trimmed, sequence gap) or Redis lost its data (epoch).
 * See redis-event-codec.ts for the keys. The client belongs to the caller (`close` leaves it open).
 */
export class RedisEventStore implements EventStore {
  private readonly keys: EventKeys;
  private readonly scripts: EventScripts;
  private readonly now: () => number;
  private readonly logMaxLen: number;
  private readonly logRetentionMs: number;
  private readonly readCount: number;
  private readonly loadBatch: number;
  private readonly registry = new BucketRegistry();
  private readonly ttls = new TtlTracker();
  /** null until the first full load (and again when one is needed) */
  private cursor: LogCursor | null = null;
  private readonly pendingLoads = new Set<string>();
  /** SLO → layout key whose cover is still to be written */
  private readonly pendingCover = new Map<string, string>();
  /** log entries skipped because their payload could not be read */
  malformedEntries = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** the live mirror, for cursors (not a closure of a load, which would keep the load's data alive) */
  private readonly mirror = (slo: string): SloBuckets | undefined => this.registry.get(slo);

  constructor(
    private readonly client: RedisClient,
    prefix = 'slo:',
    options: RedisEventStoreOptions = {},
  ) {
    this.keys = new EventKeys(prefix);
    this.now = options.now ?? Date.now;
    this.logMaxLen = options.logMaxLen ?? 100_000;
    this.logRetentionMs = options.logRetentionMs ?? 15 * 60_000;
    this.readCount = options.readCount ?? 1_000;
    this.loadBatch = options.loadBatch ?? 500;
    client.defineCommand('sloEventsAddV1', { numberOfKeys: 2, lua: ADD_EVENTS_LUA });
    client.defineCommand('sloEventsCoverV1', { numberOfKeys: 0, lua: COVER_LUA });
    this.scripts = client as unknown as EventScripts;
  }

  /** Reconfigures the mirror now; Redis bookkeeping (cover, loading new SLOs) happens at the next sync. */
  async configure(layouts: SloStoreLayout[]): Promise<void> {
    const { added, changed, removed } = this.registry.configure(layouts);
    for (const slo of [...added, ...changed]) this.pendingCover.set(slo, this.registry.get(slo)!.layout.key);
    for (const slo of removed) {
      this.pendingCover.delete(slo);
      this.pendingLoads.delete(slo);
      this.ttls.clear(slo);
    }
    for (const slo of changed) this.ttls.clear(slo); // tier numbers may have moved
    // other replicas may already have stored events of an SLO new to this one
    if (this.cursor) for (const slo of added) this.pendingLoads.add(slo);
  }

  async add(increments: EventIncrement[]): Promise<void> {
    assertBatch(increments, (slo) => this.registry.get(slo) !== undefined);
    const groups = groupByTenSeconds(increments);
    if (groups.size === 0) return;
    const claimed: Array<[string, number, number]> = [];
    const writes = buildWrites(groups, (slo) => this.registry.get(slo)!.layout, this.keys, this.now(), (slo, r, chunk) => {
      if (!this.ttls.claim(slo, r, chunk)) return false;
      claimed.push([slo, r, chunk]);
      return true;
    });
    try {
      await this.scripts.sloEventsAddV1(
        this.keys.log,
        this.keys.seq,
        this.keys.prefix,
        this.logMaxLen,
        this.logRetentionMs,
        encodeLog(groups),
        writes,
      );
    } catch (error) {
      for (const [slo, r, chunk] of claimed) this.ttls.release(slo, r, chunk);
      // a write Redis did not take is "state unavailable" (503), never a stored batch
      throw stateUnavailable('store events', error);
    }
  }

  /** Syncs run one after another; a failed one rejects and leaves the mirror as it was after the last whole entry. */
  sync(): Promise<void> {
    const run = this.queue.then(() => this.syncOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  windowCounts(slo: string, endMs: number, windowsMs: readonly number[]): WindowCounts[] {
    return this.registry.windowCounts(slo, endMs, windowsMs);
  }

  rangeCounts(slo: string, fromMs: number, toMs: number, interpolateEnd: boolean): WindowCounts {
    return this.registry.rangeCounts(slo, fromMs, toMs, interpolateEnd);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private async syncOnce(): Promise<void> {
    if (this.closed) return;
    await this.flushCover();
    if (!this.cursor) return this.fullLoad();
    if (this.pendingLoads.size > 0) await this.partialLoad(this.cursor, [...this.pendingLoads]);
    try {
      await this.readLog(this.cursor);
    } catch (error) {
      if (!(error instanceof LogGap)) throw error;
      this.cursor = null;
      await this.fullLoad();
    }
  }

  /** A full load, tried again when the log moves on under it (entries trimmed while loading). */
  private async fullLoad(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.loadAll();
      } catch (error) {
        if (!(error instanceof LogGap) || attempt >= 3) throw error;
      }
    }
  }

  /** Reads and applies the log from the cursor to its end. Throws LogGap on a lost entry or a new epoch. */
  private async readLog(cursor: LogCursor): Promise<void> {
    for (;;) {
      const replies = await this.client
        .multi()
        .get(this.keys.epoch)
        .get(this.keys.seq)
        .xread('COUNT', this.readCount, 'STREAMS', this.keys.log, cursor.lastId)
        .exec();
      const [epoch, seq, streams] = results(replies, 3) as [string | null, string | null, Array<[string, Array<[string, string[]]>]> | null];
      if (epoch !== cursor.epoch) throw new LogGap('Redis epoch changed');
      const entries = streams?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        const n = Number(field(fields, 'n'));
        if (n !== cursor.lastSeq + 1) throw new LogGap(`event log gap after ${cursor.lastSeq}`);
        try {
          applyLogEntry(n, field(fields, 'd') ?? '', cursor.lookup, cursor.seqs);
        } catch {
          this.malformedEntries++; // checked whole before applying: nothing of it was applied
        }
        cursor.lastId = id;
        cursor.lastSeq = n;
      }
      if (cursor.seqs && cursor.lastSeq >= cursor.seqs.max) cursor.seqs = null;
      if (entries.length < this.readCount) {
        if (Number(seq ?? 0) !== cursor.lastSeq) throw new LogGap(`event log gap: ${seq} written, ${cursor.lastSeq} read`);
        return;
      }
    }
  }

  /** Rebuilds the whole mirror from Redis off to the side, then swaps it in. */
  private async loadAll(): Promise<void> {
    const fresh = randomBytes(12).toString('hex');
    const replies = await this.client
      .multi()
      .set(this.keys.epoch, fresh, 'NX', 'GET')
      .get(this.keys.seq)
      .xrevrange(this.keys.log, '+', '-', 'COUNT', 1)
      .exec();
    const [previous, seq, last] = results(replies, 3) as [string | null, string | null, Array<[string, string[]]>];
    const targets = this.registry.layoutsBySlo();
    const loaded = await loadFromRedis(this.client, this.keys, targets, this.loadBatch, this.now());
    const cursor: LogCursor = {
      epoch: previous ?? fresh,
      lastSeq: Number(seq ?? 0),
      lastId: last[0]?.[0] ?? '0-0',
      seqs: loaded.seqs,
      lookup: (slo) => loaded.buckets.get(slo),
    };
    await this.readLog(cursor);
    for (const [slo, buckets] of loaded.buckets) {
      const current = this.registry.get(slo);
      if (!current) continue; // removed while loading
      this.registry.replace(slo, current.layout.key === buckets.layout.key ? buckets : reshape(buckets, current.layout));
    }
    this.pendingLoads.clear();
    for (const slo of this.registry.ids()) if (!loaded.buckets.has(slo)) this.pendingLoads.add(slo); // added while loading
    cursor.lookup = this.mirror;
    this.cursor = cursor;
  }

  /** Loads SLOs new to this replica (others may have stored their events) into the live mirror at the cursor. */
  private async partialLoad(cursor: LogCursor, slos: string[]): Promise<void> {
    const targets = new Map(slos.flatMap((slo) => (this.registry.get(slo) ? [[slo, this.registry.get(slo)!.layout] as const] : [])));
    const loaded = await loadFromRedis(this.client, this.keys, targets, this.loadBatch, this.now());
    for (const [slo, buckets] of loaded.buckets) {
      const current = this.registry.get(slo);
      if (current) this.registry.replace(slo, current.layout.key === buckets.layout.key ? buckets : reshape(buckets, current.layout));
      this.pendingLoads.delete(slo);
    }
    if (cursor.seqs) cursor.seqs.merge(loaded.seqs);
    else cursor.seqs = loaded.seqs;
  }

  private async flushCover(): Promise<void> {
    if (this.pendingCover.size === 0) return;
    const flushed = [...this.pendingCover];
    const slos = flushed.map(([slo]) => slo);
    const now = this.now();
    for (let i = 0; i < slos.length; i += COVER_BATCH) {
      const items = slos.slice(i, i + COVER_BATCH).flatMap((slo) => {
        const buckets = this.registry.get(slo);
        return buckets ? [[slo, ...buckets.layout.tiers.flatMap((tier) => [String(tier.widthMs), tier.capacity])]] : [];
      });
      if (items.length === 0) continue;
      await this.scripts.sloEventsCoverV1(this.keys.prefix, now, Math.ceil(now + FUTURE_SLACK_MS), COVER_TTL_MS, JSON.stringify(items));
    }
    for (const [slo, key] of flushed) if (this.pendingCover.get(slo) === key) this.pendingCover.delete(slo);
  }
}

function results(replies: Array<[Error | null, unknown]> | null, count: number): unknown[] {
  if (!replies || replies.length !== count) throw new Error('Redis transaction was not executed');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
