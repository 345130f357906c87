/** How numbers read on the board: fractions as percent, burn rates as multiples, durations in words. */

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)}%`;
}

/** An SLI (0.99941) as 99.941%. */
export function sli(value: number | null | undefined): string {
  return percent(value, 3);
}

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value >= 100 ? `${Math.round(value)}×` : `${value.toFixed(value >= 10 ? 1 : 2)}×`;
}

/** Seconds as "1d 4h", "2h 5m", "3m 20s", "45s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** A timestamp as local "2026-11-21 10:00" (ISO in the title attribute, for the exact value). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "in 3d 4h" / "5m ago" relative to now. */
export function relative(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return '–';
  const diff = (Date.parse(iso) - nowMs) / 1000;
  return diff >= 0 ? `in ${duration(diff)}` : `${duration(-diff)} ago`;
}

/** Window lengths as the config writes them ("30d", "1h", "1h30m") in milliseconds. */
export function windowMs(label: string): number | null {
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  const size: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 };
  let total = 0;
  let matched = '';
  for (const m of label.matchAll(re)) {
    total += Number(m[1]) * size[m[2]];
    matched += m[0];
  }
  return matched === label && total > 0 ? total : null;
}
