import { z } from 'zod';
import { apiSchema, isoTimestamp, nullableRef, type Assert, type Equal } from '../common/api-schema';
import { AlertRuleSchema } from '../slo/slo-api.schema';
import type { FiringAlert } from './alert-query.service';

/** Shapes of `GET /v1/alerts` (SPEC §5). */

export const FiringAlertSchema = apiSchema(
  'FiringAlert',
  z
    .object({
      slo: z.string().openapi({ example: 'checkout-availability' }),
      service: z.string().openapi({ example: 'checkout' }),
      severity: z.enum(['page', 'ticket']).describe('source-unavailable alerts are tickets'),
      kind: z.enum(['burn-rate', 'source-unavailable']),
      state: z.literal('firing'),
      since: isoTimestamp,
      rule: nullableRef(AlertRuleSchema).describe('the rule firing it; null for source-unavailable'),
      burnRates: z
        .record(z.string(), z.number())
        .nullable()
        .openapi({ example: { '5m': 16.2, '30m': 15.1, '1h': 14.9, '2h': 8, '6h': 3.1, '1d': 1.2, '3d': 0.5 } })
        .describe("the burn rates of the SLO's last successful evaluation; null when never evaluated"),
      silenced: z.boolean().describe('under an active silence: listed but not notified'),
      inhibited: z.boolean().describe('a ticket while the page of its SLO fires: listed but not notified'),
      removed: z
        .boolean()
        .describe(
          'the SLO is no longer in the config (removed while the service was down, or not in this replica\'s config during a rollout): listed until its resolve is recorded',
        ),
    })
    .strict(),
);
type _FiringAlert = Assert<Equal<z.infer<typeof FiringAlertSchema>, FiringAlert>>;

export const AlertListSchema = apiSchema('AlertList', z.object({ alerts: z.array(FiringAlertSchema) }).strict());
export type AlertList = z.infer<typeof AlertListSchema>;
