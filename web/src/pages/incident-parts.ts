/**
 * Pieces the service, incidents and incident pages share: timestamps as `<time>`, links that are
 * only ever http(s), tables whose rows carry data attributes, and how an incident's postmortem,
 * budget cost and action items read (SPEC §13). Every API text goes in as a text node.
 */
import { ApiError } from '../api';
import { h } from '../dom';
import { duration, percent, when } from '../format';
import type { Incident } from '../types';

/** A timestamp as local time, the exact ISO value in `datetime` and the tooltip. */
export function timeEl(iso: string | null | undefined, fallback = '–'): Node | string {
  if (!iso) return fallback;
  return h('time', { datetime: iso, title: iso }, when(iso));
}

/** The URL when it is an absolute http(s) URL (anything else — `javascript:`, relative — is not linked). */
export function httpHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export const sloHref = (slo: string): string => `/slos/${encodeURIComponent(slo)}`;
export const serviceHref = (service: string): string => `/services/${encodeURIComponent(service)}`;
export const incidentHref = (id: string): string => `/incidents/${encodeURIComponent(id)}`;

/** A table whose rows are built by the caller (so they can carry `data-*` attributes). */
export function rowsTable(attrs: Record<string, string>, head: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows));
}

/** A section with an id, a heading and its content. */
export function idSection(id: string, title: string, ...content: Array<Node | string | null>): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...content);
}

export function notFound(text: string): HTMLElement {
  return h('p', { class: 'error not-found', id: 'not-found', role: 'alert' }, text);
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

export function incidentState(state: Incident['state']): HTMLElement {
  return h('span', { class: `incident-state state-${state}`, 'data-state': state }, state);
}

export type PostmortemState = 'written' | 'overdue' | 'due' | 'not-required';

export function postmortemState(i: Incident): PostmortemState {
  if (i.postmortem.url) return 'written';
  if (i.postmortem.overdue) return 'overdue';
  if (i.postmortem.required) return 'due';
  return 'not-required';
}

/** "not required" / "due {date}" / "OVERDUE" / "written" (a link when the url is http(s)). */
export function postmortemCell(i: Incident): HTMLElement {
  const state = postmortemState(i);
  const attrs = { class: `pm pm-${state}`, 'data-postmortem': state };
  switch (state) {
    case 'written': {
      const href = httpHref(i.postmortem.url);
      return h('span', attrs, href ? h('a', { href, rel: 'noopener noreferrer' }, 'written') : 'written');
    }
    case 'overdue':
      return h('span', { ...attrs, title: i.postmortem.dueAt ? `was due ${i.postmortem.dueAt}` : null }, 'OVERDUE');
    case 'due':
      return i.postmortem.dueAt ? h('span', attrs, 'due ', timeEl(i.postmortem.dueAt)) : h('span', attrs, 'due after it resolves');
    case 'not-required':
      return h('span', attrs, 'not required');
  }
}

/** Per SLO, the budget the incident consumed (percent of that SLO's budget; "–" while open). */
export function budgetCost(i: Incident): Node {
  if (i.slos.length === 0) return h('span', { class: 'muted' }, '–');
  return h(
    'ul',
    { class: 'cost' },
    ...i.slos.map((s) => h('li', { 'data-slo': s.slo }, h('a', { href: sloHref(s.slo) }, s.slo), ' ', h('span', { class: 'num' }, percent(s.budgetConsumed)))),
  );
}

export function actionItemsCount(i: Incident): string {
  const items = i.postmortem.actionItems;
  return `${items.filter((a) => a.done).length}/${items.length}`;
}

export interface IncidentColumns {
  service: boolean;
  started: boolean;
  resolved: boolean;
  actionItems: boolean;
}

/** The incidents table (`<table id>` in a scrolling box): one `<tr data-incident="{id}" data-state="…">` per incident. */
export function incidentsTable(id: string, incidents: Incident[], cols: IncidentColumns): HTMLElement {
  const head = [
    'incident',
    cols.service ? 'service' : null,
    'state',
    cols.started ? 'started' : null,
    'detected',
    cols.resolved ? 'resolved' : null,
    'time to detect',
    'time to resolve',
    'budget cost',
    'postmortem',
    cols.actionItems ? 'action items done' : null,
  ].filter((c): c is string => c !== null);
  const rows = incidents.map((i) =>
    h(
      'tr',
      { 'data-incident': i.id, 'data-state': i.state, 'data-postmortem': postmortemState(i) },
      h('td', {}, h('a', { href: incidentHref(i.id) }, i.id)),
      cols.service ? h('td', {}, h('a', { href: serviceHref(i.service) }, i.service)) : null,
      h('td', {}, incidentState(i.state)),
      cols.started ? h('td', { class: 'num' }, timeEl(i.startedAt)) : null,
      h('td', { class: 'num' }, timeEl(i.detectedAt)),
      cols.resolved ? h('td', { class: 'num' }, timeEl(i.resolvedAt, i.state === 'open' ? 'open' : '–')) : null,
      h('td', { class: 'num', 'data-seconds': i.timeToDetect }, duration(i.timeToDetect)),
      h('td', { class: 'num', 'data-seconds': i.timeToResolve }, duration(i.timeToResolve)),
      h('td', {}, budgetCost(i)),
      h('td', {}, postmortemCell(i)),
      cols.actionItems ? h('td', { class: 'num' }, actionItemsCount(i)) : null,
    ),
  );
  return h('div', { class: 'table-scroll' }, rowsTable({ id, class: 'incidents' }, head, rows));
}

/** Open incidents first, then as the API gave them (newest first). */
export function openFirst(incidents: Incident[]): Incident[] {
  return incidents.map((i, n) => ({ i, n })).sort((a, b) => (a.i.state === 'open' ? 0 : 1) - (b.i.state === 'open' ? 0 : 1) || a.n - b.n).map((x) => x.i);
}
