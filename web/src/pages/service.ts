/**
 * `GET /services/{service}` (SPEC §9): the service's zone; what the deploy gate would answer now
 * for each change type, and why; its SLOs; the freezes, overrides and corrections that apply;
 * the recent deploys with the budget each SLO has spent since; its incidents and its reliability
 * over 30 days (MTTD, MTTR, postmortems, action items). An unknown service says so.
 */
import { get, query } from '../api';
import { tooFewEvents } from '../board-data';
import { h, replace } from '../dom';
import { duration, percent, sli } from '../format';
import { empty, frame, refreshing } from '../layout';
import type { Budget, Correction, Deploy, Freeze, IncidentList, Override, Reliability, ServiceBudget } from '../types';
import { budgetBar, zoneBadge } from '../zone';
import { idSection, incidentsTable, isNotFound, notFound, openFirst, rowsTable, sloHref, timeEl } from './incident-parts';
import { correctionsSection, freezesSection, overridesSection } from './service-policies';

const INCIDENTS_SHOWN = 20;
const RELIABILITY_WINDOW = '30d';

type ChangeType = keyof ServiceBudget['gate'];

/** The gate's answer for each change type (the API gives them in the SPEC's order). */
function gateTable(b: ServiceBudget): HTMLElement {
  const types = Object.keys(b.gate) as ChangeType[];
  const reasonsOf = (t: ChangeType): Node => {
    const reasons = b.gateReasons[t];
    if (reasons.length === 0) return h('span', { class: 'muted' }, '–');
    return h('ul', { class: 'reasons' }, ...reasons.map((r) => h('li', {}, r)));
  };
  return rowsTable(
    { id: 'gate' },
    ['change type', 'decision', 'reasons'],
    types.map((t) => {
      const decision = b.gate[t];
      return h(
        'tr',
        { 'data-change-type': t, 'data-decision': decision },
        h('td', { class: 'change-type' }, t),
        h('td', {}, h('span', { class: `decision decision-${decision}` }, decision)),
        h('td', {}, reasonsOf(t)),
      );
    }),
  );
}

function alertsCell(b: Budget): Node {
  if (b.alerts.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('span', {}, ...b.alerts.map((a) => h('span', { class: `alert alert-${a.severity}` }, a.kind === 'burn-rate' ? a.severity : `${a.severity} (source)`)));
}

function slosTable(slos: Budget[]): HTMLElement {
  if (slos.length === 0) return empty('This service has no SLO.');
  return rowsTable(
    { id: 'service-slos', class: 'slos' },
    ['SLO', 'objective / window', 'zone', 'remaining budget', 'SLI', 'alerts', 'budget runs out'],
    slos.map((b) =>
      h(
        'tr',
        { 'data-slo': b.slo, 'data-zone': b.zone },
        h('td', {}, h('a', { href: sloHref(b.slo) }, b.slo), tooFewEvents(b) ? h('span', { class: 'mark', title: 'fewer events than one error’s worth of budget' }, 'too few events') : null),
        h('td', { class: 'num' }, `${b.objective}% / ${b.window}`),
        h('td', {}, zoneBadge(b.zone)),
        h('td', {}, budgetBar(b.budget.remaining, b.zone)),
        h('td', { class: 'num' }, sli(b.sli)),
        h('td', {}, alertsCell(b)),
        h('td', { class: 'num' }, timeEl(b.budget.exhaustsAt, b.budget.remaining === null ? '–' : 'not at this rate')),
      ),
    ),
  );
}

/** "80.0% → 75.0% (5.0% consumed since)"; a negative consumption is budget regained. */
function spentSince(s: Deploy['slos'][number]): string {
  const spent = s.consumedSince === null ? 'consumed since: unknown' : s.consumedSince < 0 ? `${percent(-s.consumedSince)} regained since` : `${percent(s.consumedSince)} consumed since`;
  return `${percent(s.remainingAtDeploy)} → ${percent(s.remainingNow)} (${spent})`;
}

function deploysTable(deploys: Deploy[]): HTMLElement {
  if (deploys.length === 0) return empty('No deploy recorded: a change the gate allows with a version is recorded as a deploy.');
  return rowsTable(
    { id: 'deploys' },
    ['at', 'version', 'change type', 'environment', 'requested by', 'budget: at deploy → now (consumed since)'],
    deploys.map((d) =>
      h(
        'tr',
        { 'data-deploy': d.decisionId, 'data-change-type': d.changeType },
        h('td', { class: 'num' }, timeEl(d.at)),
        h('td', {}, d.version),
        h('td', {}, d.changeType),
        h('td', {}, d.environment ?? '–'),
        h('td', {}, d.requestedBy ?? '–'),
        h('td', {}, d.slos.length === 0 ? '–' : h('ul', { class: 'deploy-slos' }, ...d.slos.map((s) => h('li', { 'data-slo': s.slo }, h('a', { href: sloHref(s.slo) }, s.slo), ': ', h('span', { class: 'num' }, spentSince(s)))))),
      ),
    ),
  );
}

function stat(key: string, label: string, value: string, detail?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': key }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), detail ? h('div', { class: 'detail muted' }, detail) : null);
}

function reliabilitySection(r: Reliability | Error): HTMLElement {
  const title = `Reliability over ${r instanceof Error ? RELIABILITY_WINDOW : r.window}`;
  if (r instanceof Error) return idSection('reliability', title, h('p', { class: 'error' }, `Could not load the reliability summary: ${r.message}`));
  const spread = (s: Reliability['timeToDetect']): string => `median ${duration(s.p50)} · max ${duration(s.max)}`;
  const consumed = Object.entries(r.budgetConsumedByIncidents);
  return idSection(
    'reliability',
    title,
    h(
      'div',
      { class: 'tiles' },
      stat('incidents', 'incidents', String(r.incidents)),
      stat('mttd', 'mean time to detect (MTTD)', duration(r.timeToDetect.mean), spread(r.timeToDetect)),
      stat('mttr', 'mean time to resolve (MTTR)', duration(r.timeToResolve.mean), spread(r.timeToResolve)),
      stat('postmortems', 'postmortems required / done / overdue', `${r.postmortems.required} / ${r.postmortems.done} / ${r.postmortems.overdue}`),
      stat('action-items', 'action items open / overdue / done', `${r.actionItems.open} / ${r.actionItems.overdue} / ${r.actionItems.done}`),
    ),
    consumed.length === 0
      ? null
      : h(
          'p',
          { id: 'budget-by-incidents' },
          'Budget consumed by incidents: ',
          ...consumed.flatMap(([slo, v], n) => [n > 0 ? ', ' : '', h('a', { href: sloHref(slo) }, slo), ` ${percent(v)}`]),
        ),
  );
}

function incidentsSection(service: string, list: IncidentList | Error): HTMLElement {
  const all = h('a', { href: `/incidents${query({ service })}` }, `all incidents of ${service}`);
  if (list instanceof Error) return idSection('service-incidents', 'Incidents', h('p', { class: 'error' }, `Could not load the incidents: ${list.message}`));
  return idSection(
    'service-incidents',
    'Incidents',
    list.incidents.length === 0
      ? empty('No incident recorded for this service.')
      : incidentsTable('service-incidents-table', openFirst(list.incidents), { service: false, started: false, resolved: false, actionItems: false }),
    list.nextCursor ? h('p', {}, `The ${INCIDENTS_SHOWN} newest shown: `, all) : h('p', {}, all),
  );
}

const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));

export function servicePage(service: string): void {
  const { main, status } = frame(`Service ${service}`, 'board');
  const badge = h('span', { class: 'head-zone', id: 'service-zone' });
  main.querySelector('h1')?.append(' ', badge);
  const body = h('div', { id: 'service', 'data-service': service });
  main.append(body);
  const s = encodeURIComponent(service);

  refreshing(status, body, async () => {
    const [budget, freezes, overrides, corrections, incidents, reliability] = await Promise.all([
      settle(get<ServiceBudget>(`/v1/services/${s}/budget`)),
      settle(get<{ freezes: Freeze[] }>('/v1/freezes').then((r) => r.freezes)),
      settle(get<{ overrides: Override[] }>('/v1/overrides').then((r) => r.overrides)),
      settle(get<{ corrections: Correction[] }>('/v1/corrections').then((r) => r.corrections)),
      settle(get<IncidentList>(`/v1/incidents${query({ service, limit: INCIDENTS_SHOWN })}`)),
      settle(get<Reliability>(`/v1/services/${s}/reliability${query({ window: RELIABILITY_WINDOW })}`)),
    ]);
    if (budget instanceof Error) {
      if (!isNotFound(budget)) throw budget;
      replace(badge);
      replace(body, notFound(`No service named "${service}": no SLO of the configuration belongs to it.`), h('p', {}, h('a', { href: '/' }, 'All services and their budgets')));
      return;
    }
    replace(badge, zoneBadge(budget.zone));
    const now = Date.now();
    replace(
      body,
      h('p', { class: 'muted' }, `${budget.slos.length} SLO${budget.slos.length === 1 ? '' : 's'} · `, h('a', { href: `/${query({ service })}` }, 'on the budget board')),
      idSection('gate-now', 'Deploy gate right now', h('p', { class: 'muted' }, 'What POST /v1/deploy-gate would answer now for each change type.'), gateTable(budget)),
      idSection('slos', 'SLOs', slosTable(budget.slos)),
      freezesSection(service, freezes, now),
      overridesSection(service, overrides, now),
      correctionsSection(service, budget.slos.map((b) => b.slo), corrections, now),
      idSection('deploys-section', 'Deploys and the budget spent since', deploysTable(budget.deploys)),
      incidentsSection(service, incidents),
      reliabilitySection(reliability),
    );
  });
}
