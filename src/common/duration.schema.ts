import { z } from 'zod';
import { parseDuration } from './duration';

/**
 * The one duration schema (config and API alike): a Prometheus-style duration string (`30s`, `5m`,
 * `1h`, `30d`, `4w`, `1h30m`), kept as written.
 */
export const durationSchema = z
  .string()
  .superRefine((text, ctx) => {
    if (parseDuration(text) === null) {
      const shown = text.length <= 32 ? ` "${text}"` : '';
      ctx.addIssue({ code: 'custom', message: `invalid duration${shown}: expected e.g. 30s, 5m, 1h, 7d, 4w` });
    }
  })
  .describe('Prometheus-style duration: 10s, 5m, 1h, 6h, 1d, 30d, 4w');

/** The same, read as milliseconds (query parameters such as `step`). */
export const durationMsSchema = durationSchema.transform((text) => parseDuration(text) as number);
