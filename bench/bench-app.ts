import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigHolder } from '../src/config/config-holder';
import { loadConfig } from '../src/config/config.loader';
import { ManualClock } from '../src/common/clock';
import { createApp } from '../src/create-app';
import { EVENT_STORE, EventIncrement, EventStore } from '../src/sources/events/event-store';

export const BENCH_TOKEN = 'bench-token-0123456789';

/** A config with `count` events SLOs on default rules, spread over 100 services. */
export function benchConfigYaml(count: number, redisUrl?: string, prefix = 'bench:', logLevel = 'warn'): string {
  const lines = ['slos:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  - { id: slo-${i}, service: svc-${i % 100}, objective: 99.9, window: 30d, sli: { source: events } }`);
  }
  lines.push(
    'auth:',
    '  tokens:',
    `    - { name: bench, token: "${BENCH_TOKEN}", scopes: [read, gate, ingest, admin] }`,
    'server:',
    `  logLevel: ${logLevel}`,
  );
  if (redisUrl) lines.push(`  redisUrl: ${redisUrl}`, `  redisPrefix: "${prefix}"`);
  return `${lines.join('\n')}\n`;
}

export async function startBenchApp(count: number, redisUrl?: string, nowMs = Date.now(), logLevel = 'warn') {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-bench-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, benchConfigYaml(count, redisUrl, 'bench:', logLevel));
  const read = () => loadConfig({ path, env: { LOG_LEVEL: logLevel } });
  const config = new ConfigHolder(read(), read);
  const clock = new ManualClock(nowMs);
  const app = await createApp({ config, clock, scheduler: false });
  return { app, clock, config, store: app.get<EventStore>(EVENT_STORE) };
}

/** A day of minute-by-minute events for every SLO (about 0.3% errors), written straight to the store. */
export async function fillDayOfMinutes(store: EventStore, count: number, nowMs: number, batchSize = 20_000): Promise<number> {
  let batch: EventIncrement[] = [];
  let written = 0;
  for (let minute = 1440; minute >= 1; minute--) {
    const timestampMs = nowMs - minute * 60_000 + 1_000;
    for (let i = 0; i < count; i++) {
      batch.push({ slo: `slo-${i}`, timestampMs, good: 997 + ((i + minute) % 4), total: 1000 });
      if (batch.length >= batchSize) {
        await store.add(batch);
        written += batch.length;
        batch = [];
      }
    }
  }
  if (batch.length > 0) await store.add(batch);
  return written + batch.length;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a bench process's main; a failure prints its stack and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
