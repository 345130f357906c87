import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  base: string;
  output(): string;
  /** resolves with the exit code (or signal) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(path: string, status: number, timeoutMs?: number): Promise<void>;
}

/** Runs the built service (`node dist/main.js`, as `npm start` does) on a free port. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    base,
    output: () => output,
    exited,
    waitFor: async (path, status, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline) {
        try {
          const response = await fetch(base + path);
          last = `HTTP ${response.status}`;
          if (response.status === status) return;
        } catch (error) {
          last = (error as Error).message;
        }
        if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}): ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms (last: ${last})\n${output}`);
    },
  };
}
