import { z } from 'zod';
import { apiSchema, isoTimestamp, type Assert, type Equal } from '../../common/api-schema';
import { parseDuration } from '../../common/duration';
import { CorrectionInputSchema } from '../../config/corrections.schema';
import { MAX_API_CORRECTIONS } from '../ports/correction.repository';
import type { CorrectionView } from './correction-view';

/** Shapes of the corrections API (SPEC §4, §5) and of the corrections of the state export. */

/** The body of POST /v1/corrections: the very schema of the config's `corrections:` items. */
export const CorrectionRequestSchema = apiSchema(
  'CorrectionRequest',
  CorrectionInputSchema.openapi({
    example: { service: 'orders', start: '2026-12-06T02:00:00+01:00', duration: '2h', repeat: 'weekly', reason: 'weekly DB maintenance' },
  }),
);

const correctionFields = z
  .object({
    id: z.string(),
    slo: z.string().nullable().describe('the SLO corrected; null when the correction names a service'),
    service: z.string().nullable().describe('every SLO of this service ("*": every service); null when the correction names an SLO'),
    start: isoTimestamp.describe('start of the first occurrence'),
    end: isoTimestamp.describe('end of the first occurrence (exclusive)'),
    duration: z.string().openapi({ example: '2h' }).describe('how long each occurrence lasts (end − start)'),
    // a union, not .nullable(): zod-to-openapi writes a nullable enum as an enum without null
    repeat: z.union([z.enum(['daily', 'weekly']), z.null()]).describe('repeated every 24 h or 7 × 24 h from start; null: once'),
    reason: z.string(),
    source: z.enum(['config', 'api']).describe('config: from the config file (cannot be deleted through the API); api: created through it'),
    createdAt: isoTimestamp.nullable().describe('null for a config correction'),
    createdBy: z.string().nullable().describe('the name of the token that created it; null for a config correction'),
  })
  .strict();

export const CorrectionSchema = apiSchema('Correction', correctionFields);
type _Correction = Assert<Equal<z.infer<typeof CorrectionSchema>, CorrectionView>>;

export const CorrectionListSchema = apiSchema(
  'CorrectionList',
  z.object({ corrections: z.array(CorrectionSchema).describe('config corrections first (in config order), then API ones, oldest first') }).strict(),
);
export type CorrectionList = z.infer<typeof CorrectionListSchema>;

const REPEAT_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/**
 * A correction of a state export: one created through the API, as listed. Checked as a create is
 * (one of slo or service, end after start, shorter than its repeat period), plus what only a stored
 * one has (its creation); `duration` must be `end − start`. A config correction (`config-` id or
 * source) is refused: those come from the config.
 */
export const ExportedCorrectionSchema = apiSchema(
  'ExportedCorrection',
  correctionFields
    .superRefine((c, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
      if (c.source !== 'api') issue('source', 'must be "api": config corrections come from the config, not from an export');
      if (c.id.trim() === '' || c.id.length > 256) issue('id', 'must be 1 to 256 characters');
      else if (c.id.startsWith('config-')) issue('id', 'must not start with "config-" (the ids of config corrections)');
      if ((c.slo === null) === (c.service === null)) issue('service', 'give exactly one of slo or service');
      if (c.createdAt === null) issue('createdAt', 'must be set for a correction created through the API');
      if (c.createdBy === null) issue('createdBy', 'must be set for a correction created through the API');
      if (c.reason.trim() === '') issue('reason', 'must not be empty');
      const lengthMs = Date.parse(c.end) - Date.parse(c.start);
      if (!(lengthMs > 0)) {
        issue('end', 'must be after start');
        return;
      }
      if (parseDuration(c.duration) !== lengthMs) issue('duration', 'must be end − start');
      if (c.repeat !== null && lengthMs >= REPEAT_MS[c.repeat]) issue('end', `must be shorter than the period of a ${c.repeat} correction`);
    })
    .describe('a correction created through the API'),
);
type _ExportedCorrection = Assert<Equal<z.infer<typeof ExportedCorrectionSchema>, CorrectionView>>;

/** The corrections of a state export (at most as many as are kept). */
export const ExportedCorrectionsSchema = z.array(ExportedCorrectionSchema).max(MAX_API_CORRECTIONS);
