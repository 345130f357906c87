import { z } from 'zod';
import { apiSchema, isoTimestamp, requestTimestamp, type Assert, type Equal } from '../common/api-schema';
import { durationMsSchema } from '../common/duration.schema';
import { queryInt } from '../common/parse-input';
import type { BudgetObject } from './budget-view';
import type { Zone } from './domain/zones';
import type { BudgetAlert } from './ports/firing-alerts';
import { MAX_PAGE, type SloDefinition, type SloPage, type SloQueryService } from './slo-query.service';
import type { HistoryPoint, SloHistory } from './slo-history.service';
import { DEFAULT_BURNDOWN_POINTS, MAX_BURNDOWN_POINTS, type Burndown } from './burndown.service';

/** Shapes of the read API of SLOs (SPEC §5): the budget object, pages, detail, history, burn-down. */

export const ZONES = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'] as const;
type _Zones = Assert<Equal<(typeof ZONES)[number], Zone>>;
export const ZoneSchema = z.enum(ZONES);

const severity = z.enum(['page', 'ticket']);
const alertKind = z.enum(['burn-rate', 'source-unavailable']);
const nullableNumber = z.number().nullable();

// ---------------------------------------------------------------- requests

export const SloListQuerySchema = z
  .object({
    service: z.string().min(1).max(128).optional().describe('only the SLOs of this service'),
    limit: queryInt(1, MAX_PAGE).optional().describe(`default ${MAX_PAGE}, at most ${MAX_PAGE}`),
    cursor: z.string().min(1).max(256).optional().describe('nextCursor of the previous page'),
  })
  .strict();

export const SloHistoryQuerySchema = z
  .object({
    from: requestTimestamp.optional().describe('default: 24 h before `to`'),
    to: requestTimestamp.optional().describe('default (and at most): now'),
    step: durationMsSchema.optional().describe('default 5m; at most 2,000 points per request; at least 1s for a Prometheus SLO'),
  })
  .strict();

export const BurndownQuerySchema = z
  .object({
    service: z.string().min(1).max(128).optional().describe('only the SLOs of this service (404 when it has none)'),
    points: queryInt(2, MAX_BURNDOWN_POINTS).optional().describe(`instants per SLO, default ${DEFAULT_BURNDOWN_POINTS}, 2 to ${MAX_BURNDOWN_POINTS}`),
  })
  .strict();

// ---------------------------------------------------------------- the budget object

export const BudgetAlertSchema = apiSchema(
  'BudgetAlert',
  z
    .object({
      severity,
      kind: alertKind,
      state: z.literal('firing'),
      since: isoTimestamp,
    })
    .strict(),
);
type _BudgetAlert = Assert<Equal<z.infer<typeof BudgetAlertSchema>, BudgetAlert>>;

/** Burn rates by window label as written in the config (rule windows, plus 1h). */
const burnRates = <V extends z.ZodTypeAny>(value: V) =>
  z.record(z.string(), value).openapi({ example: { '5m': 2.1, '30m': 2.8, '1h': 3.1, '2h': 3.5, '6h': 3.3, '1d': 3.2, '3d': 2.4 } });

export const BudgetSchema = apiSchema(
  'Budget',
  z
    .object({
      slo: z.string().openapi({ example: 'checkout-availability' }),
      service: z.string().openapi({ example: 'checkout' }),
      team: z.string().nullable().openapi({ example: 'payments' }),
      objective: z.number().openapi({ example: 99.9 }),
      window: z.string().openapi({ example: '30d' }).describe('a rolling window as configured (30d), or a calendar unit: week, month, quarter'),
      period: z
        .object({ start: isoTimestamp, end: isoTimestamp.describe("the next period's start") })
        .strict()
        .optional()
        .describe('calendar windows only: the current period, in which the budget numbers are counted'),
      zone: ZoneSchema.describe('unknown before the first evaluation (and when it is stale)'),
      evaluatedAt: isoTimestamp.nullable().describe('null before the first evaluation'),
      sli: nullableNumber.openapi({ example: 0.99941 }),
      good: nullableNumber.openapi({ example: 9994100 }),
      total: nullableNumber.openapi({ example: 10000000 }),
      budget: z
        .object({
          remaining: nullableNumber.describe('1 untouched, 0 spent, negative overspent'),
          consumed: nullableNumber,
          exhaustsAt: isoTimestamp.nullable().describe('straight-line forecast at the 1h burn rate'),
        })
        .strict(),
      burnRates: burnRates(nullableNumber).describe('one key per rule window as configured, plus 1h'),
      alerts: z.array(BudgetAlertSchema).describe('firing alerts of the SLO'),
      stateLostAt: isoTimestamp
        .optional()
        .describe('present while a loss of the shared state (Redis emptied) is not accepted: the numbers may rest on emptied state (SPEC §12)'),
    })
    .strict()
    .describe('the budget object (SPEC §5)'),
);
type _Budget = Assert<Equal<z.infer<typeof BudgetSchema>, BudgetObject>>;

export const SloPageSchema = apiSchema(
  'SloPage',
  z
    .object({
      slos: z.array(BudgetSchema),
      nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
    })
    .strict(),
);
type _SloPage = Assert<Equal<z.infer<typeof SloPageSchema>, SloPage>>;

// ---------------------------------------------------------------- detail and history

export const AlertRuleSchema = apiSchema(
  'AlertRule',
  z
    .object({
      severity,
      burnRate: z.number().openapi({ example: 14.4 }),
      long: z.string().openapi({ example: '1h' }),
      short: z.string().openapi({ example: '5m' }),
    })
    .strict(),
);

export const SloDefinitionSchema = apiSchema(
  'SloDefinition',
  z
    .object({
      id: z.string(),
      service: z.string(),
      team: z.string().nullable(),
      description: z.string().nullable(),
      objective: z.number(),
      window: z.union([
        z.string().describe('rolling window'),
        z.object({ calendar: z.enum(['week', 'month', 'quarter']), timeZone: z.string() }).strict().describe('calendar window'),
      ]),
      sli: z.discriminatedUnion('source', [
        z.object({ source: z.literal('events') }).strict(),
        z
          .object({
            source: z.literal('prometheus'),
            errorQuery: z.string().optional(),
            goodQuery: z.string().optional(),
            totalQuery: z.string(),
          })
          .strict(),
      ]),
      runbook: z.string().nullable(),
      labels: z.record(z.string(), z.string()),
      alerting: z
        .object({
          minEvents: z.number().int(),
          defaultRules: z.boolean().describe('true when the rules are the default table'),
          rules: z.array(AlertRuleSchema),
        })
        .strict(),
    })
    .strict()
    .describe('the SLO as configured (nothing secret)'),
);
type _SloDefinition = Assert<Equal<z.infer<typeof SloDefinitionSchema>, SloDefinition>>;

export const SloDetailSchema = apiSchema('SloDetail', z.object({ definition: SloDefinitionSchema, budget: BudgetSchema }).strict());
type _SloDetail = Assert<Equal<z.infer<typeof SloDetailSchema>, Awaited<ReturnType<SloQueryService['detail']>>>>;

export const HistoryPointSchema = apiSchema(
  'HistoryPoint',
  z
    .object({
      t: isoTimestamp,
      sli: nullableNumber,
      remaining: nullableNumber,
      burnRates: burnRates(z.number()).nullable(),
    })
    .strict()
    .describe(
      'the numbers an evaluation at `t` would have given (corrections in force applied); all null where they cannot be known: before what the event store keeps (one SLO window back), or where Prometheus has no sample of any of the windows (nor, for a calendar SLO, anything counted in the period or the previous one)',
    ),
);
type _HistoryPoint = Assert<Equal<z.infer<typeof HistoryPointSchema>, HistoryPoint>>;

export const HistorySchema = apiSchema('History', z.object({ slo: z.string(), points: z.array(HistoryPointSchema) }).strict());
type _History = Assert<Equal<z.infer<typeof HistorySchema>, SloHistory>>;

// ---------------------------------------------------------------- burn-down

export const BurndownSeriesSchema = apiSchema(
  'BurndownSeries',
  z
    .object({
      slo: z.string().openapi({ example: 'checkout-availability' }),
      description: z.string().nullable().describe("the SLO's description as configured (the board's search reads it)"),
      labels: z.record(z.string(), z.string()).openapi({ example: { tier: '1' } }).describe("the SLO's labels as configured (the board filters on them)"),
      from: isoTimestamp.describe('the first instant: the window (rolling) or period (calendar) start, within one step'),
      to: isoTimestamp.describe('the last instant: now'),
      step: z.number().int().openapi({ example: 55148 }).describe('seconds between two instants (whole seconds, at least 1; the history endpoint takes it as `step=55148s`)'),
      remaining: z
        .array(nullableNumber)
        .describe(
          "the history's `remaining` at `from + i × step` (the same numbers as GET /v1/slos/{id}/history with this from, to and step); null where it is null, and everywhere when the SLO's metrics source did not answer",
        ),
    })
    .strict(),
);

export const BurndownSchema = apiSchema('Burndown', z.object({ slos: z.array(BurndownSeriesSchema).describe('sorted by SLO id') }).strict());
type _Burndown = Assert<Equal<z.infer<typeof BurndownSchema>, Burndown>>;
