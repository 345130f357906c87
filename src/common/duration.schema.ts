import { z } from 'zod';
import { formatDuration, parseDuration } from './duration';
import { CONFIG_DURATION_LIMITS, type DurationLimits } from './duration-limits';

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

/**
 * A duration between `limits.minMs` and `limits.maxMs` inclusive (SPEC §3 limits): the config's
 * durations, so that none is shorter than the engine can honour or longer than a timer can hold.
 */
export function boundedDurationSchema(limits: DurationLimits) {
  const range = `between ${formatDuration(limits.minMs)} and ${formatDuration(limits.maxMs)}`;
  return durationSchema
    .superRefine((text, ctx) => {
      const ms = parseDuration(text);
      if (ms !== null && (ms < limits.minMs || ms > limits.maxMs)) ctx.addIssue({ code: 'custom', message: `must be ${range} (got ${text})` });
    })
    .describe(`Prometheus-style duration ${range}`);
}

/** A config duration: between 1s and 400d unless the field says otherwise. */
export const configDurationSchema = boundedDurationSchema(CONFIG_DURATION_LIMITS);
