import { z } from 'zod';
import { ValidationError } from './domain-error';
import { zodIssuesToDetails } from './problem-path';
import { parseTimestamp } from './timestamp';

/** Parses request input with a zod schema; failures become a 400 with one detail per problem. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what = 'invalid request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(what, zodIssuesToDetails(result.error.issues));
  return result.data;
}

export const timestampSchema = z
  .string()
  .refine((s) => parseTimestamp(s) !== null, 'must be an ISO-8601 timestamp with Z or an offset')
  .transform((s) => parseTimestamp(s) as number);

/** A query-string integer ("50") within bounds. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
