import { z } from 'zod';

/**
 * Building blocks of the config schemas (SPEC §3): numbers and booleans that also accept their
 * string form (a value substituted from the environment), URLs of given protocols, label-like
 * values kept as strings, and the names routes may match on.
 */


const numeric = (v: unknown): unknown =>
  typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v;
const booleanish = (v: unknown): unknown => (v === 'true' ? true : v === 'false' ? false : v);
const scalarToString = (v: unknown): unknown => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

export const num = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(numeric, schema);
export const bool = () => z.preprocess(booleanish, z.boolean());
export const nonEmpty = () => z.string().trim().min(1);

const urlWithProtocols = (protocols: string[], what: string) =>
  z.string().superRefine((text, ctx) => {
    let ok = false;
    try {
      ok = protocols.includes(new URL(text).protocol);
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: 'custom', message: `must be ${what}` });
  });
export const httpUrlSchema = urlWithProtocols(['http:', 'https:'], 'an http:// or https:// URL').describe('http(s) URL');
export const redisUrlSchema = urlWithProtocols(['redis:', 'rediss:'], 'a redis:// or rediss:// URL');

/** A label-like value: a string, or a number / boolean kept as its string form. */
export const scalarString = z.preprocess(
  scalarToString,
  z.string({ invalid_type_error: 'must be a string, number or boolean' }),
);

export const severitySchema = z.enum(['page', 'ticket']);
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const SCOPES = ['read', 'gate', 'ingest', 'admin'] as const;
/** SLO fields that routes match on; a label may not reuse these names. */
export const RESERVED_MATCH_KEYS = ['slo', 'service', 'team', 'severity', 'kind'] as const;

