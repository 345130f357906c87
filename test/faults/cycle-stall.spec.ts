import { createServer, Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EvaluationCycle, type CycleSummary } from '../../src/cycle/evaluation-cycle';
import { EvaluationService } from '../../src/slo/evaluation.service';
import { EVALUATION_REPOSITORY, type EvaluationRepository } from '../../src/slo/ports/evaluation.repository';
import type { CountsRequest, CountsResult, MetricsSource } from '../../src/slo/ports/metrics-source';
import { HeartbeatService } from '../../src/notifiers/delivery/heartbeat.service';
import { TOKENS } from '../helpers/configs';
import { freePort } from '../helpers/free-port';
import { pushTraffic } from '../helpers/alerting';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §12 row 2: a cycle still running at `max(2 × EVALUATION_INTERVAL, 60 s)` is abandoned and
 * logged as stalled, `slo_engine_cycle_failures_total{step="stalled"}` counts it, the next cycle
 * runs, and there is no heartbeat for it — not even when the stalled cycle finishes late.
 *
 * The stall is injected as an events source that never answers (it ignores the deadline it is
 * given, as a source stuck below its own code would). With `EVALUATION_INTERVAL: 1s` and the
 * cycle's 60 s minimum lowered for the test (`stallMinimumMs`, a test-only seam), the deadline is
 * 2 s: the stall is seen in real time, in seconds.
 */
const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const DEADLINE_MS = 2 * SECOND; // 2 × the 1 s interval
const MARGIN_MS = 1_500;

/** A metrics source that answers only when released (with what the real one answers then). */
class StuckSource implements MetricsSource {
  readonly kind = 'events' as const;
  calls = 0;
  private releases: Array<() => void> = [];

  constructor(private readonly real: MetricsSource) {}

  counts(requests: readonly CountsRequest[], atMs: number, deadline: AbortSignal): Promise<Map<string, CountsResult>> {
    this.calls++;
    return new Promise<void>((resolve) => this.releases.push(resolve)).then(() => this.real.counts(requests, atMs, deadline));
  }

  release(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

let t: TestApp;
let server: Server;
let pings: number[];

beforeEach(async () => {
  pings = [];
  const port = await freePort();
  server = createServer((req, res) => {
    if (req.url === '/ping') pings.push(t.clock.now());
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t = await startTestApp(
    `slos:
  - { id: checkout-availability, service: checkout, objective: 99, window: 1d, sli: { source: events } }
heartbeat: { url: "http://127.0.0.1:${port}/ping", interval: 1s }
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
server:
  evaluationInterval: 1s
`,
    { nowMs: T0 },
  );
  t.app.get(EvaluationCycle).stallMinimumMs = 0;
  await pushTraffic(t, { slo: 'checkout-availability', fromMs: T0 - HOUR, toMs: T0 + 10 * SECOND, stepMs: 10 * SECOND, good: 10, total: 10 });
});

afterEach(async () => {
  await t?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Swaps the evaluation's events source (the test reaches into the wiring, as a fault would). */
function swapEventsSource(make: (real: MetricsSource) => MetricsSource): () => void {
  const sources = (t.app.get(EvaluationService) as unknown as { sources: Map<string, MetricsSource> }).sources;
  const real = sources.get('events') as MetricsSource;
  sources.set('events', make(real));
  return () => sources.set('events', real);
}

async function metric(name: string, labels = ''): Promise<number | undefined> {
  const text = String((await t.request({ url: '/metrics', token: TOKENS.reader })).body);
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const timed = async (run: () => Promise<CycleSummary>): Promise<{ summary: CycleSummary; ms: number }> => {
  const started = performance.now();
  const summary = await run();
  return { summary, ms: performance.now() - started };
};

it('abandons a cycle still running at the stall deadline, counts it, runs the next one, and sends no heartbeat for it', async () => {
  const cycle = t.app.get(EvaluationCycle);
  const heartbeat = t.app.get(HeartbeatService);
  let stuck: StuckSource | undefined;
  const restore = swapEventsSource((real) => (stuck = new StuckSource(real)));

  // The scheduler's next tick comes while the stuck cycle runs: it is not doubled, and it too is
  // answered at the deadline instead of waiting for ever.
  const first = timed(() => cycle.runCycle(T0));
  const tick = timed(() => cycle.runCycle(T0 + SECOND));
  const [stalled, doubled] = await Promise.all([first, tick]);
  expect(stalled.summary).toMatchObject({ stalled: true, failures: ['stalled'], alerted: false, error: expect.stringMatching(/^stalled: still running after 2s/) });
  expect(stalled.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  expect(stalled.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  expect(doubled.summary).toMatchObject({ skipped: 'already-running', stalled: true });
  expect(stuck?.calls).toBe(1);
  expect(await metric('slo_engine_cycle_failures_total', '{step="stalled"}')).toBe(1);
  expect(await metric('slo_engine_last_successful_cycle_timestamp_seconds')).toBe(0);

  // The stuck source answers after all: the abandoned cycle finishes late, saves nothing (a newer
  // cycle's records may be there already) and runs no step.
  stuck?.release();
  const evaluations = t.app.get<EvaluationRepository>(EVALUATION_REPOSITORY);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await evaluations.getMany(['checkout-availability']))[0]).toBeNull();
  await heartbeat.idle();
  expect(pings).toEqual([]);
  expect(await metric('slo_engine_last_successful_cycle_timestamp_seconds')).toBe(0);
  expect(await metric('slo_engine_evaluation_duration_seconds_count')).toBe(1); // the late finish is not a second cycle

  // The next cycle runs, alerts and sends the heartbeat.
  restore();
  t.clock.set(T0 + 2 * SECOND);
  const next = await timed(() => cycle.runCycle(T0 + 2 * SECOND));
  expect(next.summary).toMatchObject({ failures: [], alerted: true, succeeded: 1 });
  expect(next.summary.skipped).toBeUndefined();
  await heartbeat.idle();
  expect(pings).toEqual([T0 + 2 * SECOND]);
  expect(await metric('slo_engine_last_successful_cycle_timestamp_seconds')).toBe((T0 + 2 * SECOND) / 1000);
  expect(await metric('slo_engine_cycle_failures_total', '{step="stalled"}')).toBe(1);
  expect((await t.request({ url: '/readyz' })).status).toBe(200);
});

it('a cycle that never finishes holds no later cycle', async () => {
  const cycle = t.app.get(EvaluationCycle);
  swapEventsSource((real) => new StuckSource(real)); // never released
  for (let i = 0; i < 2; i++) {
    const { summary, ms } = await timed(() => cycle.runCycle(T0 + i * SECOND));
    expect(summary).toMatchObject({ stalled: true });
    expect(summary.skipped).toBeUndefined(); // a new cycle each time, not the stuck one again
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  }
  expect(await metric('slo_engine_cycle_failures_total', '{step="stalled"}')).toBe(2);
  expect(pings).toEqual([]);
});
