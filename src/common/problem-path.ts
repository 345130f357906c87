import type { ZodIssue } from 'zod';
import type { ProblemDetail } from './domain-error';

/** `['events', 3, 'good']` → `events[3].good` (the path style of SPEC §5 and config errors). */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

export function zodIssuesToDetails(issues: readonly ZodIssue[]): ProblemDetail[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}
