import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis-server';
import { BENCH_TOKEN, runMain } from './bench-app';

/**
 * SPEC §11 (v3) for the deploy gate, one state mode per run (`memory` | `redis`), all on this machine:
 * - throughput with 50 connections: the gate (`POST /v1/deploy-gate`) beside a trivial Nest + Fastify
 *   POST route of the same app (same process, same shell, no scope, no work) and a bare `node:http`
 *   server answering a fixed JSON (own process; reported), measured by the same autocannon client in
 *   alternating rounds of the same duration (bare, trivial, gate; then gate, trivial, bare), so a
 *   drift of the machine's speed falls on all three alike;
 * - the gate's latency at a steady 500 requests/s with 10 connections (p99), paced evenly (one
 *   request every 2 ms, each timed from when it was due, so a stall counts for every request it
 *   held up). autocannon's `overallRate` is reported beside it but is not steady: each connection
 *   sends its share of the second back to back, then waits for the next second (bursts of 10
 *   concurrent requests), and it adds corrected samples at a 1 ms expected interval.
 * Prints one JSON line.
 */
/** the trivial route gate-server.ts adds (not imported: importing gate-server.ts would start it) */
const TRIVIAL_PATH = '/bench/trivial';
const CONNECTIONS = 50;
const ROUND_S = 5;
const ROUNDS = 2;
const WARM_UP_S = 3;
const STEADY = { connections: 10, rate: 500, durationS: 10 };
const BURSTS_S = 5;

/** Starts a server process; it tells its port over IPC (its stdout, the logs, to /dev/null) or on stdout (`PORT=`). */
function startServer(file: string, args: string[], portBy: 'ipc' | 'stdout'): Promise<{ child: ChildProcess; port: number }> {
  const nodeArgs = process.env.BENCH_GATE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, file), ...args], {
    stdio: portBy === 'ipc' ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let resolved = false;
    const found = (port: number) => {
      resolved = true;
      resolve({ child, port });
    };
    child.on('message', (message: { port?: number }) => {
      if (!resolved && typeof message.port === 'number') found(message.port);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (resolved) return;
      buffer += chunk.toString();
      const match = /^PORT=(\d+)$/m.exec(buffer);
      if (match) found(Number(match[1]));
    });
    child.on('exit', (code) => {
      if (!resolved) reject(new Error(`${file} exited with ${code}`));
    });
  });
}

interface Run {
  requests: number;
  seconds: number;
  p99Ms: number;
  failed: number;
}

async function load(url: string, body: string, options: { connections: number; durationS: number; overallRate?: number }): Promise<Run> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return { requests: result['2xx'], seconds: result.duration, p99Ms: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts };
}

/**
 * `rate` requests/s, evenly spaced, over at most `connections` keep-alive connections (a request due
 * while all are busy waits for one); latency from the moment each request was due to its answer.
 */
async function paced(url: string, body: string, options: { connections: number; rate: number; durationS: number }) {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  const latencies: number[] = [];
  let failed = 0;
  const send = (dueMs: number) =>
    new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - dueMs);
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  const intervalMs = 1000 / options.rate;
  const total = options.rate * options.durationS;
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let sent = 0; sent < total; ) {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) pending.push(send(start + sent++ * intervalMs));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + sent * intervalMs - performance.now())));
  }
  await Promise.all(pending);
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100) / 100;
  return { requestsPerSecond: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), failed };
}

/** The rounds of one target, summed: requests/s over all of them, each round's rate, the worst p99. */
function summary(runs: Run[]) {
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return {
    requestsPerSecond: Math.round(requests / seconds),
    rounds: runs.map((r) => Math.round(r.requests / r.seconds)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2] === 'redis' ? 'redis' : 'memory';
  const redis = mode === 'redis' ? await startRedis() : null;
  const body = JSON.stringify({ service: 'svc-1', changeType: 'feature', version: '1.0.0', environment: 'bench' });
  const servers: ChildProcess[] = [];
  try {
    const bare = await startServer('bare-server.js', [], 'stdout');
    servers.push(bare.child);
    const app = await startServer('gate-server.js', redis ? [redis.url] : [], 'ipc');
    servers.push(app.child);
    const urls = {
      bare: `http://127.0.0.1:${bare.port}/`,
      trivial: `http://127.0.0.1:${app.port}${TRIVIAL_PATH}`,
      gate: `http://127.0.0.1:${app.port}/v1/deploy-gate`,
    };
    const saturate = (url: string, durationS = ROUND_S) => load(url, body, { connections: CONNECTIONS, durationS });
    // warm-up (JIT, connections, Redis scripts), not counted
    await saturate(urls.gate, WARM_UP_S);
    await saturate(urls.trivial, WARM_UP_S);
    const runs: Record<'bare' | 'trivial' | 'gate', Run[]> = { bare: [], trivial: [], gate: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['bare', 'trivial', 'gate'] as const) : (['gate', 'trivial', 'bare'] as const);
      for (const target of order) runs[target].push(await saturate(urls[target]));
    }
    const steady = await paced(urls.gate, body, STEADY);
    const bursts = await load(urls.gate, body, { connections: STEADY.connections, overallRate: STEADY.rate, durationS: BURSTS_S });
    const [bareFigures, trivialFigures, gateFigures] = [summary(runs.bare), summary(runs.trivial), summary(runs.gate)];
    process.stdout.write(
      `${JSON.stringify({
        mode,
        bare: bareFigures,
        trivial: trivialFigures,
        gate: gateFigures,
        ratio: gateFigures.requestsPerSecond / trivialFigures.requestsPerSecond,
        roundRatios: runs.gate.map((g, i) => Math.round((g.requests / g.seconds / (runs.trivial[i].requests / runs.trivial[i].seconds)) * 1000) / 1000),
        trivialToBare: trivialFigures.requestsPerSecond / bareFigures.requestsPerSecond,
        steady,
        autocannonOverallRate: { requestsPerSecond: Math.round(bursts.requests / bursts.seconds), p99Ms: bursts.p99Ms, failed: bursts.failed },
      })}\n`,
    );
  } finally {
    for (const child of servers) {
      if (child.connected) child.disconnect();
      child.kill('SIGKILL');
    }
    await redis?.stop();
  }
}

runMain(main);
