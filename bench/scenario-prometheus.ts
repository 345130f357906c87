import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigHolder } from '../src/config/config-holder';
import { loadConfig } from '../src/config/config.loader';
import { ManualClock } from '../src/common/clock';
import { createApp } from '../src/create-app';
import { EvaluationCycle } from '../src/cycle/evaluation-cycle';
import { CounterSample, startPrometheus } from '../test/helpers/prometheus-server';
import { BENCH_TOKEN, median, runMain } from './bench-app';

/**
 * SPEC §11: one evaluation cycle of 1,000 `prometheus` SLOs (default rules, 30d window: 8 windows,
 * 2 instant queries each) against a real Prometheus holding a day of minute-by-minute counters for
 * 500 services (2 series each), concurrency 16. Each service has two SLOs, availability (errorQuery)
 * and success (goodQuery), sharing their totalQuery — asked once per cycle — so a cycle asks 12,000
 * distinct queries. Prints one JSON line.
 */
const SLOS = 1_000;
const SERVICES = 500;
const MINUTE = 60_000;

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
  const samples: CounterSample[] = [];
  for (let s = 0; s < SERVICES; s++) {
    let good = 0;
    let bad = 0;
    for (let ago = 24 * 60; ago >= 0; ago--) {
      good += 997 + (ago % 3);
      bad += ago % 7 === 0 ? 5 : 1;
      const timestampMs = now - ago * MINUTE;
      samples.push({ name: 'http_requests_total', labels: { service: `svc-${s}`, code: '200' }, value: good, timestampMs });
      samples.push({ name: 'http_requests_total', labels: { service: `svc-${s}`, code: '500' }, value: bad, timestampMs });
    }
  }
  const prometheus = await startPrometheus(samples);
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-bench-prom-'));
  try {
    const lines = ['slos:'];
    for (let i = 0; i < SLOS; i++) {
      const svc = `svc-${i % SERVICES}`;
      const ratio =
        i < SERVICES
          ? `errorQuery: 'sum(increase(http_requests_total{service="${svc}",code=~"5.."}[{{window}}]))'`
          : `goodQuery: 'sum(increase(http_requests_total{service="${svc}",code="200"}[{{window}}]))'`;
      lines.push(
        `  - id: slo-${i}`,
        `    service: ${svc}`,
        '    objective: 99.9',
        '    window: 30d',
        '    sli:',
        '      source: prometheus',
        `      ${ratio}`,
        `      totalQuery: 'sum(increase(http_requests_total{service="${svc}"}[{{window}}]))'`,
      );
    }
    lines.push(
      'sources:',
      `  prometheus: { url: "${prometheus.url}", timeout: 10s, concurrency: ${process.env.BENCH_PROM_CONCURRENCY ?? 16} }`,
      'auth:',
      '  tokens:',
      `    - { name: bench, token: "${BENCH_TOKEN}", scopes: [read] }`,
      'server:',
      '  logLevel: warn',
    );
    const path = join(dir, 'config.yaml');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const read = () => loadConfig({ path, env: { LOG_LEVEL: 'warn' } });
    const config = new ConfigHolder(read(), read);
    const clock = new ManualClock(now);
    const app = await createApp({ config, clock, scheduler: false });
    const evaluation = app.get(EvaluationCycle);
    const durations: number[] = [];
    let failed = 0;
    for (let i = 0; i < 3; i++) {
      const summary = await evaluation.runCycle(now);
      if (summary.error) throw new Error(summary.error);
      failed += summary.failed;
      durations.push(summary.durationMs);
    }
    await app.close();
    process.stdout.write(`${JSON.stringify({ slos: SLOS, distinctQueriesPerCycle: SLOS * 8 + SERVICES * 8, cycleMs: median(durations), durations, failed })}\n`);
  } finally {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
