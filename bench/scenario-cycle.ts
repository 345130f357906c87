import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/helpers/redis-server';
import { EvaluationCycle } from '../src/cycle/evaluation-cycle';
import { fillDayOfMinutes, median, startBenchApp, runMain } from './bench-app';

/**
 * One evaluation cycle over 10,000 events SLOs with default rules and a day of minute-by-minute
 * events, in memory or with a real Redis; also the resident memory of that process (memory mode).
 * Prints one JSON line.
 */
async function main(): Promise<void> {
  const mode = process.argv[2] === 'redis' ? 'redis' : 'memory';
  const count = Number(process.argv[3] ?? 10_000);
  const redis = mode === 'redis' ? await startRedis() : null;
  const now = Date.now();
  const { app, store } = await startBenchApp(count, redis?.url, now);
  try {
    const fillStarted = performance.now();
    const events = await fillDayOfMinutes(store, count, now);
    const fillMs = performance.now() - fillStarted;
    const evaluation = app.get(EvaluationCycle);
    const first = await evaluation.runCycle(now); // in Redis mode this loads the mirror from Redis
    if (first.error || first.failed > 0) throw new Error(`first cycle failed: ${first.error ?? first.failed}`);
    const durations: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const summary = await evaluation.runCycle(now + i * 30_000);
      if (summary.error || summary.failed > 0) throw new Error(`cycle failed: ${summary.error ?? summary.failed}`);
      durations.push(summary.durationMs);
    }
    (globalThis as { gc?: () => void }).gc?.();
    const rssMb = process.memoryUsage().rss / (1024 * 1024);
    process.stdout.write(
      `${JSON.stringify({ mode, slos: count, events, fillMs, firstCycleMs: first.durationMs, cycleMs: median(durations), durations, rssMb })}\n`,
    );
  } finally {
    await app.close();
    await redis?.stop();
  }
}

runMain(main);
