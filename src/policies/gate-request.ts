import { z } from 'zod';
import { CHANGE_TYPES } from './domain/gate-matrix';

const text = (max: number) => z.string().trim().min(1).max(max);

/** The body of POST /v1/deploy-gate (SPEC §7); changeType defaults to feature. */
export const gateRequestSchema = z
  .object({
    service: text(128),
    changeType: z.enum(CHANGE_TYPES).default('feature'),
    version: text(128).optional(),
    environment: text(128).optional(),
    requestedBy: text(256).optional(),
  })
  .strict();

export const decisionsQuerySchema = z
  .object({
    service: text(128).optional(),
    limit: z
      .string()
      .regex(/^\d{1,9}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(1000))
      .optional(),
  })
  .strict();
