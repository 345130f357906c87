/**
 * `GET /tv`: the wall screen, made for 1920×1080 read from across a room. One large tile per
 * service with its zone (word and colour) and its lowest remaining budget; services with a page
 * firing first, then worst zone, then least budget. No interaction: it refreshes itself.
 */
import { get } from '../api';
import { allBudgets } from '../board-data';
import { h, replace } from '../dom';
import { percent } from '../format';
import { refreshing } from '../layout';
import type { Budget, FiringAlert, Zone } from '../types';
import { zoneRank } from '../zone';

const TV_REFRESH_MS = 15_000;

interface Tile {
  service: string;
  zone: Zone;
  lowest: Budget | null;
  slos: number;
  pages: number;
  tickets: number;
}

function tiles(budgets: Budget[], alerts: FiringAlert[]): Tile[] {
  const byService = new Map<string, Budget[]>();
  for (const b of budgets) byService.set(b.service, [...(byService.get(b.service) ?? []), b]);
  const out: Tile[] = [];
  for (const [service, list] of byService) {
    const zone = list.map((b) => b.zone).sort((a, b) => zoneRank(a) - zoneRank(b))[0];
    const known = list.filter((b) => b.budget.remaining !== null);
    const lowest = known.length === 0 ? null : known.reduce((a, b) => (b.budget.remaining! < a.budget.remaining! ? b : a));
    const mine = alerts.filter((a) => a.service === service && !a.silenced);
    out.push({ service, zone, lowest, slos: list.length, pages: mine.filter((a) => a.severity === 'page').length, tickets: mine.filter((a) => a.severity === 'ticket').length });
  }
  return out.sort(
    (a, b) =>
      (b.pages > 0 ? 1 : 0) - (a.pages > 0 ? 1 : 0) ||
      zoneRank(a.zone) - zoneRank(b.zone) ||
      (a.lowest?.budget.remaining ?? 2) - (b.lowest?.budget.remaining ?? 2) ||
      a.service.localeCompare(b.service),
  );
}

function tile(t: Tile): HTMLElement {
  return h(
    'article',
    { class: `tile zone-${t.zone}${t.pages > 0 ? ' paging' : ''}`, 'data-service': t.service, 'data-zone': t.zone, 'aria-label': `${t.service}: ${t.zone}` },
    h('h2', { class: 'tile-service' }, t.service),
    h('p', { class: 'tile-zone' }, t.zone.toUpperCase()),
    h('p', { class: 'tile-budget' }, percent(t.lowest?.budget.remaining ?? null, 0)),
    h('p', { class: 'tile-detail' }, t.lowest ? `lowest budget left: ${t.lowest.slo}` : 'no data yet', ` · ${t.slos} SLO${t.slos === 1 ? '' : 's'}`),
    t.pages > 0 ? h('p', { class: 'tile-alert' }, `PAGE FIRING (${t.pages})`) : t.tickets > 0 ? h('p', { class: 'tile-ticket' }, `ticket open (${t.tickets})`) : null,
  );
}

/** Tile aspect (width / height) the columns aim for. */
const TILE_ASPECT = 1.6;

/** The column count that gives `n` tiles the largest size at TILE_ASPECT in a `width`×`height` area. */
export function columnsFor(n: number, width: number, height: number): number {
  let best = 1;
  let bestSize = 0;
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const size = Math.min(width / cols / TILE_ASPECT, height / rows);
    if (size > bestSize) {
      best = cols;
      bestSize = size;
    }
  }
  return best;
}

export function tvPage(): void {
  document.title = 'Wall screen · slo-engine';
  document.body.classList.add('tv');
  const clock = h('span', { class: 'tv-clock' });
  const status = h('span', { class: 'status', role: 'status' }, 'loading…');
  const grid = h('div', { class: 'tv-grid', id: 'tv-grid' });
  replace(document.body, h('header', { class: 'tv-head' }, h('h1', {}, 'Error budgets'), status, clock), h('main', {}, grid));
  const tick = (): void => {
    clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  };
  tick();
  window.setInterval(tick, 10_000);
  addEventListener('resize', () => grid.style.setProperty('--cols', String(columnsFor(grid.childElementCount, grid.clientWidth, grid.clientHeight))));
  refreshing(
    status,
    grid,
    async () => {
      const [budgets, alerts] = await Promise.all([allBudgets(), get<{ alerts: FiringAlert[] }>('/v1/alerts')]);
      const list = tiles(budgets, alerts.alerts);
      grid.style.setProperty('--cols', String(columnsFor(list.length, grid.clientWidth || innerWidth, grid.clientHeight || innerHeight)));
      replace(grid, ...list.map(tile));
    },
    TV_REFRESH_MS,
  );
}
