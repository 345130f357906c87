import { performance } from 'node:perf_hooks';
import { EventIncrement } from '../src/sources/events/event-store';
import { BENCH_TOKEN, median, startBenchApp, runMain } from './bench-app';

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const POINTS = 2_000;
const REQUESTS = 50;

/**
 * `GET /v1/slos/{id}/history` of one 30d events SLO with 30 days of minute-by-minute events
 * (in-memory state): 2,000 points from 30 days ago, `REQUESTS` requests one after the other through
 * Fastify's inject (the whole HTTP stack, no socket). Prints one JSON line: median and p99 in ms.
 */
async function main(): Promise<void> {
  const now = Date.now();
  const { app, store } = await startBenchApp(1, undefined, now);
  try {
    let batch: EventIncrement[] = [];
    let events = 0;
    for (let minute = 30 * 1_440; minute >= 1; minute--) {
      batch.push({ slo: 'slo-0', timestampMs: now - minute * MINUTE + 1_000, good: 997 + (minute % 4), total: 1_000 });
      if (batch.length >= 20_000) {
        await store.add(batch);
        events += batch.length;
        batch = [];
      }
    }
    await store.add(batch);
    events += batch.length;

    const fromMs = now - 30 * DAY;
    // points at from, from + step, …, from + 1,999 steps (a step before now): 2,000 of them
    const stepSeconds = (30 * DAY) / POINTS / 1_000;
    const toMs = fromMs + (POINTS - 1) * stepSeconds * 1_000;
    const url = `/v1/slos/slo-0/history?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&step=${stepSeconds}s`;
    const request = async () => {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      if (response.statusCode !== 200) throw new Error(`history answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
      return JSON.parse(response.body) as { points: Array<{ sli: number | null }> };
    };
    const first = await request(); // warm-up, not counted
    const points = first.points.length;
    if (points !== POINTS) throw new Error(`history answered ${points} points, expected ${POINTS}`);
    const withNumbers = first.points.filter((p) => p.sli !== null).length;
    const durations: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      await request();
      durations.push(performance.now() - started);
    }
    const sorted = [...durations].sort((a, b) => a - b);
    const p99Ms = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
    process.stdout.write(`${JSON.stringify({ events, points, withNumbers, stepSeconds, requests: REQUESTS, medianMs: median(durations), p99Ms, maxMs: sorted[sorted.length - 1] })}\n`);
  } finally {
    await app.close();
  }
}

runMain(main);
