import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/helpers/redis-server';
import { EvaluationCycle } from '../src/cycle/evaluation-cycle';
import { OPEN_INCIDENTS, type OpenIncidentsReader } from '../src/alerting/ports/open-incidents';
import { writeFileSync } from 'node:fs';
import { benchConfigYaml, fillDayOfMinutes, median, startBenchApp, runMain } from './bench-app';

/**
 * One evaluation cycle over 10,000 events SLOs with default rules and a day of minute-by-minute
 * events, in memory or with a real Redis; also the resident memory of that process (memory mode).
 * Then the config is reloaded with 10% of the SLOs on calendar months and a daily correction per
 * service overlapping the windows, and the cycle measured again (`calendarCorrections`).
 * Prints one JSON line.
 */
async function main(): Promise<void> {
  const mode = process.argv[2] === 'redis' ? 'redis' : 'memory';
  const count = Number(process.argv[3] ?? 10_000);
  const redis = mode === 'redis' ? await startRedis() : null;
  const now = Date.now();
  const { app, store, config, path } = await startBenchApp(count, redis?.url, now);
  try {
    const fillStarted = performance.now();
    const events = await fillDayOfMinutes(store, count, now);
    const fillMs = performance.now() - fillStarted;
    const evaluation = app.get(EvaluationCycle);
    const first = await evaluation.runCycle(now); // in Redis mode this loads the mirror from Redis
    if (first.error || first.failed > 0) throw new Error(`first cycle failed: ${first.error ?? first.failed}`);
    const cycles = async (from: number): Promise<number[]> => {
      const durations: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const summary = await evaluation.runCycle(now + (from + i) * 30_000);
        if (summary.error || summary.failed > 0) throw new Error(`cycle failed: ${summary.error ?? summary.failed}`);
        durations.push(summary.durationMs);
      }
      return durations;
    };
    const durations = await cycles(0);
    (globalThis as { gc?: () => void }).gc?.();
    const rssMb = process.memoryUsage().rss / (1024 * 1024);

    // Incidents open on 1% of the SLOs (SPEC §13): five minutes of errors on one SLO of each of 100
    // services make them page; the next cycle opens their incidents (and searches their startedAt).
    const errorsAt = now + 5 * 30_000;
    const burning = Math.max(1, Math.floor(count / 100));
    const errors = [];
    for (let i = 0; i < burning; i++) for (let k = 0; k < 5; k++) errors.push({ slo: `slo-${i}`, timestampMs: errorsAt - k * 60_000 - 1_000, good: 0, total: 1000 });
    await store.add(errors);
    const opening = await evaluation.runCycle(now + 6 * 30_000);
    if (opening.error || opening.failed > 0) throw new Error(`incident-opening cycle failed: ${opening.error ?? opening.failed}`);
    const incidentDurations = await cycles(6);
    const open = (await app.get<OpenIncidentsReader>(OPEN_INCIDENTS).openIncidentIds()).size;
    if (open !== burning) throw new Error(`expected ${burning} open incidents, found ${open}`);
    const incidents = { open, openingCycleMs: opening.durationMs, cycleMs: median(incidentDurations), durations: incidentDurations };

    // The same SLOs and events, the config reloaded with 10% of the SLOs on calendar months and a
    // daily correction per service (the store keeps the data of SLOs that stay).
    writeFileSync(path, benchConfigYaml(count, redis?.url, 'bench:', 'warn', { calendarEvery: 10, correctionPerService: true, nowMs: now }));
    await config.replace(config.reload());
    const warm = await evaluation.runCycle(now + 12 * 30_000);
    if (warm.error || warm.failed > 0) throw new Error(`first calendar/corrections cycle failed: ${warm.error ?? warm.failed}`);
    const variantDurations = await cycles(12);
    (globalThis as { gc?: () => void }).gc?.();
    const variant = { cycleMs: median(variantDurations), durations: variantDurations, rssMb: process.memoryUsage().rss / (1024 * 1024) };
    process.stdout.write(
      `${JSON.stringify({ mode, slos: count, events, fillMs, firstCycleMs: first.durationMs, cycleMs: median(durations), durations, rssMb, incidents, calendarCorrections: variant })}\n`,
    );
  } finally {
    await app.close();
    await redis?.stop();
  }
}

runMain(main);
