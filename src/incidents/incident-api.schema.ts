import { z } from 'zod';
import { apiSchema, isoTimestamp, requestTimestamp, type Assert, type Equal } from '../common/api-schema';
import { queryInt } from '../common/parse-input';
import { boundedDurationSchema } from '../common/duration.schema';
import { ZoneSchema } from '../slo/slo-api.schema';
import { ACTION_ITEM_CATEGORIES } from './domain/incident';
import type { ReliabilitySummary } from './domain/reliability';
import type { IncidentList, IncidentView } from './incident-view';

/** Shapes of the incident endpoints (SPEC §5, §13) and of the incidents of the state export. */

const seconds = z.number().nullable();

const PageRuleSchema = z
  .object({ severity: z.enum(['page', 'ticket']), burnRate: z.number(), long: z.string(), short: z.string() })
  .strict()
  .describe('the rule that fired the page');

export const IncidentSchema = apiSchema(
  'Incident',
  z
    .object({
      id: z.string().openapi({ example: 'inc-20261121-3f9a0c41d2b7' }),
      service: z.string(),
      state: z.enum(['open', 'resolved']),
      startedAt: isoTimestamp.nullable().describe('when the errors began (SPEC §4: the 5m error ratio of the SLO that paged first rose above its allowed ratio); null until it could be read'),
      detectedAt: isoTimestamp.describe('when the first page fired'),
      resolvedAt: isoTimestamp.nullable().describe('when no page of the service fired any more; null while open'),
      timeToDetect: seconds.describe('seconds: detectedAt − startedAt'),
      timeToResolve: seconds.describe('seconds: resolvedAt − startedAt; null while open'),
      zoneAtOpen: ZoneSchema.describe("the service's zone when the incident opened"),
      slos: z
        .array(z.object({ slo: z.string(), budgetConsumed: z.number().nullable().describe('max(0, remaining(startedAt) − remaining(resolvedAt)); null while open') }).strict())
        .describe('every SLO that paged'),
      pages: z.array(
        z
          .object({
            slo: z.string(),
            rule: z.union([PageRuleSchema, z.null()]),
            firedAt: isoTimestamp,
            resolvedAt: isoTimestamp.nullable().describe('null while it fires'),
          })
          .strict(),
      ),
      postmortem: z
        .object({
          required: z.boolean(),
          reasons: z.array(z.string()).describe('why it is required (budget threshold, in freeze); empty when not'),
          dueAt: isoTimestamp.nullable().describe('resolvedAt + policy.postmortems.due; null while open or when not required'),
          url: z.string().nullable(),
          summary: z.string().nullable(),
          actionItems: z.array(
            z.object({ title: z.string(), owner: z.string(), dueAt: isoTimestamp, category: z.enum(ACTION_ITEM_CATEGORIES), done: z.boolean() }).strict(),
          ),
          overdue: z.boolean().describe('required, no url, past dueAt'),
        })
        .strict(),
      timeline: z.array(z.object({ at: isoTimestamp, what: z.string() }).strict()).describe('pages, resolves, zone changes and postmortem events, oldest first'),
    })
    .strict(),
);
type _Incident = Assert<Equal<z.infer<typeof IncidentSchema>, IncidentView>>;

export const IncidentListSchema = apiSchema(
  'IncidentList',
  z
    .object({
      incidents: z.array(IncidentSchema).describe('newest first (by detectedAt)'),
      nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
    })
    .strict(),
);
type _IncidentList = Assert<Equal<z.infer<typeof IncidentListSchema>, IncidentList>>;

export const MAX_INCIDENT_PAGE = 1000;

export const IncidentsQuerySchema = z
  .object({
    service: z.string().trim().min(1).max(128).optional().describe('only the incidents of this service'),
    state: z.enum(['open', 'resolved']).optional(),
    from: requestTimestamp.optional().describe('detected at or after'),
    to: requestTimestamp.optional().describe('detected at or before'),
    limit: queryInt(1, MAX_INCIDENT_PAGE).optional().describe('default 100, at most 1000'),
    cursor: z.string().max(512).optional().describe('nextCursor of the previous page'),
  })
  .strict();

const httpUrl = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(text).protocol);
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an http:// or https:// URL' });
  });

export const PostmortemRequestSchema = apiSchema(
  'PostmortemRequest',
  z
    .object({
      url: httpUrl.openapi({ example: 'https://wiki.example/postmortems/2026-11-21-checkout' }).describe('where the postmortem is written'),
      summary: z.string().trim().max(10_000).optional(),
      actionItems: z
        .array(
          z
            .object({
              title: z.string().trim().min(1, 'must not be empty').max(512),
              owner: z.string().trim().min(1, 'must not be empty').max(256),
              dueAt: requestTimestamp,
              category: z.enum(ACTION_ITEM_CATEGORIES),
              done: z.boolean().default(false),
            })
            .strict(),
        )
        .max(100)
        .default([])
        .describe('replaces the incident\'s action items (at most 100)'),
    })
    .strict(),
);
export type PostmortemRequest = z.output<typeof PostmortemRequestSchema>;

export const ReliabilityQuerySchema = z
  .object({
    window: boundedDurationSchema({ minMs: 3_600_000, maxMs: 400 * 86_400_000 }).default('30d').describe('incidents detected in the last window, 1h to 400d (default 30d)'),
  })
  .strict();

const stats = z
  .object({ mean: z.number().nullable(), p50: z.number().nullable(), max: z.number().nullable() })
  .strict()
  .describe('seconds; null when no incident of the window has the number');

export const ReliabilitySchema = apiSchema(
  'Reliability',
  z
    .object({
      service: z.string(),
      window: z.string().openapi({ example: '30d' }),
      incidents: z.number().int().describe('incidents detected in the window'),
      timeToDetect: stats.describe('MTTD: mean, median and maximum time to detect, seconds'),
      timeToResolve: stats.describe('MTTR: mean, median and maximum time to resolve (resolved incidents), seconds'),
      budgetConsumedByIncidents: z.record(z.string(), z.number()).describe('per SLO, the budget fraction its incidents consumed'),
      postmortems: z.object({ required: z.number().int(), done: z.number().int(), overdue: z.number().int() }).strict(),
      actionItems: z
        .object({ open: z.number().int(), overdue: z.number().int(), done: z.number().int() })
        .strict()
        .describe('open: not done, not yet due; overdue: not done, past dueAt'),
    })
    .strict(),
);
type _Reliability = Assert<Equal<z.infer<typeof ReliabilitySchema>, ReliabilitySummary>>;
