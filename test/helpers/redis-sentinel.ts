import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { exited, spawnRedisProcess } from './redis-server';

/**
 * A throw-away Redis Sentinel set-up on loopback for tests: a master, one replica and three
 * sentinels (quorum 2), each its own `redis-server` process on a free port (never 6379) with a temp
 * dir (removed by `stop()`). Debian ships no separate `redis-sentinel` binary: `redis-server
 * <sentinel.conf> --sentinel` is the same program in sentinel mode. The data nodes run
 * `maxmemory-policy noeviction` (the service refuses anything else), no persistence, and diskless
 * replication without delay, so a (re)sync takes milliseconds.
 *
 * Sentinels are fast: `down-after-milliseconds` 1000, `failover-timeout` 5000. A SIGKILLed master
 * is replaced within about 3 s (1 s to subjective down, the quorum, an election, the promotion).
 */
export interface RedisNode {
  port: number;
  /** true while its process runs */
  readonly running: boolean;
}

export interface TestSentinel {
  /** the master name the sentinels monitor */
  readonly name: string;
  /** the sentinels' addresses, as `server.redis.sentinel.sentinels` takes them */
  readonly sentinels: Array<{ host: string; port: number }>;
  /** the two data nodes, in start order (the first was the master at start) */
  readonly nodes: readonly RedisNode[];
  /** the config block for `server:` (indented two spaces): `redis: { sentinel: {...} }` */
  serverYaml(): string;
  /** the master's address as a sentinel answers `SENTINEL get-master-addr-by-name` (the first sentinel that answers) */
  currentMaster(): Promise<{ host: string; port: number }>;
  /** `WAIT 1 250` on the current master until a replica acknowledges every write so far (throws after `timeoutMs`, default 5 s) */
  waitForReplication(timeoutMs?: number): Promise<true>;
  /** `SENTINEL FAILOVER <name>` on a sentinel (a clean switch: the old master is demoted to replica); resolves with the old master's port */
  failover(): Promise<number>;
  /** SIGKILL of the current master's process (a crash: the sentinels notice, agree and promote the replica); resolves with its port */
  killMaster(): Promise<number>;
  /** resolves once every sentinel names a master other than `oldPort` and that node answers ROLE as master */
  waitForNewMaster(oldPort: number, timeoutMs?: number): Promise<{ host: string; port: number }>;
  /** what `ROLE` answers on a data node: 'master' or 'slave' */
  role(port: number): Promise<string>;
  /** resolves once the node at `port` is a replica of `masterPort` with its link up (a demoted master after SENTINEL FAILOVER) */
  waitForReplicaOf(port: number, masterPort: number, timeoutMs?: number): Promise<void>;
  /** a plain client of one node (disconnected by `stop()`) */
  client(port: number): Redis;
  /** the recent output of every process, for a failure message */
  logs(): string;
  /** kills every process (SIGKILL: nothing to flush, no persistence) and removes the temp dir */
  stop(): Promise<void>;
}

const FORBIDDEN_PORT = 6379;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
  label: string;
  port: number;
  child: ChildProcess;
  log: () => string;
}

const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function spawnRedis(label: string, port: number, args: string[]): Proc {
  const { child, output } = spawnRedisProcess(args);
  return { label, port, child, log: output };
}

/** ioredis arms a 2 s timer on disconnect that only a 'close' to come clears: none for a client already ended (its node gone) */
function disconnect(client: Redis): void {
  if (client.status !== 'end') client.disconnect();
}

/** a short-lived client for one command (no retries: an answer or an error) */
async function ask<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000, commandTimeout: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await run(client);
  } finally {
    disconnect(client);
  }
}

/** an error `until` does not retry (a process that exited will not answer later) */
class Fatal extends Error {}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof Fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`not within ${timeoutMs} ms: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}\n${logs()}`);
    }
    await sleep(50);
  }
}

/** a free port that is not 6379 */
async function port(): Promise<number> {
  for (;;) {
    const candidate = await freePort();
    if (candidate !== FORBIDDEN_PORT && candidate > 0) return candidate;
  }
}

export async function startSentinel(options: { name?: string } = {}): Promise<TestSentinel> {
  const name = options.name ?? 'slo-master';
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-sentinel-'));
  const procs: Proc[] = [];
  const clients: Redis[] = [];
  const logs = () => procs.map((p) => `--- ${p.label} (port ${p.port}, ${isRunning(p.child) ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`})\n${p.log()}`).join('\n');

  const stop = async (): Promise<void> => {
    for (const client of clients.splice(0)) disconnect(client);
    await Promise.all(
      procs.map(async (p) => {
        if (isRunning(p.child)) {
          p.child.kill('SIGCONT');
          p.child.kill('SIGKILL');
        }
        await exited(p.child);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  /** starts a process on a free port with a writable config file (sentinels and CONFIG REWRITE rewrite it) and its own work dir, and waits for PING */
  const launch = async (label: string, conf: (port: number, dir: string) => string, extra: string[] = []): Promise<Proc> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const p = await port();
      const file = join(dir, `${label}-${p}.conf`);
      const workDir = mkdtempSync(join(dir, `${label}-`));
      writeFileSync(file, conf(p, workDir));
      const proc = spawnRedis(label, p, [file, ...extra]);
      procs.push(proc);
      try {
        await until(`${label} answers PING on ${p}`, 10_000, async () => {
          if (!isRunning(proc.child)) throw new Fatal(`${label} exited (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.log()}`);
          return (await ask(p, (c) => c.ping())) === 'PONG' ? true : undefined;
        }, () => proc.log());
        return proc;
      } catch (error) {
        lastError = error;
        if (isRunning(proc.child)) proc.child.kill('SIGKILL');
        await exited(proc.child);
        procs.splice(procs.indexOf(proc), 1);
        if (!/in use/i.test(proc.log())) break; // not a lost race for the port: a real problem
      }
    }
    throw lastError instanceof Error ? lastError : new Error(`could not start ${label}`);
  };

  const dataConf = (replicaOf?: number) => (p: number, workDir: string) =>
    [
      `port ${p}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${workDir}`,
      'save ""',
      'appendonly no',
      'maxmemory-policy noeviction',
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      ...(replicaOf ? [`replicaof 127.0.0.1 ${replicaOf}`] : []),
      '',
    ].join('\n');

  try {
    const master = await launch('master', dataConf());
    const replica = await launch('replica', dataConf(master.port));
    const dataNodes = [master, replica];
    // the replica has synced: WAIT counts it
    await until('the replica is in sync', 10_000, async () => ((await ask(master.port, (c) => c.call('WAIT', '1', '500'))) as number) >= 1 ? true : undefined, logs);

    const sentinelConf = (p: number, workDir: string) =>
      [
        `port ${p}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${workDir}`,
        'sentinel resolve-hostnames no',
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n');
    const sentinels: Proc[] = [];
    for (let i = 0; i < 3; i++) sentinels.push(await launch(`sentinel${i + 1}`, sentinelConf, ['--sentinel']));

    // every sentinel knows the replica (from the master's INFO) and the two other sentinels (hello messages, every 2 s)
    await Promise.all(
      sentinels.map((s) =>
        until(`${s.label} sees the replica and 2 other sentinels`, 15_000, async () => {
          const replicas = (await ask(s.port, (c) => c.call('SENTINEL', 'REPLICAS', name))) as string[][];
          const others = (await ask(s.port, (c) => c.call('SENTINEL', 'SENTINELS', name))) as string[][];
          const replicaUp = replicas.some((fields) => {
            const f = fieldsOf(fields);
            return f.port === String(replica.port) && !/s_down|o_down|disconnected/.test(f.flags ?? '') && f['master-link-status'] === 'ok';
          });
          return replicaUp && others.length >= 2 ? true : undefined;
        }, logs),
      ),
    );

    const sentinelPorts = sentinels.map((s) => s.port);
    const askSentinels = async (): Promise<Array<{ host: string; port: number } | null>> =>
      Promise.all(
        sentinelPorts.map((p, i) =>
          isRunning(sentinels[i].child)
            ? ask(p, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name) as Promise<[string, string] | null>)
                .then((addr) => (addr ? { host: addr[0], port: Number(addr[1]) } : null))
                .catch(() => null)
            : Promise.resolve(null),
        ),
      );
    const currentMaster = async (): Promise<{ host: string; port: number }> => {
      const answers = await askSentinels();
      const found = answers.find((a) => a !== null);
      if (!found) throw new Error(`no sentinel names a master for ${name}\n${logs()}`);
      return found;
    };
    const role = async (p: number): Promise<string> => String(((await ask(p, (c) => c.call('ROLE'))) as unknown[])[0]);

    const handle: TestSentinel = {
      name,
      sentinels: sentinelPorts.map((p) => ({ host: '127.0.0.1', port: p })),
      nodes: dataNodes.map((n) => ({
        port: n.port,
        get running() {
          return isRunning(n.child);
        },
      })),
      serverYaml: () =>
        `  redis:\n    sentinel:\n      name: ${name}\n      sentinels:\n${sentinelPorts.map((p) => `        - { host: 127.0.0.1, port: ${p} }`).join('\n')}\n`,
      currentMaster,
      waitForReplication: (timeoutMs = 5_000) =>
        until('a replica acknowledges the master\'s writes (WAIT 1)', timeoutMs, async () => {
          const { port: masterPort } = await currentMaster();
          const acked = (await ask(masterPort, (c) => c.call('WAIT', '1', '250'))) as number;
          return acked >= 1 ? true : undefined;
        }, logs),
      failover: async () => {
        const { port: old } = await currentMaster();
        const answer = await ask(sentinelPorts[0], (c) => c.call('SENTINEL', 'FAILOVER', name));
        if (answer !== 'OK') throw new Error(`SENTINEL FAILOVER answered ${String(answer)}`);
        return old;
      },
      killMaster: async () => {
        const { port: old } = await currentMaster();
        const node = dataNodes.find((n) => n.port === old);
        if (!node || !isRunning(node.child)) throw new Error(`the master (${old}) is not a running node of this set-up`);
        node.child.kill('SIGKILL');
        await exited(node.child);
        return old;
      },
      waitForNewMaster: (oldPort, timeoutMs = 15_000) =>
        until(`every sentinel names a new master (not ${oldPort}) that answers ROLE master`, timeoutMs, async () => {
          const answers = await askSentinels();
          const running = answers.filter((_, i) => isRunning(sentinels[i].child));
          const first = running[0];
          if (!first || first.port === oldPort || running.some((a) => a?.port !== first.port)) return undefined;
          return (await role(first.port)) === 'master' ? first : undefined;
        }, logs),
      role,
      waitForReplicaOf: async (p, masterPort, timeoutMs = 15_000) => {
        await until(`node ${p} is a replica of ${masterPort}, link up`, timeoutMs, async () => {
          const reply = (await ask(p, (c) => c.call('ROLE'))) as unknown[];
          return reply[0] === 'slave' && Number(reply[2]) === masterPort && reply[3] === 'connected' ? true : undefined;
        }, logs);
      },
      client: (p: number) => {
        const client = new Redis({ host: '127.0.0.1', port: p, maxRetriesPerRequest: 1, retryStrategy: () => null });
        client.on('error', () => undefined);
        clients.push(client);
        return client;
      },
      logs,
      stop,
    };
    return handle;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SENTINEL REPLICAS/SENTINELS answer each entry as a flat [field, value, …] list */
function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
