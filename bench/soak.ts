import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/free-port';
import { startPagerDutyReceiver } from '../test/helpers/receivers';
import { startRedis } from '../test/helpers/redis-server';
import { BENCH_TOKEN, runMain } from './bench-app';

/**
 * `npm run soak [-- --minutes N]` (default 10; not part of `npm test`): the built service with a
 * real Redis (started here), 1,000 events SLOs evaluated every 5 s, steady ingest (one event per SLO
 * per second), deploy-gate requests (20/s), and a page every three minutes: one "storm" SLO burns
 * 100% errors for a minute, pages, recovers and resolves. Checked at the end: resident memory after
 * warm-up grew by less than 10%, no error was logged, and every storm paged and resolved exactly
 * once at the loopback PagerDuty, in order, with every request in the published Events v2 shape.
 */
const SLOS = 1_000;
const STORM_EVERY_MS = 3 * 60_000;
const STORM_MS = 60_000;
const WARM_UP_MS = 2 * 60_000;
const ROUTING_KEY = 'S0AKR0UT1NGKEY012345678901234567';

function configYaml(redisUrl: string, pdUrl: string, storms: number): string {
  const lines = ['slos:'];
  for (let i = 0; i < SLOS; i++) {
    const storm = i < storms;
    // storm SLOs page fast (10× over 2m and 1m); the others keep the default rules
    const alerting = storm ? ', alerting: { rules: [{ severity: page, burnRate: 10, long: 2m, short: 1m }] }' : '';
    lines.push(`  - { id: slo-${i}, service: svc-${i % 50}, objective: 99, window: 1d, sli: { source: events }${alerting} }`);
  }
  lines.push(
    'notifiers:',
    `  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pdUrl}" }`,
    'routes:',
    '  - { match: { severity: page }, notify: [pd] }',
    'auth:',
    '  tokens:',
    `    - { name: soak, token: "${BENCH_TOKEN}", scopes: [read, gate, ingest] }`,
    'server:',
    `  redisUrl: ${redisUrl}`,
    '  redisPrefix: "soak:"',
  );
  return `${lines.join('\n')}\n`;
}

async function call(base: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function waitReady(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service not ready');
}

async function main(): Promise<void> {
  const minutesArg = process.argv.indexOf('--minutes');
  const durationMs = (minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 10) * 60_000;
  if (!(durationMs >= 4 * 60_000)) throw new Error('--minutes must be at least 4 (warm-up and one storm)');
  const storms = Math.floor((durationMs - STORM_MS - 90_000) / STORM_EVERY_MS) + 1;

  const redis = await startRedis();
  const pd = await startPagerDutyReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-soak-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, configYaml(redis.url, pd.url, storms));
  const port = await freePort();
  let logs = '';
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', CONFIG_FILE: configPath, HOST: '127.0.0.1', PORT: String(port), EVALUATION_INTERVAL: '5s', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const failures: string[] = [];
  try {
    await waitReady(base, 30_000);
    const started = Date.now();
    const stormOf = (t: number): number | null => {
      // storm k runs over [90 s + k × 3 min, + 1 min)
      const k = Math.floor((t - started - 90_000) / STORM_EVERY_MS);
      if (k < 0 || k >= storms) return null;
      const into = t - started - 90_000 - k * STORM_EVERY_MS;
      return into < STORM_MS ? k : null;
    };
    let stop = false;
    const ingest = (async () => {
      for (let second = 0; !stop; second++) {
        const t = Date.now();
        const storm = stormOf(t);
        const events = Array.from({ length: SLOS }, (_, i) => ({ slo: `slo-${i}`, good: i === storm ? 0 : 10, total: 10 }));
        const status = await call(base, '/v1/events', { events });
        if (status !== 202) failures.push(`ingest answered ${status}`);
        await new Promise((r) => setTimeout(r, Math.max(0, started + (second + 1) * 1_000 - Date.now())));
      }
    })();
    const gate = (async () => {
      for (let n = 0; !stop; n++) {
        const status = await call(base, '/v1/deploy-gate', { service: `svc-${n % 50}`, changeType: n % 7 === 0 ? 'rollback' : 'feature' });
        if (status !== 200) failures.push(`gate answered ${status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const samples: Array<{ atS: number; rssMb: number }> = [];
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 10_000));
      samples.push({ atS: Math.round((Date.now() - started) / 1000), rssMb: Math.round(rssMb(child.pid!) * 10) / 10 });
      process.stderr.write(`soak: ${samples[samples.length - 1].atS} s, rss ${samples[samples.length - 1].rssMb} MB, pages ${pd.accepted().length}\n`);
    }
    stop = true;
    await Promise.all([ingest, gate]);
    // let the last resolve go out
    const settle = Date.now() + 60_000;
    while (Date.now() < settle && pd.accepted().filter((r) => r.body?.event_action === 'resolve').length < storms) await new Promise((r) => setTimeout(r, 1_000));

    const warm = samples.find((s) => s.atS * 1000 >= WARM_UP_MS) ?? samples[0];
    const last = samples[samples.length - 1];
    const growth = (last.rssMb - warm.rssMb) / warm.rssMb;
    const byKey = new Map<string, string[]>();
    for (const request of pd.accepted()) {
      const key = String(request.body?.dedup_key);
      byKey.set(key, [...(byKey.get(key) ?? []), String(request.body?.event_action)]);
    }
    for (let k = 0; k < storms; k++) {
      const actions = byKey.get(`slo-engine/slo-${k}/page`) ?? [];
      if (actions.join(',') !== 'trigger,resolve') failures.push(`slo-${k}: PagerDuty got [${actions.join(', ')}], expected [trigger, resolve]`);
    }
    for (const key of byKey.keys()) if (!/^slo-engine\/slo-\d+\/page$/.test(key) || Number(key.split('/')[1].slice(4)) >= storms) failures.push(`unexpected page ${key}`);
    const errorLines = logs.split('\n').filter((line) => /"level":(50|60)/.test(line));
    const result = {
      minutes: durationMs / 60_000,
      slos: SLOS,
      storms,
      pages: pd.accepted().filter((r) => r.body?.event_action === 'trigger').length,
      resolves: pd.accepted().filter((r) => r.body?.event_action === 'resolve').length,
      shapeProblems: pd.problems.length,
      rssWarmMb: warm.rssMb,
      rssEndMb: last.rssMb,
      rssGrowth: Math.round(growth * 1000) / 1000,
      errorsLogged: errorLines.length,
      failures: failures.slice(0, 10),
      failureCount: failures.length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const pass = growth < 0.1 && errorLines.length === 0 && failures.length === 0 && pd.problems.length === 0;
    process.stderr.write(
      `soak ${pass ? 'PASS' : 'FAIL'}: ${result.storms} storms, ${result.pages} pages, ${result.resolves} resolves; rss ${warm.rssMb} → ${last.rssMb} MB (${(growth * 100).toFixed(1)}%, bar < 10%); errors logged ${errorLines.length}; failures ${failures.length}\n`,
    );
    for (const line of errorLines.slice(0, 5)) process.stderr.write(`  error: ${line.slice(0, 300)}\n`);
    if (!pass) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await pd.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
