import { z } from 'zod';
import type { Correction } from '../../slo/domain/corrections';

/**
 * Where the corrections created through the API are kept (SPEC §4, §8): with the other policy
 * state, in memory or in Redis. The config's corrections are never stored: they come from the
 * config in force.
 */

/** A correction created through `POST /v1/corrections` (or imported from a state export). */
export interface ApiCorrection extends Correction {
  source: 'api';
  createdAtMs: number;
  createdBy: string;
}

/**
 * At most this many API corrections are kept (a create beyond answers 409). Corrections never
 * expire (a past one still changes history), so the bound is what keeps the state and each cycle's
 * read of it bounded.
 */
export const MAX_API_CORRECTIONS = 10_000;

export interface CorrectionRepository {
  /** writes the correction, over a stored one of the same id */
  saveCorrection(correction: ApiCorrection): Promise<void>;
  /** every stored correction that can be read; a malformed stored value is left out (and logged), never a failure of the others */
  listCorrections(): Promise<ApiCorrection[]>;
  /** removes the correction; answers what it removed, or null when nothing readable was stored under the id */
  deleteCorrection(id: string): Promise<ApiCorrection | null>;
}

export const CORRECTION_REPOSITORY = Symbol('CORRECTION_REPOSITORY');

const REPEAT_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** A stored correction, as written by the adapters (JSON of an `ApiCorrection`). */
const StoredCorrectionSchema = z
  .object({
    id: z.string().min(1).max(256),
    slo: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    startMs: z.number().int().safe(),
    durationMs: z.number().int().positive().safe(),
    repeat: z.enum(['daily', 'weekly']).nullable(),
    reason: z.string(),
    source: z.literal('api'),
    createdAtMs: z.number().int().safe(),
    createdBy: z.string(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.slo === undefined) === (c.service === undefined)) ctx.addIssue({ code: 'custom', path: ['service'], message: 'exactly one of slo or service' });
    if (c.repeat !== null && c.durationMs >= REPEAT_MS[c.repeat]) ctx.addIssue({ code: 'custom', path: ['durationMs'], message: 'not shorter than its repeat period' });
  });

/** Reads a stored value back: the correction, or what is wrong with it (not JSON, not a correction). */
export function parseStoredCorrection(json: string): ApiCorrection | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = StoredCorrectionSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `not a correction (${issue.path.join('.') || 'value'}: ${issue.message})` };
  }
  return parsed.data;
}
