import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis-server';
import { BENCH_TOKEN, runMain } from './bench-app';

/**
 * Deploy-gate decisions with 50 connections, side by side with a bare node:http server answering a
 * fixed JSON, both in their own process, measured one after the other by the same autocannon
 * client. Prints one JSON line.
 */
const CONNECTIONS = 50;
const DURATION_S = 10;

function startServer(file: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(__dirname, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let resolved = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (resolved) return; // the service's log lines: discarded
      buffer += chunk.toString();
      const match = /^PORT=(\d+)$/m.exec(buffer);
      if (match) {
        resolved = true;
        buffer = '';
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('exit', (code) => {
      if (!resolved) reject(new Error(`${file} exited with ${code}`));
    });
  });
}

async function measure(port: number, body: string) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/deploy-gate`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p99Ms: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2] === 'redis' ? 'redis' : 'memory';
  const redis = mode === 'redis' ? await startRedis() : null;
  const body = JSON.stringify({ service: 'svc-1', changeType: 'feature', version: '1.0.0', environment: 'bench' });
  try {
    const bare = await startServer('bare-server.js', []);
    const bareFigures = await measure(bare.port, body);
    bare.child.kill('SIGKILL');
    const gate = await startServer('gate-server.js', redis ? [redis.url] : []);
    await measure(gate.port, body); // warm-up (JIT), not counted
    const gateFigures = await measure(gate.port, body);
    gate.child.kill('SIGKILL');
    process.stdout.write(
      `${JSON.stringify({ mode, bare: bareFigures, gate: gateFigures, ratio: gateFigures.requestsPerSecond / bareFigures.requestsPerSecond })}\n`,
    );
  } finally {
    await redis?.stop();
  }
}

runMain(main);
