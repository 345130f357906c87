import { z } from 'zod';
import { parseDuration } from '../common/duration';
import { configDurationSchema } from '../common/duration.schema';
import { timestampSchema } from '../common/parse-input';
import type { CorrectionSpec } from './app-config';

/**
 * A correction (SPEC §3, §4, §5): planned maintenance taken out of the budget. The same shape in
 * the config's `corrections:` list and in `POST /v1/corrections`: one of `slo` or `service` (`"*"`
 * for every service), `start` with a zone, one of `duration` or `end`, an optional `repeat`.
 */
const REPEAT_PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

export const CORRECTION_REASON_MAX = 1_000;

export const CorrectionInputSchema = z
  .object({
    slo: z.string().min(1).max(128).optional().describe('one SLO'),
    service: z.string().trim().min(1).max(128).optional().describe('every SLO of a service, or "*" for all'),
    start: timestampSchema.describe('ISO-8601 with Z or an offset'),
    duration: configDurationSchema.optional().describe('how long each occurrence lasts (or give end)'),
    end: timestampSchema.optional().describe('end of the first occurrence, after start (or give duration)'),
    repeat: z.enum(['daily', 'weekly']).optional().describe('repeat every 24 h or 7 × 24 h from start'),
    reason: z.string().trim().min(1, 'must not be empty').max(CORRECTION_REASON_MAX).describe('why; shown in the audit and the board'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.slo === undefined) === (c.service === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'give exactly one of slo or service ("*" for every service)' });
    }
    if ((c.duration === undefined) === (c.end === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'give exactly one of duration or end' });
      return;
    }
    const durationMs = c.end !== undefined ? c.end - c.start : (parseDuration(c.duration as string) ?? 0);
    if (c.end !== undefined && !(durationMs > 0)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    if (c.repeat !== undefined && durationMs >= REPEAT_PERIOD_MS[c.repeat]) {
      ctx.addIssue({
        code: 'custom',
        path: [c.end !== undefined ? 'end' : 'duration'],
        message: `must be shorter than the ${c.repeat === 'daily' ? '24 h' : '7 days'} between two ${c.repeat} occurrences`,
      });
    }
  })
  .transform((c): CorrectionSpec => {
    const spec: CorrectionSpec = {
      startMs: c.start,
      durationMs: c.end !== undefined ? c.end - c.start : (parseDuration(c.duration as string) as number),
      repeat: c.repeat ?? null,
      reason: c.reason,
    };
    if (c.slo !== undefined) spec.slo = c.slo;
    if (c.service !== undefined) spec.service = c.service;
    return spec;
  })
  .describe('planned maintenance taken out of the budget');

export type CorrectionInput = z.input<typeof CorrectionInputSchema>;
