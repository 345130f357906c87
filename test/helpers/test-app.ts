import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigHolder } from '../../src/config/config-holder';
import { loadConfig } from '../../src/config/config.loader';
import { ManualClock } from '../../src/common/clock';
import { createApp } from '../../src/create-app';
import { EvaluationCycle } from '../../src/cycle/evaluation-cycle';

export interface TestApp {
  app: NestFastifyApplication;
  clock: ManualClock;
  config: ConfigHolder;
  configPath: string;
  /** runs one evaluation cycle at the clock's time */
  evaluate(): Promise<void>;
  request(options: {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** rewrites the config file (for reload tests) */
  writeConfig(yaml: string): void;
  close(): Promise<void>;
}

/**
 * A real application (Fastify, guards, filters, stores) on a config written to a temp file, with a
 * manual clock and no scheduler: tests drive evaluation cycles at chosen instants. Requests go
 * through Fastify's inject (the whole HTTP stack, without a socket).
 */
export async function startTestApp(yaml: string, options: { env?: Record<string, string>; nowMs?: number } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-test-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, yaml);
  const env = { ...options.env, LOG_LEVEL: options.env?.LOG_LEVEL ?? 'error' };
  const read = () => loadConfig({ path: configPath, env });
  const config = new ConfigHolder(read(), read);
  const clock = new ManualClock(options.nowMs ?? Date.parse('2026-11-21T10:00:00.000Z'));
  const app = await createApp({ config, clock, scheduler: false });
  await app.getHttpAdapter().getInstance().ready();
  const evaluation = app.get(EvaluationCycle);
  return {
    app,
    clock,
    config,
    configPath,
    evaluate: async () => {
      const summary = await evaluation.runCycle(clock.now());
      if (summary.error) throw new Error(`cycle failed: ${summary.error}`);
    },
    request: async ({ method = 'GET', url, token, body, headers = {} }) => {
      const response = await app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        /* not JSON */
      }
      return { status: response.statusCode, body: parsed, headers: response.headers };
    },
    writeConfig: (text: string) => writeFileSync(configPath, text),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
