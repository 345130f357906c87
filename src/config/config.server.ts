import type { ConfigProblem, ServerConfig } from './app-config';
import { configErrorMap } from './config.problems';
import { SERVER_DEFAULTS, ServerSchema, type ServerInput } from './config.schema';

export { SERVER_DEFAULTS };
import { durationMs } from '../common/duration';

/** `file` of problems about environment variables. */
export const ENVIRONMENT_FILE = '(environment)';

/** Environment variables that override `server:` keys (SPEC §2: env wins). */
export const SERVER_ENV: ReadonlyArray<[env: string, key: keyof ServerInput, problem?: string]> = [
  ['PORT', 'port', 'must be a port number, an integer from 0 to 65535'],
  ['HOST', 'host'],
  ['REDIS_URL', 'redisUrl', 'must be a redis:// or rediss:// URL'],
  ['REDIS_PREFIX', 'redisPrefix'],
  ['EVALUATION_INTERVAL', 'evaluationInterval'],
  ['LOG_LEVEL', 'logLevel'],
  ['EXTERNAL_URL', 'externalUrl', 'must be an http:// or https:// URL'],
];

/**
 * The server settings: defaults, then the file's `server:` section, then the environment.
 * An environment variable set to the empty string counts as unset (except REDIS_PREFIX, where an
 * empty prefix is a legitimate value). `CONFIG_FILE` is not read here.
 */
export function resolveServer(
  fromFile: ServerInput | undefined,
  env: Record<string, string | undefined>,
): { server: ServerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const merged: ServerInput = { ...(fromFile ?? {}) };
  for (const [name, key, message] of SERVER_ENV) {
    const raw = env[name];
    if (raw === undefined || (raw === '' && name !== 'REDIS_PREFIX')) continue;
    const parsed = ServerSchema.shape[key].safeParse(raw, { errorMap: configErrorMap });
    if (parsed.success) {
      (merged as Record<string, unknown>)[key] = parsed.data;
    } else {
      problems.push({ file: ENVIRONMENT_FILE, path: `env.${name}`, message: message ?? parsed.error.issues[0].message });
    }
  }
  const evaluationInterval = merged.evaluationInterval ?? SERVER_DEFAULTS.evaluationInterval;
  const server: ServerConfig = {
    port: merged.port ?? SERVER_DEFAULTS.port,
    host: merged.host ?? SERVER_DEFAULTS.host,
    redisPrefix: merged.redisPrefix ?? SERVER_DEFAULTS.redisPrefix,
    evaluationInterval,
    evaluationIntervalMs: durationMs(evaluationInterval),
    logLevel: merged.logLevel ?? SERVER_DEFAULTS.logLevel,
    corsOrigins: merged.corsOrigins ?? [],
    externalUrl: (merged.externalUrl ?? `http://localhost:${merged.port ?? SERVER_DEFAULTS.port}`).replace(/\/+$/, ''),
  };
  if (merged.redisUrl !== undefined) server.redisUrl = merged.redisUrl;
  if (merged.redis !== undefined) server.redis = merged.redis;
  return { server, problems };
}
