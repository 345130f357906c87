import type { EventIncrement } from '../../sources/events/event-store';
import { BucketLayout, FINEST_WIDTH_MS } from '../../sources/events/bucket-layout';

/**
 * Redis key names and the formats stored under them (no I/O here).
 *
 * - `${prefix}ev:{slo}:${widthMs}:${chunk}`: hash of one SLO's buckets of one tier, CHUNK_BUCKETS
 *   buckets per hash (chunk = floor(idx / CHUNK_BUCKETS)); fields `${idx − chunk·32}t` (total) and
 *   `${idx − chunk·32}b` (bad = total − good, left out while 0, which is most of the time). 32
 *   buckets keep a hash at ≤ 64 short fields, inside Redis' compact listpack encoding.
 * - `${prefix}ev:{slo}:cover`: hash `${widthMs}` → `${capacity}:${since}`: the ring capacity the
 *   tier is written with and the time from which Redis holds it completely (`-`: always).
 * - `${prefix}ev:log`: the change log (stream); each entry `n` (sequence number) and `d` (payload).
 * - `${prefix}ev:seq`: the last sequence number; `${prefix}ev:epoch`: random, set once (a new
 *   value means Redis lost its data).
 * The `{slo}` hash tag keeps an SLO's keys on one Cluster slot.
 */
export const CHUNK_BUCKETS = 32;

export type ParsedKey = { kind: 'bucket'; slo: string; widthMs: number; chunk: number } | { kind: 'cover'; slo: string };

export class EventKeys {
  readonly log: string;
  readonly seq: string;
  readonly epoch: string;
  /** SCAN MATCH pattern of every bucket and cover hash */
  readonly scanPattern: string;
  private readonly sloPrefix: string;

  constructor(readonly prefix: string) {
    this.log = `${prefix}ev:log`;
    this.seq = `${prefix}ev:seq`;
    this.epoch = `${prefix}ev:epoch`;
    this.sloPrefix = `${prefix}ev:{`;
    this.scanPattern = `${prefix.replace(/[*?[\]\\^]/g, '\\$&')}ev:{*`;
  }

  /** bucket key without the prefix (the add script prepends it) */
  bucketSuffix(slo: string, widthMs: number, chunk: number): string {
    return `ev:{${slo}}:${widthMs}:${chunk}`;
  }

  bucketKey(slo: string, widthMs: number, chunk: number): string {
    return this.prefix + this.bucketSuffix(slo, widthMs, chunk);
  }

  coverKey(slo: string): string {
    return `${this.sloPrefix}${slo}}:cover`;
  }

  parse(key: string): ParsedKey | null {
    if (!key.startsWith(this.sloPrefix)) return null;
    const rest = key.slice(this.sloPrefix.length);
    if (rest.endsWith('}:cover')) return { kind: 'cover', slo: rest.slice(0, -'}:cover'.length) };
    const match = /^(.*)\}:(\d+):(-?\d+)$/s.exec(rest);
    if (!match) return null;
    return { kind: 'bucket', slo: match[1], widthMs: Number(match[2]), chunk: Number(match[3]) };
  }
}

export function chunkOf(idx: number): number {
  return Math.floor(idx / CHUNK_BUCKETS);
}

/** slo → 10s bucket index → [good, total] */
export type TenSecondGroups = Map<string, Map<number, [number, number]>>;

export function groupByTenSeconds(increments: readonly EventIncrement[]): TenSecondGroups {
  const groups: TenSecondGroups = new Map();
  for (const { slo, timestampMs, good, total } of increments) {
    if (good === 0 && total === 0) continue;
    let buckets = groups.get(slo);
    if (!buckets) groups.set(slo, (buckets = new Map()));
    const idx = Math.floor(timestampMs / FINEST_WIDTH_MS);
    const sums = buckets.get(idx);
    if (sums) {
      sums[0] += good;
      sums[1] += total;
    } else buckets.set(idx, [good, total]);
  }
  return groups;
}

/**
 * Log payload: `{"b": base, "s": [[slo, idx − base, good, total, idx − base, good, total, …], …]}`
 * with 10s bucket indexes. Readers fan the counts out to their own tiers (every tier width is a
 * multiple of 10s), so a replica whose layout differs from the writer's still learns every event.
 */
export function encodeLog(groups: TenSecondGroups): string {
  let base = Infinity;
  for (const buckets of groups.values()) for (const idx of buckets.keys()) if (idx < base) base = idx;
  const slos: Array<Array<string | number>> = [];
  for (const [slo, buckets] of groups) {
    const row: Array<string | number> = [slo];
    for (const [idx, [good, total]] of buckets) row.push(idx - base, good, total);
    slos.push(row);
  }
  return JSON.stringify({ b: base, s: slos });
}

/** Decodes and checks the whole payload, then visits it (so an entry is applied whole or not at all). */
export function decodeLog(text: string, visit: (slo: string, idx: number, good: number, total: number) => void): void {
  const payload = JSON.parse(text) as { b?: unknown; s?: unknown };
  const base = payload.b;
  const rows = payload.s;
  if (typeof base !== 'number' || !Array.isArray(rows)) throw new Error('malformed event log entry');
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || (row.length - 1) % 3 !== 0) throw new Error('malformed event log entry');
    for (let i = 1; i < row.length; i++) if (typeof row[i] !== 'number') throw new Error('malformed event log entry');
  }
  for (const row of rows as Array<[string, ...number[]]>) {
    for (let i = 1; i < row.length; i += 3) visit(row[0], base + (row[i] as number), row[i + 1] as number, row[i + 2] as number);
  }
}

/**
 * The hash increments of a batch for the add script, as JSON: `[[keySuffix, ttlMs or 0, field,
 * value, …], …]`. Buckets already out of their ring at `nowMs` are not written. `setTtl` says
 * whether this writer still has to give the hash (SLO, tier r, chunk) its TTL (see TtlTracker):
 * the hash lives until its last bucket has left the ring plus a margin,
 * ttl = max((C + 2·chunk)·w, (end of chunk + C + chunk)·w − now), the first term covering clocks
 * that disagree with event times.
 */
export function buildWrites(
  groups: TenSecondGroups,
  layoutOf: (slo: string) => BucketLayout,
  keys: EventKeys,
  nowMs: number,
  setTtl: (slo: string, r: number, chunk: number) => boolean,
): string {
  const parts: string[] = [];
  const idxs: number[] = [];
  const goods: number[] = [];
  const totals: number[] = [];
  const chunks: number[] = [];
  const chunkParts: string[] = [];
  for (const [slo, buckets] of groups) {
    const { widths, capacities } = layoutOf(slo);
    const tenSeconds = [...buckets.keys()];
    const sums = [...buckets.values()];
    for (let r = 0; r < widths.length; r++) {
      const widthMs = widths[r];
      const capacity = capacities[r];
      const oldest = Math.floor(nowMs / widthMs) - capacity + 1;
      // this tier's buckets, summed (a batch usually has a handful per SLO)
      let n = 0;
      for (let i = 0; i < tenSeconds.length; i++) {
        const idx = Math.floor((tenSeconds[i] * FINEST_WIDTH_MS) / widthMs);
        if (idx < oldest) continue;
        let at = 0;
        while (at < n && idxs[at] !== idx) at++;
        if (at === n) {
          idxs[n] = idx;
          goods[n] = 0;
          totals[n] = 0;
          n++;
        }
        goods[at] += sums[i][0];
        totals[at] += sums[i][1];
      }
      // one write per chunk touched
      let chunkCount = 0;
      for (let i = 0; i < n; i++) {
        const chunk = chunkOf(idxs[i]);
        let c = 0;
        while (c < chunkCount && chunks[c] !== chunk) c++;
        if (c === chunkCount) {
          chunks[chunkCount] = chunk;
          chunkParts[chunkCount] = '';
          chunkCount++;
        }
        const rel = idxs[i] - chunk * CHUNK_BUCKETS;
        const bad = totals[i] - goods[i];
        if (totals[i] !== 0) chunkParts[c] += `,"${rel}t",${totals[i]}`;
        if (bad !== 0) chunkParts[c] += `,"${rel}b",${bad}`;
      }
      for (let c = 0; c < chunkCount; c++) {
        if (chunkParts[c] === '') continue;
        const chunk = chunks[c];
        const ttl = setTtl(slo, r, chunk)
          ? Math.ceil(Math.max((capacity + 2 * CHUNK_BUCKETS) * widthMs, ((chunk + 1) * CHUNK_BUCKETS + capacity + CHUNK_BUCKETS) * widthMs - nowMs))
          : 0;
        parts.push(`[${JSON.stringify(keys.bucketSuffix(slo, widthMs, chunk))},${ttl}${chunkParts[c]}]`);
      }
    }
  }
  return `[${parts.join(',')}]`;
}

/** Cover field value → the time from which the tier is complete in Redis (−Infinity: always). */
export function parseCoverSince(value: string): number {
  const since = value.slice(value.indexOf(':') + 1);
  if (since === '-' || since === '') return -Infinity;
  const ms = Number(since);
  return Number.isFinite(ms) ? ms : -Infinity;
}

/**
 * Bucket hashes this writer has already given a TTL: the add script sets it on first touch only,
 * sparing a PEXPIRE per hash per batch. Remembers the last few chunks per (SLO, tier) — writes go
 * to the newest chunks — so a restarted or new writer simply sets the TTL once more.
 */
export class TtlTracker {
  private static readonly PER_TIER = 4;
  private readonly recent = new Map<string, Float64Array>();

  /** true (and remembered) when this writer has not given (slo, tier r, chunk) its TTL lately */
  claim(slo: string, r: number, chunk: number): boolean {
    let slots = this.recent.get(slo);
    const base = r * TtlTracker.PER_TIER;
    if (!slots || slots.length < base + TtlTracker.PER_TIER) {
      const grown = new Float64Array((r + 1) * TtlTracker.PER_TIER).fill(Number.NaN);
      if (slots) grown.set(slots);
      this.recent.set(slo, (slots = grown));
    }
    // replace an empty slot, else the oldest chunk
    let victim = base;
    let victimScore = Infinity;
    for (let i = base; i < base + TtlTracker.PER_TIER; i++) {
      if (slots[i] === chunk) return false;
      const score = Number.isNaN(slots[i]) ? -Infinity : slots[i];
      if (score < victimScore) {
        victim = i;
        victimScore = score;
      }
    }
    slots[victim] = chunk;
    return true;
  }

  /** forgets a claim whose write did not happen */
  release(slo: string, r: number, chunk: number): void {
    const slots = this.recent.get(slo);
    if (!slots) return;
    for (let i = r * TtlTracker.PER_TIER; i < (r + 1) * TtlTracker.PER_TIER; i++) if (slots[i] === chunk) slots[i] = Number.NaN;
  }

  clear(slo: string): void {
    this.recent.delete(slo);
  }
}
