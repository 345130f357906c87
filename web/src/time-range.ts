/**
 * The time range a page shows, kept in the URL (`?range=7d`, or `?from=…&to=…` in ISO-8601) so
 * every view can be linked to. `window` means the SLO's whole window (or current calendar period).
 */
import { h } from './dom';
import { windowMs } from './format';

export const RANGE_CHOICES = ['1h', '6h', '24h', '7d', 'window'] as const;

export interface TimeRange {
  /** as written in the URL ("7d", "window", or "custom") */
  label: string;
  fromMs: number;
  toMs: number;
}

/** The range in the URL; `windowSpan` resolves `window` (default) for the SLO at hand. */
export function rangeFromUrl(windowSpan: { fromMs: number; toMs: number }, search = location.search): TimeRange {
  const params = new URLSearchParams(search);
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to)) && Date.parse(from) < Date.parse(to)) {
    return { label: 'custom', fromMs: Date.parse(from), toMs: Math.min(Date.parse(to), Date.now()) };
  }
  const label = params.get('range') ?? 'window';
  const span = label === 'window' ? null : windowMs(label);
  if (span === null) return { label: 'window', ...windowSpan };
  return { label, fromMs: windowSpan.toMs - span, toMs: windowSpan.toMs };
}

/** Links to the other ranges of the same page (keyboard reachable, the current one marked). */
export function rangePicker(current: TimeRange): HTMLElement {
  const links = RANGE_CHOICES.map((choice) => {
    const params = new URLSearchParams(location.search);
    params.delete('from');
    params.delete('to');
    params.set('range', choice);
    return h('a', { href: `${location.pathname}?${params.toString()}`, class: 'range', 'aria-current': current.label === choice ? 'true' : null }, choice === 'window' ? 'whole window' : choice);
  });
  return h('nav', { class: 'ranges', 'aria-label': 'time range' }, 'Range: ', ...links);
}

/** A step that gives at most `maxPoints` points over the range, in whole seconds. */
export function stepFor(range: { fromMs: number; toMs: number }, maxPoints: number): number {
  return Math.max(1, Math.ceil((range.toMs - range.fromMs) / (maxPoints - 1) / 1000));
}
