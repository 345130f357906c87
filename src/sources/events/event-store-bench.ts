import { performance } from 'node:perf_hooks';
import type { EventIncrement, EventStore } from './event-store';
import { defaultWindowsMs } from './bucket-layout';
import { MemoryEventStore } from './memory-event-store';

export interface WindowCountsBench {
  slos: number;
  windowsPerCall: number;
  eventsAdded: number;
  fillMs: number;
  /** median time of one pass: windowCounts once for every SLO */
  passMs: number;
  /** passMs / slos, in microseconds */
  perCallMicros: number;
  /** heap + typed-array growth from the empty store to the filled one (after GC when exposed) */
  storeMb: number;
  rssMb: number;
}

const DAY_MS = 86_400_000;

/**
 * The embedded store's own figures, for `npm run bench`: `slos` SLOs on the default rules and a 30d
 * window, a day of minute-by-minute events each, then `passes` passes of one `windowCounts` call
 * (8 windows) per SLO. Pass `store` to measure another EventStore (it is synced before measuring).
 */
export async function benchWindowCounts(
  options: { slos?: number; nowMs?: number; passes?: number; minutes?: number; store?: EventStore } = {},
): Promise<WindowCountsBench> {
  const slos = options.slos ?? 10_000;
  const nowMs = options.nowMs ?? Date.now();
  const passes = options.passes ?? 7;
  const minutes = options.minutes ?? 1_440;
  const windows = defaultWindowsMs(30 * DAY_MS);
  const ids = Array.from({ length: slos }, (_, i) => `slo-${i}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();

  const store = options.store ?? new MemoryEventStore();
  await store.configure(ids.map((slo) => ({ slo, windowsMs: windows })));
  const fillStarted = performance.now();
  let batch: EventIncrement[] = [];
  let eventsAdded = 0;
  for (let minute = minutes; minute >= 1; minute--) {
    const timestampMs = nowMs - minute * 60_000 + 1_000;
    for (let i = 0; i < slos; i++) {
      batch.push({ slo: ids[i], timestampMs, good: 997 + ((i + minute) % 4), total: 1_000 });
      if (batch.length === 20_000) {
        await store.add(batch);
        eventsAdded += batch.length;
        batch = [];
      }
    }
  }
  if (batch.length > 0) await store.add(batch);
  eventsAdded += batch.length;
  await store.sync();
  const fillMs = performance.now() - fillStarted;

  gc?.();
  const after = process.memoryUsage();
  const storeMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / (1024 * 1024);

  const durations: number[] = [];
  let sink = 0;
  for (let pass = 0; pass < passes; pass++) {
    const started = performance.now();
    for (let i = 0; i < slos; i++) sink += store.windowCounts(ids[i], nowMs + pass * 30_000, windows)[0].total;
    durations.push(performance.now() - started);
  }
  if (sink < 0) throw new Error('unreachable');
  durations.sort((a, b) => a - b);
  const passMs = durations[Math.floor(durations.length / 2)];
  if (!options.store) await store.close();
  return {
    slos,
    windowsPerCall: windows.length,
    eventsAdded,
    fillMs,
    passMs,
    perCallMicros: (passMs * 1_000) / slos,
    storeMb,
    rssMb: process.memoryUsage().rss / (1024 * 1024),
  };
}
