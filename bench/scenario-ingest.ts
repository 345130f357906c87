import autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis-server';
import { BENCH_TOKEN, startBenchApp, runMain } from './bench-app';

/**
 * Event ingest through POST /v1/events in batches of 1,000 (events spread over 100 SLOs), over a
 * real socket with autocannon, in memory or with Redis. Prints one JSON line.
 */
async function main(): Promise<void> {
  const mode = process.argv[2] === 'redis' ? 'redis' : 'memory';
  const redis = mode === 'redis' ? await startRedis() : null;
  const { app, clock } = await startBenchApp(1_000, redis?.url);
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const iso = new Date(clock.now() - 60_000).toISOString();
    const events = Array.from({ length: 1_000 }, (_, i) => ({ slo: `slo-${i % 100}`, good: 99, total: 100, timestamp: iso }));
    const body = JSON.stringify({ events });
    const result = await autocannon({
      url: `http://127.0.0.1:${address.port}/v1/events`,
      method: 'POST',
      connections: 8,
      duration: 8,
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    const ok = result['2xx'];
    const failed = result.non2xx + result.errors + result.timeouts;
    process.stdout.write(
      `${JSON.stringify({ mode, requestsPerSecond: ok / result.duration, eventsPerSecond: (ok * 1_000) / result.duration, failed, p99Ms: result.latency.p99 })}\n`,
    );
  } finally {
    await app.close();
    await redis?.stop();
  }
}

runMain(main);
