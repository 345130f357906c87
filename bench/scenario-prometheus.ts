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
    const history = await historyTimings(app, now);
    await app.close();
    process.stdout.write(
      `${JSON.stringify({ slos: SLOS, distinctQueriesPerCycle: SLOS * 8 + SERVICES * 8, cycleMs: median(durations), durations, failed, history })}\n`,
    );
  } finally {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `GET /v1/slos/{id}/history` of one of these 30d SLOs: 2,000 points at a 43 s step (the last day,
 * where the data is), read from 16 range queries (8 windows × good/total). Median of 10, after one
 * warm-up; reported beside the events figure of `scenario-history`.
 */
async function historyTimings(app: Awaited<ReturnType<typeof createApp>>, now: number): Promise<{ points: number; withNumbers: number; medianMs: number; durations: number[] }> {
  const stepSeconds = 43;
  const fromMs = now - 1_999 * stepSeconds * 1_000;
  const url = `/v1/slos/slo-0/history?from=${new Date(fromMs).toISOString()}&to=${new Date(now).toISOString()}&step=${stepSeconds}s`;
  const request = async () => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
    if (response.statusCode !== 200) throw new Error(`history answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
    return JSON.parse(response.body) as { points: Array<{ sli: number | null }> };
  };
  const first = await request();
  const durations: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await request();
    durations.push(performance.now() - started);
  }
  return { points: first.points.length, withNumbers: first.points.filter((p) => p.sli !== null).length, medianMs: median(durations), durations };
}

runMain(main);
