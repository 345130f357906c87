/**
 * `GET /incidents` (SPEC §9, §13): the incidents of paging alerts, open ones first — service,
 * state, when they started, were detected and resolved, time to detect and to resolve, what they
 * cost each SLO's budget, the postmortem's state and the action items done. Filterable by service
 * and state; the filters live in the URL (`?service=checkout&state=open`).
 * `GET /incidents/{id}` is in incident-detail.ts.
 */
import { get, query } from '../api';
import { allBudgets } from '../board-data';
import { h, replace } from '../dom';
import { empty, frame, refreshing } from '../layout';
import type { IncidentList } from '../types';
import { incidentsTable, openFirst } from './incident-parts';

export { incidentPage } from './incident-detail';

const LIMIT = 100;
const STATES = ['open', 'resolved'] as const;

interface Filters {
  service: string;
  state: '' | (typeof STATES)[number];
}

function filtersFromUrl(): Filters {
  const p = new URLSearchParams(location.search);
  const state = p.get('state') ?? '';
  return { service: (p.get('service') ?? '').trim(), state: state === 'open' || state === 'resolved' ? state : '' };
}

function writeUrl(f: Filters): void {
  const text = query({ service: f.service, state: f.state });
  history.replaceState(null, '', `/incidents${text}`);
}

function filterBar(f: Filters, services: string[], onChange: (f: Filters) => void): HTMLElement {
  const known = f.service && !services.includes(f.service) ? [...services, f.service].sort() : services;
  const service = h(
    'select',
    { id: 'filter-service', name: 'service' },
    h('option', { value: '' }, 'every service'),
    ...known.map((s) => h('option', { value: s, selected: f.service === s }, s)),
  );
  const state = h(
    'select',
    { id: 'filter-state', name: 'state' },
    h('option', { value: '' }, 'open and resolved'),
    ...STATES.map((s) => h('option', { value: s, selected: f.state === s }, s)),
  );
  const read = (): Filters => ({ service: service.value, state: state.value as Filters['state'] });
  for (const el of [service, state]) el.addEventListener('change', () => onChange(read()));
  const field = (id: string, name: string, control: HTMLElement): HTMLElement => h('span', { class: 'field' }, h('label', { for: id }, name), control);
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'filter incidents' }, field('filter-service', 'Service', service), field('filter-state', 'State', state));
  form.addEventListener('submit', (event) => event.preventDefault());
  return form;
}

export function incidentsPage(): void {
  const { main, status } = frame('Incidents', 'incidents');
  let filters = filtersFromUrl();
  const bar = h('div', { class: 'filter-bar' });
  const list = h('div', { id: 'incident-list' });
  main.append(bar, list);
  let seq = 0;

  const load = async (): Promise<void> => {
    const mine = ++seq;
    const f = filters;
    const [body, services] = await Promise.all([
      get<IncidentList>(`/v1/incidents${query({ limit: LIMIT, service: f.service, state: f.state })}`),
      allBudgets()
        .then((b) => [...new Set(b.map((x) => x.service))].sort())
        .catch(() => [] as string[]),
    ]);
    if (mine !== seq) return; // a newer load (a filter change) has answered or will answer
    const key = services.join('\n');
    // built again only when the services change, and never under the reader's cursor
    if (bar.dataset.services !== key && !bar.contains(document.activeElement)) {
      bar.dataset.services = key;
      replace(
        bar,
        filterBar(filters, services, (next) => {
          filters = next;
          writeUrl(next);
          status.textContent = 'loading…';
          load().then(
            () => {
              status.textContent = `updated ${new Date().toLocaleTimeString()}`;
              status.classList.remove('stale');
            },
            (error: unknown) => {
              status.classList.add('stale');
              status.textContent = `refresh failed: ${error instanceof Error ? error.message : String(error)}`;
            },
          );
        }),
      );
    }
    const incidents = openFirst(body.incidents);
    const open = incidents.filter((i) => i.state === 'open').length;
    const filtered = f.service !== '' || f.state !== '';
    replace(
      list,
      h('p', { class: 'muted', id: 'incident-count' }, `${incidents.length} incident${incidents.length === 1 ? '' : 's'}, ${open} open`, body.nextCursor ? ` (the ${LIMIT} newest shown)` : ''),
      incidents.length === 0
        ? empty(filtered ? 'No incident matches these filters.' : 'No incident recorded: an incident opens when a page alert fires.')
        : incidentsTable('incidents', incidents, { service: true, started: true, resolved: true, actionItems: true }),
    );
  };

  refreshing(status, list, load);
}
