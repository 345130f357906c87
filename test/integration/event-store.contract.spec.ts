import fc from 'fast-check';
import type { EventIncrement, EventStore, SloStoreLayout } from '../../src/sources/events/event-store';
import { defaultWindowsMs, toleranceMs } from '../../src/sources/events/bucket-layout';
import { MemoryEventStore, UnknownSloError } from '../../src/store/memory/memory-event-store';
import { RedisEventStore } from '../../src/store/redis/redis-event-store';
import { useTestRedis } from '../helpers/redis-server';

/**
 * One contract, two stores: what the evaluation relies on (SPEC §4 precision, atomic batches,
 * reloads, retention) holds for the in-memory store and for the Redis store's mirror alike.
 */
const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** not aligned to any bucket, so edges fall inside buckets */
const NOW = Date.parse('2026-11-21T10:00:00.000Z') + 4_321;
const WINDOWS_30D = defaultWindowsMs(30 * D); // 5m 30m 1h 2h 6h 1d 3d 30d

type Kind = 'memory' | 'redis';

const redis = useTestRedis();
let prefixCounter = 0;

async function makeStore(kind: Kind): Promise<EventStore> {
  if (kind === 'memory') return new MemoryEventStore();
  const client = redis.client({ lazyConnect: false, maxRetriesPerRequest: 2 });
  return new RedisEventStore(client, `contract-${process.pid}-${++prefixCounter}:`, { now: () => NOW });
}

function sumInside(events: readonly EventIncrement[], slo: string, endMs: number, windowMs: number) {
  return events
    .filter((e) => e.slo === slo && e.timestampMs > endMs - windowMs && e.timestampMs <= endMs)
    .reduce((acc, e) => ({ good: acc.good + e.good, total: acc.total + e.total }), { good: 0, total: 0 });
}

function expectClose(actual: { good: number; total: number }, expected: { good: number; total: number }, label = ''): void {
  const ok = Math.abs(actual.good - expected.good) <= 1e-9 && Math.abs(actual.total - expected.total) <= 1e-9;
  if (!ok) throw new Error(`${label}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

describe.each<Kind>(['memory', 'redis'])('event store contract (%s)', (kind) => {
  let store: EventStore;
  const layout = (slo: string, windowsMs = WINDOWS_30D): SloStoreLayout => ({ slo, windowsMs });

  beforeEach(async () => {
    store = await makeStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  async function addAndSync(events: EventIncrement[]): Promise<void> {
    await store.add(events);
    await store.sync();
  }

  it('sums events well inside or outside each window exactly', async () => {
    await store.configure([layout('checkout')]);
    await store.sync();
    const events: EventIncrement[] = [
      { slo: 'checkout', timestampMs: NOW - 10 * D, good: 100_000, total: 100_000 },
      { slo: 'checkout', timestampMs: NOW - 2 * D, good: 9_000, total: 10_000 },
      { slo: 'checkout', timestampMs: NOW - 3 * H, good: 4_000, total: 5_000 },
      { slo: 'checkout', timestampMs: NOW - 20 * M, good: 1_980, total: 2_000 },
      { slo: 'checkout', timestampMs: NOW - 2 * M, good: 990, total: 1_000 },
      { slo: 'checkout', timestampMs: NOW - 2 * M, good: 5, total: 7 },
    ];
    await addAndSync(events);
    const counts = store.windowCounts('checkout', NOW, WINDOWS_30D);
    WINDOWS_30D.forEach((w, i) => expectClose(counts[i], sumInside(events, 'checkout', NOW, w), `window ${w}`));
    expect(counts[WINDOWS_30D.indexOf(30 * D)]).toEqual({ good: 115_975, total: 118_007 });
  });

  it('window edges: the end is counted, the start is precise to max(10s, w/60), later events are not counted', async () => {
    const slos = WINDOWS_30D.map((w) => `edge-${w}`);
    await store.configure(slos.map((slo) => layout(slo)));
    await store.sync();
    const events: EventIncrement[] = [];
    WINDOWS_30D.forEach((w, i) => {
      const slo = slos[i];
      events.push({ slo, timestampMs: NOW, good: 1, total: 1 }); // at the end: counted
      events.push({ slo, timestampMs: NOW - w + 1, good: 10, total: 10 }); // just inside the start: counted
      events.push({ slo, timestampMs: NOW - w - toleranceMs(w) - 1, good: 100, total: 100 }); // beyond the tolerance: not counted
      events.push({ slo, timestampMs: NOW + 10 * S, good: 1_000, total: 1_000 }); // a later 10s bucket: not counted
    });
    await addAndSync(events);
    WINDOWS_30D.forEach((w, i) => {
      expect([w, store.windowCounts(slos[i], NOW, [w])[0]]).toEqual([w, { good: 11, total: 11 }]);
    });
  });

  it('keeps SLOs apart', async () => {
    await store.configure([layout('a'), layout('b', [5 * M, H, 7 * D]), layout('c')]);
    await store.sync();
    await addAndSync([
      { slo: 'a', timestampMs: NOW - M, good: 1, total: 2 },
      { slo: 'b', timestampMs: NOW - M, good: 30, total: 40 },
      { slo: 'a', timestampMs: NOW - 2 * H, good: 3, total: 4 },
    ]);
    expect(store.windowCounts('a', NOW, [H, D])).toEqual([
      { good: 1, total: 2 },
      { good: 4, total: 6 },
    ]);
    expect(store.windowCounts('b', NOW, [H, 7 * D])).toEqual([
      { good: 30, total: 40 },
      { good: 30, total: 40 },
    ]);
    expect(store.windowCounts('c', NOW, [H])).toEqual([{ good: 0, total: 0 }]);
    expect(store.windowCounts('unknown', NOW, [H])).toEqual([{ good: 0, total: 0 }]);
  });

  it('stores a batch whole or not at all: an unknown SLO rejects the batch', async () => {
    await store.configure([layout('a')]);
    await store.sync();
    await expect(
      store.add([
        { slo: 'a', timestampMs: NOW - M, good: 1, total: 1 },
        { slo: 'ghost', timestampMs: NOW - M, good: 1, total: 1 },
      ]),
    ).rejects.toBeInstanceOf(UnknownSloError);
    await store.sync();
    expect(store.windowCounts('a', NOW, [H])).toEqual([{ good: 0, total: 0 }]);
  });

  it('a reload keeps the data of SLOs that stay (windows added or removed) and drops removed SLOs', async () => {
    await store.configure([layout('stay'), layout('gone'), layout('shrink')]);
    await store.sync();
    const events: EventIncrement[] = [];
    for (const slo of ['stay', 'gone', 'shrink']) {
      for (const ago of [2 * M, 20 * M, 3 * H, 20 * H, 2 * D, 10 * D]) events.push({ slo, timestampMs: NOW - ago, good: 7, total: 9 });
    }
    await addAndSync(events);
    const withTwelveHours = [...WINDOWS_30D, 12 * H];
    await store.configure([layout('stay', withTwelveHours), layout('shrink', [H, 7 * D]), layout('new')]);
    await store.sync();
    withTwelveHours.forEach((w) => expectClose(store.windowCounts('stay', NOW, [w])[0], sumInside(events, 'stay', NOW, w), `stay ${w}`));
    for (const w of [H, 7 * D]) expectClose(store.windowCounts('shrink', NOW, [w])[0], sumInside(events, 'shrink', NOW, w), `shrink ${w}`);
    expect(store.windowCounts('gone', NOW, [30 * D])).toEqual([{ good: 0, total: 0 }]);
    await expect(store.add([{ slo: 'gone', timestampMs: NOW, good: 1, total: 1 }])).rejects.toThrow(/gone/);
    await addAndSync([{ slo: 'new', timestampMs: NOW - M, good: 1, total: 1 }]);
    expect(store.windowCounts('new', NOW, [5 * M])).toEqual([{ good: 1, total: 1 }]);
  });

  it('keeps events for the longest window; older ones are gone', async () => {
    await store.configure([layout('short', [5 * M, H])]);
    await store.sync();
    await addAndSync([
      { slo: 'short', timestampMs: NOW - 5 * H, good: 1, total: 1 },
      { slo: 'short', timestampMs: NOW - 50 * M, good: 2, total: 2 },
      { slo: 'short', timestampMs: NOW, good: 4, total: 4 },
    ]);
    expect(store.windowCounts('short', NOW, [H])).toEqual([{ good: 6, total: 6 }]);
    // the event 5h ago is out of retention: not even a window ending right after it sees it
    expect(store.windowCounts('short', NOW - 5 * H + 30 * M, [H])).toEqual([{ good: 0, total: 0 }]);
    await addAndSync([{ slo: 'short', timestampMs: NOW - 4 * H, good: 8, total: 8 }]); // too old: ignored
    expect(store.windowCounts('short', NOW, [H])).toEqual([{ good: 6, total: 6 }]);
  });

  it('accepts fractional counts', async () => {
    await store.configure([layout('frac')]);
    await store.sync();
    await addAndSync([
      { slo: 'frac', timestampMs: NOW - M, good: 0.1, total: 0.3 },
      { slo: 'frac', timestampMs: NOW - 2 * H, good: 0.2, total: 0.25 },
    ]);
    await addAndSync([{ slo: 'frac', timestampMs: NOW - M, good: 1, total: 2 }]); // integers onto a fractional bucket
    const [h, d] = store.windowCounts('frac', NOW, [H, D]);
    expectClose(h, { good: 1.1, total: 2.3 }, '1h');
    expectClose(d, { good: 1.1 + 0.2, total: 2.55 }, '1d');
  });

  if (kind === 'memory') {
    it('property: events outside the tolerance zones are counted exactly iff inside the window', async () => {
      // zones where counting is optional: (start − max(10s, w/60), start] (SPEC §4), and events
      // stamped after the end but in the same 10s bucket as the end (only future-stamped events)
      const windows = [...WINDOWS_30D, 7 * M, 12 * H, 7 * D];
      const arbEvent = fc.record({
        ago: fc.oneof(fc.integer({ min: 0, max: 2 * H }), fc.integer({ min: 0, max: 31 * D })),
        good: fc.integer({ min: 0, max: 5 }),
        bad: fc.integer({ min: 0, max: 5 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(arbEvent, { maxLength: 80 }), fc.integer({ min: 0, max: 5 * M }), async (raw, endBack) => {
          const memory = new MemoryEventStore();
          await memory.configure([{ slo: 'p', windowsMs: windows }]);
          const events = raw.map((e) => ({ slo: 'p', timestampMs: NOW - e.ago, good: e.good, total: e.good + e.bad + 1 }));
          await memory.add(events);
          const end = NOW - endBack;
          const endBucketEnd = Math.floor(end / 10_000) * 10_000 + 10_000;
          const counts = memory.windowCounts('p', end, windows);
          windows.forEach((w, i) => {
            const start = end - w;
            const optional = events.filter(
              (e) => (e.timestampMs > start - toleranceMs(w) && e.timestampMs <= start) || (e.timestampMs > end && e.timestampMs < endBucketEnd),
            );
            const sure = sumInside(events, 'p', end, w);
            const extra = optional.reduce((acc, e) => ({ good: acc.good + e.good, total: acc.total + e.total }), { good: 0, total: 0 });
            const label = `w=${w} end=${end}`;
            expect([label, counts[i].total >= sure.total - 1e-9, counts[i].total <= sure.total + extra.total + 1e-9]).toEqual([label, true, true]);
            expect([label, counts[i].good >= sure.good - 1e-9, counts[i].good <= sure.good + extra.good + 1e-9]).toEqual([label, true, true]);
            if (optional.length === 0) expect(counts[i]).toEqual(sure);
          });
        }),
        { numRuns: 300 },
      );
    });
  }
});
