import { z } from 'zod';
import type { ConfigProblem } from './app-config';
import type { PathSegment } from './env-substitution';

/** `['slos', 2, 'objective']` → `slos[2].objective`; odd keys are quoted: `labels["a.b"]`. */
export function formatPath(segments: ReadonlyArray<PathSegment>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Joins a base path (`documents[1]`, `slos[3]`) and a relative one. */
export function joinPath(base: string, rest: string): string {
  if (base === '') return rest;
  if (rest === '') return base;
  return rest.startsWith('[') ? `${base}${rest}` : `${base}.${rest}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  float: 'a fractional number',
  boolean: 'true or false',
  null: 'empty',
};
const typeName = (t: string): string => TYPE_NAMES[t] ?? t;

/**
 * Messages for zod issues. Never echoes the received *value* (it may be a secret); only types,
 * allowed options and bounds.
 */
export const configErrorMap: z.ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return { message: 'is required' };
      return { message: `must be ${typeName(issue.expected)}, not ${typeName(issue.received)}` };
    case z.ZodIssueCode.invalid_enum_value:
    case z.ZodIssueCode.invalid_union_discriminator:
      return { message: `must be one of: ${issue.options.map(String).join(', ')}` };
    case z.ZodIssueCode.invalid_literal:
      return { message: `must be ${JSON.stringify(issue.expected)}` };
    case z.ZodIssueCode.too_small: {
      const min = Number(issue.minimum);
      if (issue.type === 'string') return { message: min <= 1 ? 'must not be empty' : `must be at least ${min} characters` };
      if (issue.type === 'array') return { message: `must have at least ${min} item${min === 1 ? '' : 's'}` };
      return { message: `must be ${issue.inclusive ? 'at least' : 'greater than'} ${min}` };
    }
    case z.ZodIssueCode.too_big: {
      const max = Number(issue.maximum);
      if (issue.type === 'string') return { message: `must be at most ${max} characters` };
      if (issue.type === 'array') return { message: `must have at most ${max} items` };
      return { message: `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}` };
    }
    case z.ZodIssueCode.not_multiple_of:
      return { message: `must be a multiple of ${String(issue.multipleOf)}` };
    case z.ZodIssueCode.invalid_union:
      return { message: 'does not match any allowed form' };
    default:
      return { message: issue.message ?? ctx.defaultError };
  }
};

/** Converts a zod error into problems, one per issue (one per unknown key). */
export function zodProblems(error: z.ZodError, file: string, basePath: PathSegment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const at = [...basePath, ...issue.path];
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      for (const key of issue.keys) problems.push({ file, path: formatPath([...at, key]), message: 'unknown key' });
    } else {
      problems.push({ file, path: formatPath(at), message: issue.message });
    }
  }
  return problems;
}

/** Replaces every occurrence of a secret in a text by `***`. */
export function scrub(text: string, secrets: ReadonlyArray<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}
