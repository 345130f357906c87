import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import { freePort } from './free-port';

/**
 * A throw-away redis-server for tests and benches: its own loopback port (never 6379, which may be
 * someone's real Redis), no persistence, a temp dir removed on stop.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** stops the server (SIGTERM, then SIGKILL) and removes its dir */
  stop(): Promise<void>;
  /** SIGKILL, leaving the dir (a crash); `restart()` brings up an empty server on the same port */
  kill(): Promise<void>;
  /** stops the server if running and starts a fresh (empty: no persistence) one on the same port */
  restart(): Promise<void>;
  /** SIGSTOP to the server this handle started (a paused Redis: connections stay open, nothing answers) */
  pause(): void;
  /** SIGCONT to the server this handle started */
  resume(): void;
}

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const FORBIDDEN_PORT = 6379;

/** Resolves when the server answers PING with PONG, rejects after `timeoutMs`. */
function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`redis-server exited early (code ${child.exitCode}, signal ${child.signalCode})`));
        return;
      }
      const socket = createConnection({ port, host: '127.0.0.1' });
      let answer = '';
      const retry = () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server on port ${port} did not answer PING`));
        else setTimeout(attempt, 25);
      };
      socket.once('error', retry);
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('+PONG')) {
          socket.destroy();
          resolve();
        } else if (answer.includes('\r\n')) retry();
      });
      socket.once('connect', () => socket.write('PING\r\n'));
    };
    attempt();
  });
}

/** servers still running, killed if this process exits without stopping them (one set per process: jest re-evaluates modules per test file) */
const LIVE = Symbol.for('slo-engine.test-redis-servers');
const registry = globalThis as unknown as Record<symbol, Set<ChildProcess> | undefined>;
const live: Set<ChildProcess> = registry[LIVE] ?? (registry[LIVE] = new Set());
if (!process.listeners('exit').some((listener) => listener.name === 'killTestRedisServers')) {
  process.on('exit', function killTestRedisServers() {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * A `redis-server` process (a server, or a sentinel with `--sentinel`) with its recent output kept
 * for failure messages, killed with SIGKILL if the test process exits without stopping it. Also
 * used by test/helpers/redis-sentinel.ts.
 */
export function spawnRedisProcess(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(REDIS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('error', (error) => collect(Buffer.from(String(error))));
  live.add(child);
  child.once('exit', () => live.delete(child));
  return { child, output: () => log };
}

function spawnServer(port: number, dir: string): { child: ChildProcess; output: () => string } {
  return spawnRedisProcess(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no']);
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await done;
  clearTimeout(timer);
}

/** Sends `signal` to our own child only, and only while it runs (never a pid that may have been reused). */
function signalRunning(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server is not running; cannot send ${signal}`);
  if (!child.kill(signal)) throw new Error(`could not send ${signal} to redis-server`);
}

/** SIGCONT if running: a paused server would only see a SIGTERM once continued. */
function wake(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
}

async function launch(dir: string, port?: number): Promise<{ child: ChildProcess; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = port ?? (await freePort());
    if (candidate === FORBIDDEN_PORT || candidate <= 0) continue;
    const { child, output } = spawnServer(candidate, dir);
    try {
      await waitForPing(candidate, child);
      return { child, port: candidate };
    } catch (error) {
      await terminate(child, 'SIGKILL');
      lastError = new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`);
      // EADDRINUSE (someone took the port between our probe and the bind): try another one
      if (port !== undefined && !/in use/i.test(output())) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('could not start redis-server');
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-redis-'));
  let { child, port } = await launch(dir);
  if (port === FORBIDDEN_PORT) throw new Error('refusing to use port 6379');
  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      wake(child);
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      await terminate(child, 'SIGKILL');
    },
    restart: async () => {
      wake(child);
      await terminate(child, 'SIGTERM');
      ({ child } = await launch(dir, port));
    },
    pause: () => signalRunning(child, 'SIGSTOP'),
    resume: () => signalRunning(child, 'SIGCONT'),
  };
  return handle;
}

/** The suite's redis-server, as `useTestRedis()` hands it out. */
export interface SuiteRedis {
  /** `redis://127.0.0.1:PORT` of the server this suite started */
  readonly url: string;
  readonly port: number;
  /** a client of that server; disconnected after the suite, before the server stops */
  client(options?: RedisOptions): Redis;
  /** SIGKILL (a crash); `restart()` brings up an empty server on the same port */
  kill(): Promise<void>;
  /** a fresh, empty server on the same port */
  restart(): Promise<void>;
  /** SIGSTOP to this suite's server (a paused Redis); always `resume()` it, also on failure */
  pause(): void;
  /** SIGCONT to this suite's server */
  resume(): void;
}

type SuiteHook = (fn: () => Promise<void>) => void;

/**
 * One throw-away redis-server for the enclosing `describe` (or file): started in `beforeAll`,
 * stopped in `afterAll` after the clients made with `client()` are disconnected. The handle only
 * ever reaches the server it started (never port 6379), so nothing a suite does through it can
 * touch a Redis the suite did not start. `url` and `port` are there from `beforeAll` on: read them
 * in hooks and tests, not while the file is being collected.
 */
export function useTestRedis(): SuiteRedis {
  // jest's globals, looked up when called: this file is also compiled for the benches, without jest's types
  const { beforeAll, afterAll } = globalThis as unknown as { beforeAll: SuiteHook; afterAll: SuiteHook };
  let server: TestRedis | null = null;
  const clients: Redis[] = [];
  const running = (): TestRedis => {
    if (!server) throw new Error('useTestRedis: the server runs from beforeAll to afterAll; use it inside hooks and tests');
    return server;
  };
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await server?.stop();
    server = null;
  });
  return {
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
    client(options: RedisOptions = {}) {
      const client = new Redis(running().url, options);
      clients.push(client);
      return client;
    },
    kill: () => running().kill(),
    restart: () => running().restart(),
    pause: () => running().pause(),
    resume: () => running().resume(),
  };
}
