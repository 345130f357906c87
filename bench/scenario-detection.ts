import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/free-port';
import { startPagerDutyReceiver } from '../test/helpers/receivers';
import { BENCH_TOKEN, runMain } from './bench-app';

/**
 * SPEC §11 detection latency, in real time: the built service (`node dist/main.js`, in-memory
 * state, evaluation every 10 s) with a 99.9% / 30d SLO on the default rules and a loopback
 * PagerDuty; three days of good traffic are backfilled (10 events/s), then 100% errors at the same
 * rate are pushed every second from the onset; measured is the time from the first error event to
 * the page's arrival at PagerDuty. Prints one JSON line.
 */
const INTERVAL_MS = 10_000;
const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROUTING_KEY = 'B3NCHR0UT1NGKEY01234567890123456';

async function post(base: string, events: Array<Record<string, unknown>>): Promise<void> {
  const response = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
}

async function backfill(base: string, end: number): Promise<void> {
  let batch: Array<Record<string, unknown>> = [];
  const add = async (t: number, good: number, total: number) => {
    batch.push({ slo: 'checkout-availability', good, total, timestamp: new Date(t).toISOString() });
    if (batch.length === 10_000) {
      await post(base, batch);
      batch = [];
    }
  };
  for (let t = end - 3 * DAY - HOUR; t < end - 2 * HOUR; t += 10 * SECOND) await add(t, 100, 100);
  for (let t = end - 2 * HOUR; t < end; t += SECOND) await add(t, 10, 10);
  if (batch.length > 0) await post(base, batch);
}

async function waitReady(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('service not ready');
}

async function main(): Promise<void> {
  const pd = await startPagerDutyReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-bench-detection-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    `slos:
  - { id: checkout-availability, service: checkout, objective: 99.9, window: 30d, sli: { source: events } }
notifiers:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}" }
routes:
  - { match: { severity: page }, notify: [pd] }
auth:
  tokens:
    - { name: bench, token: "${BENCH_TOKEN}", scopes: [read, ingest] }
`,
  );
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', CONFIG_FILE: configPath, HOST: '127.0.0.1', PORT: String(port), EVALUATION_INTERVAL: '10s', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, 20_000);
    // Good traffic up to an onset a few seconds ahead (the backfill takes about a second).
    const onset = Date.now() + 5 * SECOND;
    await backfill(base, onset);
    await new Promise((r) => setTimeout(r, Math.max(0, onset - Date.now())));
    // 100% errors from the onset, one event of 10 per second, until the page arrives.
    let pagedAt: number | null = null;
    const arrived = pd.waitFor((accepted) => accepted.some((r) => r.body?.event_action === 'trigger'), 180_000).then(() => {
      pagedAt = Date.now();
    });
    let stop = false;
    const errors = (async () => {
      for (let n = 0; !stop; n++) {
        await post(base, [{ slo: 'checkout-availability', good: 0, total: 10, timestamp: new Date(onset + n * SECOND).toISOString() }]);
        const next = onset + (n + 1) * SECOND;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    })();
    await arrived;
    stop = true;
    await errors;
    const detectionMs = pagedAt! - onset;
    const triggers = pd.accepted().filter((r) => r.body?.event_action === 'trigger').length;
    process.stdout.write(`${JSON.stringify({ detectionMs, intervalMs: INTERVAL_MS, triggers, problems: pd.problems.length })}\n`);
  } finally {
    child.kill('SIGTERM');
    await pd.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
