import { z } from 'zod';
import { ValidationError } from './domain-error';
import { zodIssuesToDetails } from './problem-path';
import { parseTimestamp, timestampProblem } from './timestamp';

/** Parses request input with a zod schema; failures become a 400 with one detail per problem. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what = 'invalid request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(what, zodIssuesToDetails(result.error.issues));
  return result.data;
}

/** A request timestamp (SPEC §5): ISO-8601 with `Z` or an offset, a real calendar date; parsed to epoch ms. */
export const timestampSchema = z
  .string()
  .superRefine((s, ctx) => {
    const problem = timestampProblem(s);
    if (problem !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  })
  .transform((s) => parseTimestamp(s) as number);

/** A query-string integer ("50") within bounds. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** SPEC §5: JSON nested deeper than this is a 400, on every endpoint. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether the JSON text nests objects and arrays deeper than `max`, found by one scan of the bytes
 * before anything parses them (a deep body never reaches JSON.parse, zod or JSON.stringify, whose
 * recursion it could overflow). UTF-8 keeps `"`, `\`, brackets and braces single bytes that never
 * occur inside a multi-byte character, so the bytes can be scanned as they are.
 */
export function jsonNestedDeeperThan(body: Buffer | string, max = MAX_JSON_DEPTH): boolean {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
