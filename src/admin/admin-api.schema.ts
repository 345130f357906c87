import { z } from 'zod';
import { apiSchema, isoTimestamp, nullableRef, type Assert, type Equal } from '../common/api-schema';
import type { AcceptedLoss } from './state-loss.service';

/** Shapes of the admin state endpoints (SPEC §5, §12). */

export const StateLossSchema = apiSchema(
  'StateLoss',
  z
    .object({
      lostAt: isoTimestamp.describe('when a replica found the state marker gone or replaced'),
      reason: z.string(),
    })
    .strict(),
);

export const AcceptedLossSchema = apiSchema(
  'AcceptedLoss',
  z
    .object({
      accepted: nullableRef(StateLossSchema).describe('the loss now accepted; null when none was recorded'),
    })
    .strict(),
);
type _AcceptedLoss = Assert<Equal<z.infer<typeof AcceptedLossSchema>, AcceptedLoss>>;
