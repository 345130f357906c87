/**
 * `GET /`: every SLO grouped by service — zone, remaining budget (bar and number), SLI, burn rates,
 * firing alerts, a small burn-down line, and a "too few events" mark; filterable by text, zone,
 * service and label, sortable; the filters live in the URL.
 */
import { allBudgets, burndowns, tooFewEvents } from '../board-data';
import { h, replace } from '../dom';
import { rate, sli } from '../format';
import { empty, frame, refreshing } from '../layout';
import { sparkline } from '../sparkline';
import type { Budget, Burndown } from '../types';
import { ZONES } from '../types';
import { budgetBar, zoneBadge, zoneRank } from '../zone';

type SortKey = 'zone' | 'remaining' | 'name' | 'burn';
const SORTS: Record<SortKey, string> = { zone: 'paging, then worst zone first', remaining: 'least budget first', name: 'name', burn: 'fastest burn (1h) first' };

interface Filters {
  q: string;
  zone: string;
  service: string;
  label: string;
  sort: SortKey;
}

function filtersFromUrl(): Filters {
  const p = new URLSearchParams(location.search);
  const sort = p.get('sort') ?? 'zone';
  return { q: p.get('q') ?? '', zone: p.get('zone') ?? '', service: p.get('service') ?? '', label: p.get('label') ?? '', sort: (sort in SORTS ? sort : 'zone') as SortKey };
}

function writeUrl(f: Filters): void {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v && !(k === 'sort' && v === 'zone')) p.set(k, v);
  const text = p.toString();
  history.replaceState(null, '', text ? `/?${text}` : '/');
}

type Extra = Map<string, Burndown['slos'][number]>;

function matches(b: Budget, f: Filters, extra: Extra): boolean {
  if (f.zone && b.zone !== f.zone) return false;
  if (f.service && b.service !== f.service) return false;
  const info = extra.get(b.slo);
  if (f.label) {
    const [key, value] = f.label.split('=', 2).map((s) => s.trim());
    const labels = info?.labels ?? {};
    if (value === undefined ? !(key in labels) : labels[key] !== value) return false;
  }
  if (f.q) {
    const text = `${b.slo} ${b.service} ${b.team ?? ''} ${info?.description ?? ''}`.toLowerCase();
    if (!text.includes(f.q.toLowerCase())) return false;
  }
  return true;
}

const paging = (b: Budget): number => (b.alerts.some((a) => a.severity === 'page') ? 1 : 0);

function compare(sort: SortKey): (a: Budget, b: Budget) => number {
  const rem = (x: Budget): number => x.budget.remaining ?? Number.POSITIVE_INFINITY;
  switch (sort) {
    case 'name':
      return (a, b) => a.slo.localeCompare(b.slo);
    case 'remaining':
      return (a, b) => rem(a) - rem(b) || a.slo.localeCompare(b.slo);
    case 'burn':
      return (a, b) => (b.burnRates['1h'] ?? -1) - (a.burnRates['1h'] ?? -1) || a.slo.localeCompare(b.slo);
    case 'zone':
      // as on the wall screen: a page firing first, then the worst zone, then the least budget
      return (a, b) => paging(b) - paging(a) || zoneRank(a.zone) - zoneRank(b.zone) || rem(a) - rem(b) || a.slo.localeCompare(b.slo);
  }
}

function filterBar(f: Filters, services: string[], onChange: (f: Filters) => void): HTMLElement {
  const text = h('input', { type: 'search', id: 'filter-q', value: f.q, placeholder: 'SLO, service, team…' });
  const zone = h('select', { id: 'filter-zone' }, h('option', { value: '' }, 'any zone'), ...ZONES.map((z) => h('option', { value: z, selected: f.zone === z }, z)));
  const service = h('select', { id: 'filter-service' }, h('option', { value: '' }, 'any service'), ...services.map((s) => h('option', { value: s, selected: f.service === s }, s)));
  const label = h('input', { type: 'text', id: 'filter-label', value: f.label, placeholder: 'tier=1' });
  const sort = h('select', { id: 'sort' }, ...Object.entries(SORTS).map(([k, v]) => h('option', { value: k, selected: f.sort === k }, v)));
  const read = (): Filters => ({ q: text.value, zone: zone.value, service: service.value, label: label.value, sort: sort.value as SortKey });
  for (const el of [text, label]) el.addEventListener('input', () => onChange(read()));
  for (const el of [zone, service, sort]) el.addEventListener('change', () => onChange(read()));
  const field = (id: string, name: string, control: HTMLElement): HTMLElement => h('span', { class: 'field' }, h('label', { for: id }, name), control);
  return h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'filter SLOs' },
    field('filter-q', 'Search', text),
    field('filter-zone', 'Zone', zone),
    field('filter-service', 'Service', service),
    field('filter-label', 'Label', label),
    field('sort', 'Sort', sort),
  );
}

function alertsCell(b: Budget): Node {
  if (b.alerts.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('span', {}, ...b.alerts.map((a) => h('span', { class: `alert alert-${a.severity}` }, a.kind === 'burn-rate' ? a.severity : `${a.severity} (source)`)));
}

function burnCell(b: Budget): Node {
  return h('span', { class: 'burns' }, ...Object.entries(b.burnRates).map(([w, v]) => h('span', { class: 'burn' }, h('span', { class: 'muted' }, w), ' ', rate(v))));
}

function row(b: Budget, extra: Extra): HTMLElement {
  const line = extra.get(b.slo);
  return h(
    'tr',
    { 'data-slo': b.slo, 'data-zone': b.zone },
    h('td', {}, h('a', { href: `/slos/${encodeURIComponent(b.slo)}` }, b.slo), tooFewEvents(b) ? h('span', { class: 'mark', title: 'fewer events than one error’s worth of budget' }, 'too few events') : null),
    h('td', { class: 'num' }, `${b.objective}% / ${b.window}`),
    h('td', {}, zoneBadge(b.zone)),
    h('td', {}, budgetBar(b.budget.remaining, b.zone)),
    h('td', { class: 'num' }, sli(b.sli)),
    h('td', {}, burnCell(b)),
    h('td', {}, alertsCell(b)),
    h('td', {}, line ? sparkline(line.remaining, { label: `burn-down of ${b.slo} over its window` }) : ''),
  );
}

export function homePage(): void {
  const { main, status } = frame('Error budgets', 'board');
  let filters = filtersFromUrl();
  let budgets: Budget[] = [];
  let extra: Extra = new Map();
  const bar = h('div');
  const list = h('div', { id: 'board' });
  main.append(bar, list);

  const render = (): void => {
    const shown = budgets.filter((b) => matches(b, filters, extra)).sort(compare(filters.sort));
    const byService = new Map<string, Budget[]>();
    for (const b of shown) byService.set(b.service, [...(byService.get(b.service) ?? []), b]);
    const services = [...byService.keys()];
    // services in the order of their first (most urgent) SLO under the chosen sort
    const order = compare(filters.sort);
    services.sort((a, b) => order(byService.get(a)![0], byService.get(b)![0]) || a.localeCompare(b));
    const head = ['SLO', 'objective / window', 'zone', 'remaining budget', 'SLI', 'burn rates', 'alerts', 'burn-down'];
    replace(
      list,
      h('p', { class: 'muted', id: 'count' }, `${shown.length} of ${budgets.length} SLOs`),
      shown.length === 0 ? empty('No SLO matches these filters.') : null,
      ...services.map((service) =>
        h(
          'section',
          { class: 'service', 'data-service': service, 'aria-label': service },
          h('h2', {}, h('a', { href: `/services/${encodeURIComponent(service)}` }, service)),
          h('table', { class: 'slos' }, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...byService.get(service)!.map((b) => row(b, extra)))),
        ),
      ),
    );
  };

  refreshing(status, list, async () => {
    const [b, lines] = await Promise.all([allBudgets(), burndowns(48)]);
    budgets = b;
    extra = lines;
    const services = [...new Set(budgets.map((x) => x.service))].sort();
    const key = services.join('\n');
    // built again only when the services change, and never under the reader's cursor
    if (bar.dataset.services !== key && !bar.contains(document.activeElement)) {
      bar.dataset.services = key;
      replace(
        bar,
        filterBar(filters, services, (f) => {
          filters = f;
          writeUrl(f);
          render();
        }),
      );
    }
    render();
  });
}
