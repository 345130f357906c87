/**
 * `GET /incidents/{id}` (SPEC §9, §13; the notifications link here): the whole incident — its
 * numbers, the SLOs it cost, its pages, its timeline and its postmortem (summary, link, reasons it
 * is required, action items). Summaries, reasons and titles are shown as text, never as HTML.
 */
import { get } from '../api';
import { h, replace } from '../dom';
import { duration, percent } from '../format';
import { empty, frame, refreshing } from '../layout';
import type { Incident, PageRule } from '../types';
import { zoneBadge } from '../zone';
import { actionItemsCount, httpHref, idSection, incidentState, isNotFound, notFound, postmortemCell, rowsTable, serviceHref, sloHref, timeEl } from './incident-parts';

function stat(key: string, label: string, value: Node | string, detail?: Node | string): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': key }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), detail ? h('div', { class: 'detail muted' }, detail) : null);
}

function isRule(rule: unknown): rule is PageRule {
  return typeof rule === 'object' && rule !== null && typeof (rule as PageRule).burnRate === 'number' && typeof (rule as PageRule).long === 'string';
}

function ruleText(rule: unknown): string {
  return isRule(rule) ? `${rule.severity}: burn rate ≥ ${rule.burnRate}× over ${rule.long} and ${rule.short}` : '–';
}

function numbers(i: Incident): HTMLElement {
  return h(
    'div',
    { class: 'tiles', id: 'incident-numbers' },
    stat('started', 'errors began', timeEl(i.startedAt, 'not known yet')),
    stat('detected', 'detected (first page)', timeEl(i.detectedAt)),
    stat('resolved', 'resolved', timeEl(i.resolvedAt, 'still open')),
    stat('time-to-detect', 'time to detect', duration(i.timeToDetect)),
    stat('time-to-resolve', 'time to resolve', i.state === 'open' ? 'open' : duration(i.timeToResolve)),
    stat('zone-at-open', 'service zone at open', zoneBadge(i.zoneAtOpen)),
  );
}

function slosTable(i: Incident): HTMLElement {
  if (i.slos.length === 0) return empty('No SLO recorded.');
  return rowsTable(
    { id: 'incident-slos' },
    ['SLO', 'budget consumed'],
    i.slos.map((s) =>
      h(
        'tr',
        { 'data-slo': s.slo },
        h('td', {}, h('a', { href: sloHref(s.slo) }, s.slo)),
        h('td', { class: 'num' }, s.budgetConsumed === null ? (i.state === 'open' ? '– (known once resolved)' : '–') : `${percent(s.budgetConsumed)} of its budget`),
      ),
    ),
  );
}

function pagesTable(i: Incident): HTMLElement {
  if (i.pages.length === 0) return empty('No page recorded.');
  return rowsTable(
    { id: 'pages' },
    ['SLO', 'rule', 'fired', 'resolved'],
    i.pages.map((p) =>
      h(
        'tr',
        { 'data-slo': p.slo, 'data-firing': String(p.resolvedAt === null) },
        h('td', {}, h('a', { href: sloHref(p.slo) }, p.slo)),
        h('td', {}, ruleText(p.rule)),
        h('td', { class: 'num' }, timeEl(p.firedAt)),
        h('td', { class: 'num' }, p.resolvedAt === null ? h('strong', { class: 'firing' }, 'still firing') : timeEl(p.resolvedAt)),
      ),
    ),
  );
}

function timeline(i: Incident): HTMLElement {
  if (i.timeline.length === 0) return empty('Nothing recorded yet.');
  return h('ol', { id: 'timeline', class: 'timeline' }, ...i.timeline.map((t) => h('li', {}, timeEl(t.at), ' ', h('span', { class: 'what' }, t.what))));
}

function postmortem(i: Incident): HTMLElement {
  const pm = i.postmortem;
  const href = httpHref(pm.url);
  const now = Date.now();
  const items = pm.actionItems;
  return h(
    'div',
    { class: 'postmortem' },
    h(
      'dl',
      { class: 'facts', id: 'postmortem-facts' },
      h('dt', {}, 'state'),
      h('dd', {}, postmortemCell(i)),
      h('dt', {}, 'required'),
      h('dd', {}, pm.required ? 'yes' : 'no', pm.reasons.length > 0 ? h('ul', { class: 'reasons', id: 'postmortem-reasons' }, ...pm.reasons.map((r) => h('li', {}, r))) : null),
      h('dt', {}, 'due'),
      h('dd', {}, pm.dueAt ? timeEl(pm.dueAt) : pm.required ? 'once the incident resolves' : '–'),
      h('dt', {}, 'written at'),
      h('dd', { id: 'postmortem-url' }, pm.url === null ? h('span', { class: 'muted' }, 'not written yet') : href ? h('a', { href, rel: 'noopener noreferrer' }, pm.url) : h('span', { class: 'url' }, pm.url)),
    ),
    h('h3', {}, 'Summary'),
    pm.summary ? h('p', { class: 'summary', id: 'postmortem-summary' }, pm.summary) : empty('No summary.'),
    h('h3', {}, `Action items (${actionItemsCount(i)} done)`),
    items.length === 0
      ? empty('No action item.')
      : rowsTable(
          { id: 'action-items' },
          ['action', 'owner', 'due', 'category', 'done'],
          items.map((a) => {
            const late = !a.done && Date.parse(a.dueAt) < now;
            return h(
              'tr',
              { 'data-done': String(a.done), 'data-overdue': String(late), 'data-category': a.category },
              h('td', {}, a.title),
              h('td', {}, a.owner),
              h('td', { class: 'num' }, timeEl(a.dueAt)),
              h('td', {}, a.category),
              h('td', {}, a.done ? h('span', { class: 'done' }, 'done') : late ? h('strong', { class: 'pm-overdue' }, 'OVERDUE') : 'open'),
            );
          }),
        ),
  );
}

export function incidentPage(id: string): void {
  const { main, status } = frame(`Incident ${id}`, 'incidents');
  const body = h('div', { id: 'incident' });
  main.append(body);
  refreshing(status, body, async () => {
    let i: Incident;
    try {
      i = await get<Incident>(`/v1/incidents/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      replace(body, notFound(`No incident with the id "${id}": it may be mistyped, or older than the 400 days incidents are kept.`), h('p', {}, h('a', { href: '/incidents' }, 'All incidents')));
      return;
    }
    body.dataset.state = i.state;
    replace(
      body,
      h(
        'p',
        { class: 'incident-head', id: 'incident-head' },
        'Service ',
        h('a', { href: serviceHref(i.service) }, i.service),
        ' · ',
        incidentState(i.state),
        ' · ',
        h('a', { href: '/incidents' }, 'all incidents'),
      ),
      numbers(i),
      idSection('incident-slos-section', 'Budget it cost', slosTable(i)),
      idSection('incident-pages', 'Pages', pagesTable(i)),
      idSection('incident-timeline', 'Timeline', timeline(i)),
      idSection('postmortem', 'Postmortem', postmortem(i)),
    );
  });
}
