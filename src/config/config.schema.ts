import { z } from 'zod';
import { boundedDurationSchema, configDurationSchema } from '../common/duration.schema';
import { EVALUATION_INTERVAL_LIMITS, PROMETHEUS_TIMEOUT_LIMITS } from '../common/duration-limits';
import { CorrectionInputSchema } from './corrections.schema';
import { bool, httpUrlSchema, LOG_LEVELS, nonEmpty, num, redisUrlSchema, scalarString, SCOPES, severitySchema } from './schema-primitives';
import { AlertRuleSchema, SloSchema } from './slo.schema';

export { httpUrlSchema, LOG_LEVELS, RESERVED_MATCH_KEYS, SCOPES } from './schema-primitives';
export { AlertingSchema, AlertRuleSchema, CalendarWindowSchema, SliSchema, SloSchema, SloWindowSchema } from './slo.schema';


/**
 * The config file format of SPEC §3, as zod schemas. Every object is `.strict()`: unknown keys are
 * errors. Numbers and booleans also accept their string form (`"8080"`, `"true"`), so that a value
 * substituted from the environment (`port: ${PORT_FROM_VAULT}`) can fill them; label and route
 * match values accept numbers and booleans and keep them as strings (`tier: 1` → `"1"`).
 *
 * The loader parses each top-level section on its own (and each SLO on its own), so that one bad
 * SLO does not hide the problems of the others; {@link ConfigFileSchema} is the whole file.
 */

// ---------------------------------------------------------------- other sections

export const SourcesSchema = z
  .object({
    prometheus: z
      .object({
        url: httpUrlSchema.describe('base URL of the Prometheus HTTP API'),
        timeout: boundedDurationSchema(PROMETHEUS_TIMEOUT_LIMITS)
          .default('10s')
          .describe('per query, whole answer included: 100ms to 5m, and shorter than the stall deadline max(2 × evaluation interval, 60s)'),
        concurrency: num(z.number().int().min(1).max(256)).default(16).describe('queries in flight'),
        headers: z.record(z.string()).default({}).describe('sent with every query (secret)'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const NotifierSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('pagerduty'),
        routingKey: nonEmpty().describe('Events API v2 integration key (secret)'),
        url: httpUrlSchema.optional().describe("default PagerDuty's US enqueue URL"),
        changeEvents: bool().default(false).describe('send allowed deploys and overrides as change events'),
      })
      .strict(),
    z.object({ type: z.literal('slack'), webhookUrl: httpUrlSchema.describe('incoming webhook (secret)') }).strict(),
    z.object({ type: z.literal('log') }).strict().describe('writes notifications to the service log'),
  ])
  .describe('a named receiver');

export const NotifiersSchema = z.record(NotifierSchema);

export const RouteSchema = z
  .object({
    match: z
      .record(scalarString)
      .default({})
      .superRefine((match, ctx) => {
        if (match.severity !== undefined && !severitySchema.safeParse(match.severity).success) {
          ctx.addIssue({ code: 'custom', path: ['severity'], message: 'must be page or ticket' });
        }
        if (match.kind !== undefined && !['burn-rate', 'source-unavailable', 'postmortem'].includes(match.kind)) {
          ctx.addIssue({ code: 'custom', path: ['kind'], message: 'must be burn-rate, source-unavailable or postmortem' });
        }
      })
      .describe('kind, slo, service, team, severity or any SLO label; exact strings, all must match'),
    notify: z.array(nonEmpty()).min(1).describe('notifier names'),
    repeatInterval: configDurationSchema.optional().describe('re-notify while firing'),
  })
  .strict();

export const RoutesSchema = z.array(RouteSchema);

export const CorrectionsSchema = z.array(CorrectionInputSchema);

export const HeartbeatSchema = z
  .object({
    url: httpUrlSchema.describe('GET after each successful cycle (secret)'),
    interval: configDurationSchema.default('1m'),
  })
  .strict()
  .describe("dead man's switch");

export const PolicySchema = z
  .object({
    zones: z
      .object({
        caution: num(z.number()).default(0.5).describe('remaining-budget fraction at or below which the zone is caution'),
        freeze: num(z.number()).default(0.25).describe('remaining-budget fraction below which the zone is freeze'),
      })
      .strict()
      .default({})
      .superRefine((zones, ctx) => {
        if (!(zones.freeze > 0)) ctx.addIssue({ code: 'custom', path: ['freeze'], message: 'must be greater than 0' });
        if (!(zones.caution < 1)) ctx.addIssue({ code: 'custom', path: ['caution'], message: 'must be less than 1' });
        if (zones.freeze > zones.caution) {
          ctx.addIssue({ code: 'custom', path: ['freeze'], message: 'must not be greater than caution' });
        }
      }),
    onUnknown: z.enum(['allow', 'deny']).default('deny').describe('gate decision when an SLO is unknown'),
    onNoData: z.enum(['unknown', 'normal']).default('unknown').describe('zone of an SLO with no data in its window'),
    postmortems: z
      .object({
        budgetThreshold: num(z.number().gt(0, 'must be greater than 0').lte(1, 'must be at most 1'))
          .default(0.2)
          .describe("an incident that cost one SLO at least this fraction of its budget needs a postmortem (SPEC §13)"),
        inFreeze: bool().default(true).describe('every incident opened while the service is in freeze or exhausted needs one'),
        due: configDurationSchema.default('48h').describe('a required postmortem is due this long after the incident resolves'),
        gate: bool().default(false).describe('true: an overdue postmortem of the service denies feature, db-migration and infra changes'),
      })
      .strict()
      .default({})
      .describe('postmortems the policy requires (SPEC §13)'),
  })
  .strict()
  .describe('error-budget policy');

export const TokenSchema = z
  .object({
    name: nonEmpty().describe('shown in the audit log'),
    token: z.string().min(1).describe('bearer token (secret)'),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .transform((scopes) => [...new Set(scopes)]),
  })
  .strict();

export const AuthSchema = z
  .object({
    publicRead: bool().default(false).describe('read endpoints need no token'),
    tokens: z
      .array(TokenSchema)
      .default([])
      .superRefine((tokens, ctx) => {
        tokens.forEach((token, i) => {
          const first = tokens.findIndex((t) => t.name === token.name);
          if (first < i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate token name (also tokens[${first}])` });
          const same = tokens.findIndex((t) => t.token === token.token);
          if (same < i) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: `same token value as tokens[${same}]` });
        });
      }),
  })
  .strict();

const hostPort = z.object({ host: nonEmpty(), port: num(z.number().int().min(1).max(65535)) }).strict();

/** What a `server:` key is when neither the file nor the environment sets it (SPEC §2). */
export const SERVER_DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  redisPrefix: 'slo:',
  evaluationInterval: '30s',
  logLevel: 'info',
} as const;

export const ServerSchema = z
  .object({
    port: num(z.number().int().min(0).max(65535)).optional().describe(`HTTP port (env PORT wins), default ${SERVER_DEFAULTS.port}`),
    host: nonEmpty().optional().describe(`bind address (env HOST wins), default ${SERVER_DEFAULTS.host}`),
    redisUrl: redisUrlSchema.optional().describe('Redis for all state (env REDIS_URL wins)'),
    redisPrefix: z.string().optional().describe(`key prefix (env REDIS_PREFIX wins), default "${SERVER_DEFAULTS.redisPrefix}"`),
    evaluationInterval: boundedDurationSchema(EVALUATION_INTERVAL_LIMITS).optional().describe(`1s to 1h; env EVALUATION_INTERVAL wins, default ${SERVER_DEFAULTS.evaluationInterval}`),
    logLevel: z.enum(LOG_LEVELS).optional().describe(`env LOG_LEVEL wins, default ${SERVER_DEFAULTS.logLevel}`),
    corsOrigins: z.array(nonEmpty()).optional().describe('CORS off unless origins are listed'),
    externalUrl: z
      .string()
      .url('must be an http:// or https:// URL')
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional()
      .describe('base URL people reach the service at, for links in notifications (env EXTERNAL_URL wins), default http://localhost:PORT'),
    redis: z
      .object({
        sentinel: z
          .object({
            sentinels: z.array(hostPort).min(1),
            name: nonEmpty().describe('master group name'),
            password: z.string().optional(),
            sentinelPassword: z.string().optional(),
          })
          .strict()
          .optional(),
        cluster: z.object({ nodes: z.array(hostPort).min(1), password: z.string().optional() }).strict().optional(),
      })
      .strict()
      .superRefine((redis, ctx) => {
        if (redis.sentinel && redis.cluster) {
          ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'configure either sentinel or cluster, not both' });
        }
      })
      .optional()
      .describe('Redis Sentinel or Cluster instead of redisUrl'),
  })
  .strict();

/** Top-level sections other than `slos`, each parsed on its own by the loader. */
export const SECTION_SCHEMAS = {
  sources: SourcesSchema,
  notifiers: NotifiersSchema,
  routes: RoutesSchema,
  corrections: CorrectionsSchema,
  heartbeat: HeartbeatSchema,
  policy: PolicySchema,
  auth: AuthSchema,
  server: ServerSchema,
} as const;

export const ConfigFileSchema = z
  .object({ slos: z.array(SloSchema).optional(), ...SECTION_SCHEMAS })
  .partial()
  .strict()
  .describe('slo-engine config file (SPEC §3)');

export type SloInput = z.infer<typeof SloSchema>;
export type AlertRuleInput = z.infer<typeof AlertRuleSchema>;
export type SourcesInput = z.infer<typeof SourcesSchema>;
export type NotifierInput = z.infer<typeof NotifierSchema>;
export type RouteInput = z.infer<typeof RouteSchema>;
export type CorrectionSpecInput = z.output<typeof CorrectionInputSchema>;
export type HeartbeatInput = z.infer<typeof HeartbeatSchema>;
export type PolicyInput = z.infer<typeof PolicySchema>;
export type AuthInput = z.infer<typeof AuthSchema>;
export type ServerInput = z.infer<typeof ServerSchema>;
export type ConfigFileInput = z.infer<typeof ConfigFileSchema>;
