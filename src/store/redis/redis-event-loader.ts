import type { Cluster, Redis } from 'ioredis';
import { BucketLayout, TIER_WIDTHS_MS } from '../../sources/events/bucket-layout';
import { CHUNK_BUCKETS, chunkOf, decodeLog, EventKeys, parseCoverSince } from './redis-event-codec';
import { SloBuckets } from '../../sources/events/slo-buckets';

export type RedisClient = Redis | Cluster;

/**
 * For each loaded bucket hash, the sequence number it was read at: log entries up to it are
 * already in the hash and must not be applied again. (Hashes are read in MULTI batches together
 * with the sequence counter, so a batch is a consistent snapshot; a hash not loaded got all its
 * writes after the load's starting point, which the replay applies in full.)
 */
export class LoadedSeqs {
  /** slo → (chunk · 8 + tier number) → sequence */
  private readonly seqs = new Map<string, Map<number, number>>();
  max = 0;

  private static key(widthMs: number, chunk: number): number {
    return chunk * 8 + TIER_WIDTHS_MS.indexOf(widthMs);
  }

  set(slo: string, widthMs: number, chunk: number, seq: number): void {
    let bySlo = this.seqs.get(slo);
    if (!bySlo) this.seqs.set(slo, (bySlo = new Map()));
    bySlo.set(LoadedSeqs.key(widthMs, chunk), seq);
    if (seq > this.max) this.max = seq;
  }

  /** whether entry `n` is already counted in the hash of (slo, width, chunk) */
  covers(slo: string, widthMs: number, chunk: number, n: number): boolean {
    const seq = this.seqs.get(slo)?.get(LoadedSeqs.key(widthMs, chunk));
    return seq !== undefined && seq >= n;
  }

  merge(other: LoadedSeqs): void {
    for (const [slo, bySlo] of other.seqs) this.seqs.set(slo, bySlo);
    if (other.max > this.max) this.max = other.max;
  }
}

/**
 * Applies one log entry (sequence `n`) to the rings `lookup` finds; with `seqs`, skips the
 * (SLO, tier, chunk) hashes that already held it when loaded. The payload is checked whole first.
 */
export function applyLogEntry(
  n: number,
  payload: string,
  lookup: (slo: string) => SloBuckets | undefined,
  seqs: LoadedSeqs | null,
): void {
  decodeLog(payload, (slo, idx10s, good, total) => {
    const buckets = lookup(slo);
    if (!buckets) return;
    const timestampMs = idx10s * 10_000;
    const tiers = buckets.layout.tiers;
    for (let r = 0; r < tiers.length; r++) {
      const widthMs = tiers[r].widthMs;
      const idx = Math.floor(timestampMs / widthMs);
      if (seqs && seqs.covers(slo, widthMs, chunkOf(idx), n)) continue;
      buckets.addToTier(r, idx, good, total);
    }
  });
}

/**
 * Fresh rings for `targets`, filled from every bucket and cover hash Redis holds for them (SCAN
 * over the prefix, HGETALLs in MULTI batches). Tiers a target's layout lacks are not loaded.
 * Redis keeps a tier only for its ring's range as of now (older buckets are not written and expire),
 * so a loaded ring is complete at most from the start of that range at `nowMs`, and from its cover.
 * SCAN on a Cluster client would need one scan per master: single node / Sentinel only for now.
 */
export async function loadFromRedis(
  client: RedisClient,
  keys: EventKeys,
  targets: ReadonlyMap<string, BucketLayout>,
  batchSize: number,
  nowMs: number,
): Promise<{ buckets: Map<string, SloBuckets>; seqs: LoadedSeqs }> {
  const buckets = new Map<string, SloBuckets>();
  for (const [slo, layout] of targets) {
    const fresh = new SloBuckets(layout);
    layout.tiers.forEach(({ widthMs, capacity }, r) => fresh.raiseCompleteFrom(r, (Math.floor(nowMs / widthMs) - capacity + 1) * widthMs));
    buckets.set(slo, fresh);
  }
  const seqs = new LoadedSeqs();
  const pending: string[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const multi = client.multi();
    for (const key of pending) multi.call('HGETALL', key);
    multi.get(keys.seq);
    const replies = (await multi.exec()) ?? [];
    if (replies.length !== pending.length + 1) throw new Error('Redis transaction was not executed');
    const [seqError, seqReply] = replies[pending.length];
    if (seqError) throw seqError;
    const seq = Number(seqReply ?? 0);
    pending.forEach((key, i) => {
      const [error, reply] = replies[i];
      if (error) throw error;
      applyHash(keys.parse(key)!, reply as string[], buckets, seqs, seq);
    });
    pending.length = 0;
  };

  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', keys.scanPattern, 'COUNT', 1_000);
    cursor = next;
    for (const key of found) {
      const parsed = keys.parse(key);
      const target = parsed && buckets.get(parsed.slo);
      if (!parsed || !target) continue;
      if (parsed.kind === 'bucket' && target.tierIndexOf(parsed.widthMs) < 0) continue;
      pending.push(key);
    }
    if (pending.length >= batchSize) await flush();
  } while (cursor !== '0');
  await flush();
  return { buckets, seqs };
}

function applyHash(
  parsed: NonNullable<ReturnType<EventKeys['parse']>>,
  fields: string[],
  all: Map<string, SloBuckets>,
  seqs: LoadedSeqs,
  seq: number,
): void {
  const buckets = all.get(parsed.slo)!;
  if (parsed.kind === 'cover') {
    for (let i = 0; i < fields.length; i += 2) {
      const r = buckets.tierIndexOf(Number(fields[i]));
      if (r >= 0) buckets.raiseCompleteFrom(r, parseCoverSince(fields[i + 1]));
    }
    return;
  }
  seqs.set(parsed.slo, parsed.widthMs, parsed.chunk, seq);
  const r = buckets.tierIndexOf(parsed.widthMs);
  const first = parsed.chunk * CHUNK_BUCKETS;
  const sums = new Map<number, [number, number]>(); // idx → [total, bad]
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const kind = name.charCodeAt(name.length - 1);
    const rel = Number(name.slice(0, -1));
    const value = Number(fields[i + 1]);
    if (!Number.isInteger(rel) || !Number.isFinite(value)) continue;
    let pair = sums.get(rel);
    if (!pair) sums.set(rel, (pair = [0, 0]));
    if (kind === 116 /* t */) pair[0] += value;
    else if (kind === 98 /* b */) pair[1] += value;
  }
  for (const [rel, [total, bad]] of sums) buckets.addToTier(r, first + rel, total - bad, total);
}
