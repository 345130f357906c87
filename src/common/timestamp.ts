/** ISO-8601 date-time that carries `Z` or an offset (SPEC §5: request timestamps must). */
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * Epoch ms of an ISO-8601 timestamp with zone, or null when it is not one. Every field is checked
 * against the calendar first (SPEC §5: `2026-11-31` is refused, not read as December 1st, which
 * `Date.parse` would do): month 1–12, a day the month has, hour 0–23, minute and second 0–59,
 * offset up to ±23:59.
 */
export function parseTimestamp(text: string): number | null {
  const result = readTimestamp(text);
  return typeof result === 'number' ? result : null;
}

export const NOT_A_TIMESTAMP = 'must be an ISO-8601 timestamp with Z or an offset';
export const NOT_A_DATE = 'is not a date of the calendar';

/** Why `text` is not a request timestamp (the message of a 400 detail), or null when it is one. */
export function timestampProblem(text: unknown): string | null {
  const result = readTimestamp(text);
  return typeof result === 'number' ? null : result;
}

function readTimestamp(text: unknown): number | string {
  if (typeof text !== 'string' || text.length > 40) return NOT_A_TIMESTAMP;
  const m = ISO_WITH_ZONE.exec(text);
  if (!m) return NOT_A_TIMESTAMP;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return NOT_A_DATE;
  if (hour > 23 || minute > 59 || second > 59) return NOT_A_DATE;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return NOT_A_DATE;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : NOT_A_TIMESTAMP;
}
