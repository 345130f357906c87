import { computeBucketLayout } from '../../sources/events/bucket-layout';
import { buildWrites, decodeLog, encodeLog, EventKeys, groupByTenSeconds, parseCoverSince, TtlTracker } from './redis-event-codec';

const NOW = Date.parse('2026-11-21T10:00:00.000Z');

describe('Redis event codec', () => {
  it('names keys under the prefix with the SLO as hash tag, and parses them back', () => {
    const keys = new EventKeys('app*1:');
    expect(keys.bucketKey('checkout', 60_000, 123)).toBe('app*1:ev:{checkout}:60000:123');
    expect(keys.coverKey('checkout')).toBe('app*1:ev:{checkout}:cover');
    expect(keys.scanPattern).toBe('app\\*1:ev:{*');
    for (const slo of ['a', 'odd:id}x', 'with-1:2']) {
      expect(keys.parse(keys.bucketKey(slo, 10_000, 5))).toEqual({ kind: 'bucket', slo, widthMs: 10_000, chunk: 5 });
      expect(keys.parse(keys.coverKey(slo))).toEqual({ kind: 'cover', slo });
    }
    expect(keys.parse('other:ev:{a}:10000:1')).toBeNull();
    expect(keys.parse(keys.log)).toBeNull();
  });

  it('log payloads round-trip at 10s resolution', () => {
    const groups = groupByTenSeconds([
      { slo: 'a', timestampMs: NOW + 1_000, good: 1, total: 2 },
      { slo: 'a', timestampMs: NOW + 9_999, good: 3, total: 4 },
      { slo: 'b', timestampMs: NOW - 60_000, good: 0.5, total: 1 },
      { slo: 'b', timestampMs: NOW, good: 0, total: 0 },
    ]);
    const seen: Array<[string, number, number, number]> = [];
    decodeLog(encodeLog(groups), (slo, idx, good, total) => seen.push([slo, idx, good, total]));
    expect(seen).toEqual([
      ['a', NOW / 10_000, 4, 6],
      ['b', NOW / 10_000 - 6, 0.5, 1],
    ]);
    expect(() => decodeLog('{"b":1,"s":[["a",1,2]]}', () => undefined)).toThrow();
  });

  it('writes every tier of the layout, skips buckets already out of their ring, sets a TTL once', () => {
    const layout = computeBucketLayout([5 * 60_000, 3_600_000]); // rings 10s and 1m
    const keys = new EventKeys('p:');
    const tracker = new TtlTracker();
    const groups = groupByTenSeconds([
      { slo: 'a', timestampMs: NOW - 30_000, good: 9, total: 10 },
      { slo: 'a', timestampMs: NOW - 3_600_000, good: 5, total: 5 }, // out of the 10s ring, inside the 1m ring
    ]);
    const writes = JSON.parse(buildWrites(groups, () => layout, keys, NOW, (slo, r, chunk) => tracker.claim(slo, r, chunk))) as Array<
      Array<string | number>
    >;
    const tenSeconds = (NOW - 30_000) / 10_000;
    expect(writes[0][0]).toBe(`ev:{a}:10000:${Math.floor(tenSeconds / 32)}`);
    expect(writes[0][1]).toBeGreaterThan(0);
    expect(writes[0].slice(2)).toEqual([`${tenSeconds % 32}t`, 10, `${tenSeconds % 32}b`, 1]);
    expect(writes.filter((w) => String(w[0]).includes(':10000:'))).toHaveLength(1);
    expect(writes.filter((w) => String(w[0]).includes(':60000:')).flatMap((w) => w.slice(2).filter((_, i) => i % 2 === 1))).toEqual([10, 1, 5]);
    const again = JSON.parse(buildWrites(groups, () => layout, keys, NOW, (slo, r, chunk) => tracker.claim(slo, r, chunk))) as Array<
      Array<string | number>
    >;
    expect(again.map((w) => w[1])).toEqual(again.map(() => 0));
  });

  it('reads cover values', () => {
    expect(parseCoverSince('212:-')).toBe(-Infinity);
    expect(parseCoverSince('212:1795000000000')).toBe(1_795_000_000_000);
  });
});
