/** Zones and budgets drawn as text and colour together (the text is what screen readers and colour-blind readers get). */
import { h } from './dom';
import { percent } from './format';
import type { Zone } from './types';

export function zoneBadge(zone: Zone): HTMLElement {
  return h('span', { class: `zone zone-${zone}`, 'data-zone': zone }, zone);
}

/** The remaining budget as a bar (clamped to 0–100%) and its number; negative shown as such. */
export function budgetBar(remaining: number | null, zone: Zone): HTMLElement {
  const fill = h('span', { class: `bar-fill zone-${zone}` });
  fill.style.width = `${remaining === null ? 0 : Math.max(0, Math.min(1, remaining)) * 100}%`;
  return h(
    'span',
    { class: 'budget' },
    h('span', { class: 'bar', role: 'img', 'aria-label': `remaining budget ${percent(remaining)}` }, fill),
    h('span', { class: 'num' }, percent(remaining)),
  );
}

const ORDER: Record<Zone, number> = { exhausted: 0, freeze: 1, caution: 2, unknown: 3, normal: 4 };

/** Worst first: exhausted, freeze, caution, unknown, normal. */
export function zoneRank(zone: Zone): number {
  return ORDER[zone];
}
