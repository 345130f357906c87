import { z } from 'zod';
import { apiSchema, isoTimestamp } from '../common/api-schema';

/**
 * Shapes of `/healthz` and `/readyz` (SPEC §5): Terminus' answer when every check is up; a failed
 * readiness check answers 503 in the error shape, with one `details` entry per failed check.
 * (Terminus types these loosely, so the OpenAPI e2e test is what keeps them true.)
 */
const up = <S extends z.ZodRawShape>(shape: S) => z.object({ status: z.literal('up'), ...shape }).strict();

const liveness = z.object({ process: up({ uptimeSeconds: z.number().int().min(0) }) }).strict();

export const LivenessSchema = apiSchema(
  'Liveness',
  z.object({ status: z.literal('ok'), info: liveness, error: z.object({}).strict(), details: liveness }).strict(),
);

const readiness = z
  .object({
    shutdown: up({}).describe('down while the process shuts down'),
    config: up({}),
    firstEvaluation: up({ at: isoTimestamp }).describe('down until the first evaluation cycle has completed'),
    state: up({ mode: z.enum(['memory', 'redis']) }).describe('down while Redis does not answer'),
  })
  .strict();

export const ReadinessSchema = apiSchema(
  'Readiness',
  z.object({ status: z.literal('ok'), info: readiness, error: z.object({}).strict(), details: readiness }).strict(),
);
