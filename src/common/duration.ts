/**
 * Prometheus-style durations: `10s`, `5m`, `1h`, `1d`, `4w`, also compound (`1h30m`).
 * Plain functions, no framework imports.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const PART = /(\d+)(ms|s|m|h|d|w|y)/y;

/** Milliseconds of a duration string, or `null` when it is not a valid positive duration. */
export function parseDuration(text: string): number | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 32) return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return null;
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** Like {@link parseDuration} but throws on invalid input. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`invalid duration "${text}"`);
  return ms;
}

/** Shortest single-unit rendering (`3600000` → `1h`), falling back to compound form. */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['w', UNIT_MS.w],
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
    ['ms', 1],
  ];
  for (const [unit, size] of units) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
