import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ConfigHolder } from '../src/config/config-holder';
import { loadConfig } from '../src/config/config.loader';
import { ManualClock } from '../src/common/clock';
import { createApp } from '../src/create-app';
import { EVENT_STORE, EventStore } from '../src/sources/events/event-store';
import { EvaluationCycle } from '../src/cycle/evaluation-cycle';
import { benchConfigYaml, runMain } from './bench-app';

/** the same path in scenario-gate.ts */
const TRIVIAL_PATH = '/bench/trivial';
const TRIVIAL_ANSWER = { ok: true } as const;

/**
 * SPEC §11's reference route: a POST answered by a Nest controller of the same app shell (Fastify
 * adapter, hooks, body parser, global guard and filter), with no scope (no token check) and no work.
 */
@Controller(TRIVIAL_PATH.slice(1))
class TrivialController {
  @Post()
  @HttpCode(200)
  answer() {
    return TRIVIAL_ANSWER;
  }
}

@Module({ controllers: [TrivialController] })
class TrivialModule {}

/**
 * The service for the gate figures: 1,000 events SLOs over 100 services, evaluated once, plus the
 * trivial route above, listening on a free port (sent to the parent over IPC, or printed as a `PORT=`
 * line). Logs at info level (one line per decision, as in production) go to stdout.
 */
async function main(): Promise<void> {
  const redisUrl = process.argv[2] || undefined;
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const path = join(mkdtempSync(join(tmpdir(), 'slo-engine-bench-')), 'config.yaml');
  writeFileSync(path, benchConfigYaml(1_000, redisUrl, 'bench:', logLevel));
  const read = () => loadConfig({ path, env: { LOG_LEVEL: logLevel } });
  const clock = new ManualClock(Date.now());
  const app = await createApp({ config: new ConfigHolder(read(), read), clock, scheduler: false, extraModules: [TrivialModule] });
  const store = app.get<EventStore>(EVENT_STORE);
  const now = clock.now();
  await store.add(Array.from({ length: 1_000 }, (_, i) => ({ slo: `slo-${i}`, timestampMs: now - 600_000, good: 999, total: 1_000 })));
  const summary = await app.get(EvaluationCycle).runCycle(now);
  if (summary.error) throw new Error(summary.error);
  await app.listen(0, '127.0.0.1');
  // a plain exit on SIGTERM (so that `--cpu-prof` writes its profile)
  process.once('SIGTERM', () => process.exit(0));
  const port = (app.getHttpServer().address() as { port: number }).port;
  // Started by scenario-gate.ts: the port over IPC, the logs (stdout) to /dev/null — a parent that
  // read them while driving the load would fill the pipe and stall the service on its log writes.
  if (process.send) process.send({ port });
  else process.stdout.write(`PORT=${port}\n`);
}

runMain(main);
