import { EVENT_STORE, EventStore } from '../src/sources/events/event-store';
import { EvaluationCycle } from '../src/cycle/evaluation-cycle';
import { startBenchApp, runMain } from './bench-app';

/**
 * The service for the gate figure: 1,000 events SLOs over 100 services, evaluated once, listening
 * on a free port (printed as a `PORT=` line). Logs at info level (one line per decision, as
 * in production) go to a sink the parent discards.
 */
async function main(): Promise<void> {
  const redisUrl = process.argv[2] || undefined;
  const { app, clock } = await startBenchApp(1_000, redisUrl, Date.now(), process.env.BENCH_LOG_LEVEL ?? 'info');
  const store = app.get<EventStore>(EVENT_STORE);
  const now = clock.now();
  await store.add(Array.from({ length: 1_000 }, (_, i) => ({ slo: `slo-${i}`, timestampMs: now - 600_000, good: 999, total: 1_000 })));
  const summary = await app.get(EvaluationCycle).runCycle(now);
  if (summary.error) throw new Error(summary.error);
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`PORT=${(app.getHttpServer().address() as { port: number }).port}\n`);
}

runMain(main);
