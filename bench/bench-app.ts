import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigHolder } from '../src/config/config-holder';
import { loadConfig } from '../src/config/config.loader';
import { ManualClock } from '../src/common/clock';
import { createApp } from '../src/create-app';
import { EVENT_STORE, EventIncrement, EventStore } from '../src/sources/events/event-store';

export const BENCH_TOKEN = 'bench-token-0123456789';

/** The SPEC §4 extras a bench config may add: calendar windows and corrections. */
export interface BenchVariant {
  /** every n-th SLO on a calendar month in Europe/Paris (10: 10% of them) */
  calendarEvery?: number;
  /** one daily 2 h correction per service, the last one ending 4 h before `nowMs` */
  correctionPerService?: boolean;
  nowMs?: number;
}

/** A config with `count` events SLOs on default rules, spread over 100 services. */
export function benchConfigYaml(count: number, redisUrl?: string, prefix = 'bench:', logLevel = 'warn', variant: BenchVariant = {}): string {
  const lines = ['slos:'];
  for (let i = 0; i < count; i++) {
    const calendar = variant.calendarEvery !== undefined && i % variant.calendarEvery === 0;
    const window = calendar ? '{ calendar: month, timeZone: Europe/Paris }' : '30d';
    lines.push(`  - { id: slo-${i}, service: svc-${i % 100}, objective: 99.9, window: ${window}, sli: { source: events } }`);
  }
  if (variant.correctionPerService) {
    const hour = 3_600_000;
    const start = new Date(Math.floor((variant.nowMs ?? Date.now()) / hour) * hour - 6 * hour - 3 * 86_400_000).toISOString();
    lines.push('corrections:');
    for (let s = 0; s < Math.min(100, count); s++) {
      lines.push(`  - { service: svc-${s}, reason: "nightly maintenance", start: "${start}", duration: 2h, repeat: daily }`);
    }
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

export async function startBenchApp(count: number, redisUrl?: string, nowMs = Date.now(), logLevel = 'warn', variant: BenchVariant = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-bench-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, benchConfigYaml(count, redisUrl, 'bench:', logLevel, { ...variant, nowMs }));
  const read = () => loadConfig({ path, env: { LOG_LEVEL: logLevel } });
  const config = new ConfigHolder(read(), read);
  const clock = new ManualClock(nowMs);
  const app = await createApp({ config, clock, scheduler: false });
  return { app, clock, config, path, store: app.get<EventStore>(EVENT_STORE) };
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
