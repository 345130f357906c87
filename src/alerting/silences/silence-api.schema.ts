import { z } from 'zod';
import { apiSchema, isoTimestamp, requestTimestamp, type Assert, type Equal } from '../../common/api-schema';
import type { Silence } from './silence';

/** Shapes of the silences API (SPEC §5). */

/** `null` reads as absent, so a silence as listed (`service: null`) can be posted back. */
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128)
  .nullish()
  .transform((v) => v ?? undefined);

export const SilenceRequestSchema = apiSchema(
  'SilenceRequest',
  z
    .object({
      slo: name.openapi({ example: 'checkout-availability' }).describe('the SLO to silence; give either slo or service'),
      service: name.openapi({ example: 'checkout' }).describe('silences every SLO of the service; give either slo or service'),
      until: requestTimestamp.describe('when the silence ends: in the future, at most 30 days ahead'),
      reason: z.string().trim().min(1, 'must not be empty').max(1024).openapi({ example: 'planned maintenance of the payment provider' }),
    })
    .strict(),
);

export const SilenceSchema = apiSchema(
  'Silence',
  z
    .object({
      id: z.string(),
      slo: z.string().nullable().describe('the SLO silenced, or null for a service silence'),
      service: z.string().nullable().describe('the service silenced, or null for an SLO silence'),
      until: isoTimestamp,
      reason: z.string(),
      createdBy: z.string().describe('the name of the token that created it'),
      createdAt: isoTimestamp,
    })
    .strict(),
);
type _Silence = Assert<Equal<z.infer<typeof SilenceSchema>, Silence>>;

export const SilenceListSchema = apiSchema('SilenceList', z.object({ silences: z.array(SilenceSchema) }).strict());
export type SilenceList = z.infer<typeof SilenceListSchema>;
