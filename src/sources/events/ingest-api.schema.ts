import { z } from 'zod';
import { apiSchema } from '../../common/api-schema';

/** Shapes of POST /v1/events (SPEC §5); `validateIngest` (ingest-request.ts) adds the checks that need the config and the clock. */

export const MAX_EVENTS_PER_REQUEST = 10_000;

export const IngestEventSchema = apiSchema(
  'IngestEvent',
  z
    .object({
      slo: z.string().min(1).max(128).openapi({ example: 'checkout-availability' }).describe('id of an events SLO'),
      good: z.number().int('must be an integer').min(0).max(Number.MAX_SAFE_INTEGER).openapi({ example: 998 }),
      total: z.number().int('must be an integer').min(0).max(Number.MAX_SAFE_INTEGER).openapi({ example: 1000 }).describe('at least good'),
      timestamp: z
        .string()
        .max(64)
        .optional()
        .openapi({ format: 'date-time', example: '2026-11-21T09:59:00Z' })
        .describe("default now; ISO-8601 with Z or an offset; not older than the SLO's longest window, at most 5 min ahead"),
    })
    .strict(),
);

export const IngestRequestSchema = apiSchema(
  'IngestRequest',
  z.object({ events: z.array(IngestEventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) }).strict().describe('validated whole: one bad event → 400, nothing stored'),
);

export const IngestAcceptedSchema = apiSchema(
  'IngestAccepted',
  z.object({ accepted: z.number().int().min(0).openapi({ example: 1000 }).describe('events stored') }).strict(),
);
// Checked against IngestService's IngestResult in events.controller.ts (importing the service here would be a cycle).
