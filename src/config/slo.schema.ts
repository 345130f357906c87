import { z } from 'zod';
import { IANAZone } from 'luxon';
import { parseDuration } from '../common/duration';
import { configDurationSchema } from '../common/duration.schema';
import { CALENDAR_UNITS } from './app-config';
import { httpUrlSchema, nonEmpty, num, RESERVED_MATCH_KEYS, scalarString, severitySchema } from './schema-primitives';

/** The `slos:` entries of the config file (SPEC §3): rules, SLI, windows (rolling or calendar). */


export const AlertRuleSchema = z
  .object({
    severity: severitySchema.describe('page or ticket'),
    burnRate: num(z.number().gt(0)).describe('burn rate both windows must reach, > 0'),
    long: configDurationSchema.describe('long window, at most the SLO window'),
    short: configDurationSchema.describe('short window, shorter than the long window'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const long = parseDuration(rule.long);
    const short = parseDuration(rule.short);
    if (long !== null && short !== null && short >= long) {
      ctx.addIssue({ code: 'custom', path: ['short'], message: 'the short window must be shorter than the long window' });
    }
  })
  .describe('one multiwindow burn-rate rule');

const EventsSliSchema = z.object({ source: z.literal('events') }).strict().describe('embedded event store, fed by POST /v1/events');
const PrometheusSliSchema = z
  .object({
    source: z.literal('prometheus'),
    errorQuery: nonEmpty().optional().describe('PromQL counting bad events over {{window}}'),
    goodQuery: nonEmpty().optional().describe('PromQL counting good events over {{window}}'),
    totalQuery: nonEmpty().describe('PromQL counting all events over {{window}}'),
  })
  .strict()
  .describe('Prometheus (or compatible) HTTP query API; exactly one of errorQuery / goodQuery');

export const SliSchema = z
  .discriminatedUnion('source', [EventsSliSchema, PrometheusSliSchema])
  .superRefine((sli, ctx) => {
    if (sli.source !== 'prometheus') return;
    const count = (sli.errorQuery !== undefined ? 1 : 0) + (sli.goodQuery !== undefined ? 1 : 0);
    if (count !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [sli.goodQuery !== undefined ? 'errorQuery' : 'goodQuery'],
        message: count === 0 ? 'one of errorQuery or goodQuery is required' : 'give either errorQuery or goodQuery, not both',
      });
    }
  })
  .describe('where the SLI comes from');

export const AlertingSchema = z
  .object({
    minEvents: num(z.number().int().min(0)).default(0).describe('low-traffic guard: events the long window must hold'),
    rules: z.array(AlertRuleSchema).optional().describe('missing: the default table of SPEC §4'),
  })
  .strict();

/** `window: {calendar: month, timeZone: Europe/Paris}` (SPEC §4): the budget runs from the current period's start. */
export const CalendarWindowSchema = z
  .object({
    calendar: z.enum(CALENDAR_UNITS, { errorMap: () => ({ message: 'must be week, month or quarter' }) }).describe('week (from Monday), month or quarter'),
    timeZone: z
      .string()
      .default('UTC')
      .refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone such as UTC or Europe/Paris' })
      .describe('IANA time zone of the period boundaries, default UTC'),
  })
  .strict()
  .describe('calendar window');

export const SloWindowSchema = z
  .union([configDurationSchema, CalendarWindowSchema], {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union' ? { message: 'must be a duration (30d) or a calendar window ({calendar: month, timeZone: UTC})' } : { message: ctx.defaultError },
  })
  .default('30d');

export const SloSchema = z
  .object({
    id: z
      .string()
      .max(128)
      .regex(/^[a-z0-9-]+$/, 'must contain only lowercase letters, digits and "-"')
      .describe('unique across all files, [a-z0-9-]+'),
    service: nonEmpty().describe('the deploy gate unit'),
    team: nonEmpty().optional().describe('usable in routes'),
    description: z.string().optional(),
    objective: num(
      z.number().gt(0, 'must be greater than 0 (percent)').lt(100, 'must be less than 100 (percent)'),
    ).describe('percent, 0 < objective < 100'),
    window: SloWindowSchema.describe('rolling window (duration, default 30d) or calendar window'),
    sli: SliSchema,
    runbook: httpUrlSchema.optional().describe('put in notifications'),
    labels: z
      .record(scalarString)
      .default({})
      .superRefine((labels, ctx) => {
        for (const key of Object.keys(labels)) {
          if ((RESERVED_MATCH_KEYS as readonly string[]).includes(key)) {
            ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is reserved for routing (use the SLO field)` });
          }
        }
      })
      .describe('usable in routes'),
    alerting: AlertingSchema.default({}),
  })
  .strict()
  .describe('one Service Level Objective');

