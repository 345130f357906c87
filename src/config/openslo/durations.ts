/**
 * OpenSLO duration shorthand (`5m`, `1h`, `28d`, `2w`, also `1M`, `1Q`, `1Y`) read into the config's
 * durations, and the config's duration format (whole seconds, largest units first: `2m30s`).
 */
const FIXED_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const CALENDAR_UNITS: Record<string, string> = { M: 'month', Q: 'quarter', Y: 'year' };

export type ParsedDuration =
  | { ok: true; seconds: number }
  | { ok: false; reason: string };

/** `2w` → 1,209,600 s; compound forms (`1h30m`) too. Months, quarters and years have no fixed length. */
export function parseOpenSloDuration(value: unknown): ParsedDuration {
  if (typeof value !== 'string') {
    return { ok: false, reason: `must be a duration string such as 1h or 28d, not ${value === null || value === undefined ? 'empty' : `a ${typeof value}`}` };
  }
  const text = value.trim();
  if (text.startsWith('-')) return { ok: false, reason: `must be a positive duration such as 1h (got ${shown(text)})` };
  const calendar = /^\d+([MQY])$/.exec(text);
  if (calendar) {
    return { ok: false, reason: `a ${CALENDAR_UNITS[calendar[1]]} has no fixed length (got ${text}); write it in days (e.g. 30d)` };
  }
  if (!/^(\d+[smhdw])+$/.test(text)) {
    return { ok: false, reason: `is not a duration (got ${shown(text)}); expected e.g. 5m, 1h, 28d or 2w` };
  }
  let seconds = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([smhdw])/g)) seconds += Number(count) * FIXED_UNIT_SECONDS[unit];
  if (!Number.isSafeInteger(seconds) || seconds <= 0) return { ok: false, reason: `must be a positive duration such as 1h (got ${shown(text)})` };
  return { ok: true, seconds };
}

/** Whole seconds in the config's format, largest units first: 150 → `2m30s`, 1,209,600 → `14d`. */
export function formatSeconds(total: number): string {
  let rest = Math.round(total);
  let out = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out === '' ? '0s' : out;
}

/** A value for a message, cut short. */
export function shown(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}
