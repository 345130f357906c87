/** The SLO page's parts that only render: header, tiles, the alerts and decisions tables (web/src/pages/slo.ts puts them together). */
import { tooFewEvents } from '../board-data';
import { ruleKey, ruleState, timeToExhaust, type RuledAlert } from '../charts/rules';
import { h, type Child } from '../dom';
import { duration, percent, rate, relative, sli, when, windowMs } from '../format';
import { empty } from '../layout';
import type { Budget, GateDecision, SloDefinition } from '../types';
import { budgetBar, zoneBadge } from '../zone';

const DAY_MS = 86_400_000;

/** The SLO's whole window ending now, or its current calendar period (start to now). */
export function windowSpan(b: Budget, nowMs: number): { fromMs: number; toMs: number } {
  if (b.period) {
    const start = Date.parse(b.period.start);
    return { fromMs: Math.min(start, nowMs - 60_000), toMs: nowMs };
  }
  return { fromMs: nowMs - (windowMs(b.window) ?? 30 * DAY_MS), toMs: nowMs };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function timeEl(at: string | number): HTMLElement {
  const text = typeof at === 'number' ? iso(at) : at;
  return h('time', { datetime: text, title: text }, when(text));
}

/** Only http(s) URLs become links; anything else is shown as text. */
export function runbookNode(runbook: string | null): Child {
  if (!runbook) return h('span', { class: 'muted' }, 'none');
  let url: URL | null = null;
  try {
    url = new URL(runbook);
  } catch {
    url = null;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return h('a', { href: url.href, id: 'slo-runbook', rel: 'noopener noreferrer' }, runbook);
  }
  return h('span', { id: 'slo-runbook', class: 'runbook-text' }, runbook);
}

export function fact(name: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, name), h('dd', {}, ...value)];
}

export function count(n: number | null): string {
  return n === null ? '–' : Math.round(n).toLocaleString('en-US');
}

export function stat(key: string, label: string, value: Child, ...sub: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'stat', 'data-stat': key },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
    sub.some((s) => s !== null && s !== undefined && s !== false && s !== '') ? h('div', { class: 'sub' }, ...sub) : null,
  );
}

export function head(def: SloDefinition, b: Budget): HTMLElement {
  const labels = Object.entries(def.labels);
  return h(
    'div',
    { class: 'slo-head', id: 'slo-head' },
    def.description ? h('p', { class: 'description', id: 'slo-description' }, def.description) : null,
    b.stateLostAt ? h('p', { class: 'error', role: 'alert' }, `The shared state was lost at ${when(b.stateLostAt)}: these numbers may rest on emptied state.`) : null,
    h(
      'dl',
      { class: 'facts' },
      ...fact('Service', h('a', { href: `/services/${encodeURIComponent(def.service)}`, id: 'slo-service' }, def.service)),
      ...fact('Team', def.team ?? h('span', { class: 'muted' }, 'none')),
      ...fact('Zone', h('span', { id: 'slo-zone' }, zoneBadge(b.zone)), ' ', budgetBar(b.budget.remaining, b.zone)),
      ...fact('Evaluated', b.evaluatedAt ? h('span', { id: 'slo-evaluated' }, timeEl(b.evaluatedAt)) : h('span', { class: 'muted', id: 'slo-evaluated' }, 'never')),
      ...fact(
        'Labels',
        labels.length === 0
          ? h('span', { class: 'muted' }, 'none')
          : h('span', { class: 'labels', id: 'slo-labels' }, ...labels.map(([k, v]) => h('span', { class: 'label-chip', 'data-label': k }, `${k}=${v}`))),
      ),
      ...fact('Runbook', runbookNode(def.runbook)),
      ...fact(
        'Alerts',
        b.alerts.length === 0
          ? h('span', { class: 'muted' }, 'none firing')
          : h(
              'span',
              { id: 'slo-alerts' },
              ...b.alerts.map((a) => h('span', { class: `alert alert-${a.severity}`, title: `since ${a.since}` }, `${a.severity}${a.kind === 'burn-rate' ? '' : ' (source)'} firing since ${when(a.since)}`)),
            ),
      ),
    ),
  );
}

export function tiles(def: SloDefinition, b: Budget): HTMLElement {
  const remaining = b.budget.remaining;
  const windowTile =
    typeof def.window === 'string'
      ? stat('window', 'Window', `${def.window} rolling`)
      : stat(
          'window',
          'Calendar period',
          `${def.window.calendar} (${def.window.timeZone})`,
          b.period ? h('span', {}, timeEl(b.period.start), ' – ', timeEl(b.period.end)) : null,
        );
  let forecast: HTMLElement;
  if (b.budget.exhaustsAt) {
    forecast = stat('forecast', 'Forecast', `exhausted ${relative(b.budget.exhaustsAt)}`, timeEl(b.budget.exhaustsAt), ` at the 1h burn rate (${rate(b.burnRates['1h'])})`);
  } else if (remaining !== null && remaining <= 0) {
    forecast = stat('forecast', 'Forecast', 'exhausted');
  } else if (remaining === null) {
    forecast = stat('forecast', 'Forecast', '–', 'not evaluated yet');
  } else {
    forecast = stat('forecast', 'Forecast', 'none', `not exhausted at the 1h burn rate (${rate(b.burnRates['1h'])})${b.period ? ' before the period ends' : ''}`);
  }
  return h(
    'div',
    { class: 'tiles', id: 'slo-tiles' },
    stat('objective', 'Objective', `${def.objective}%`),
    windowTile,
    stat('sli', 'SLI', sli(b.sli), def.sli.source),
    stat('remaining', 'Remaining budget', percent(remaining), `${b.zone} zone`),
    stat('consumed', 'Consumed', percent(b.budget.consumed)),
    forecast,
    stat(
      'events',
      'Events counted',
      `${count(b.good)} / ${count(b.total)}`,
      'good / total',
      tooFewEvents(b) ? h('span', { class: 'mark', title: 'fewer events than one error’s worth of budget' }, 'too few events') : null,
    ),
  );
}

export function exhaustText(b: Budget, burn: number | null | undefined, nowMs: number): string {
  const e = timeToExhaust(b, burn, nowMs);
  switch (e.kind) {
    case 'exhausted':
      return 'exhausted';
    case 'never':
      return '–';
    case 'in':
      return duration(e.seconds);
  }
}

export function alertsTable(def: SloDefinition, b: Budget, alerts: RuledAlert[] | null, nowMs: number): HTMLElement {
  const head = ['State', 'Severity', 'Threshold', 'Long window', 'Short window', 'Time to exhaust (long window’s rate)'];
  const rows = def.alerting.rules.map((rule) => {
    const state = ruleState(rule, b, def.alerting.minEvents, alerts);
    const long = b.burnRates[rule.long];
    const short = b.burnRates[rule.short];
    return h(
      'tr',
      { 'data-rule': ruleKey(rule), 'data-state': state },
      h('td', {}, h('span', { class: `rule-state state-${state.replace(' ', '-')}` }, state)),
      h('td', {}, h('span', { class: `alert alert-${rule.severity}` }, rule.severity)),
      h('td', { class: 'num' }, `${rule.burnRate}×`),
      h('td', { class: 'num' }, h('span', { class: 'muted' }, rule.long), ' ', rate(long)),
      h('td', { class: 'num' }, h('span', { class: 'muted' }, rule.short), ' ', rate(short)),
      h('td', { class: 'num' }, exhaustText(b, long, nowMs)),
    );
  });
  return h(
    'table',
    { id: 'alerts-table' },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}

export function decisionsTable(decisions: GateDecision[]): Child[] {
  const head = ['At', 'Change type', 'Version', 'Decision', 'Zone', 'Reasons', 'Requested by'];
  const rows = decisions.map((d) =>
    h(
      'tr',
      { 'data-decision-id': d.decisionId, 'data-decision': d.decision },
      h('td', {}, timeEl(d.at)),
      h('td', {}, d.changeType),
      h('td', {}, d.version ?? '–'),
      h('td', {}, h('span', { class: `decision-${d.decision}` }, d.decision)),
      h('td', {}, zoneBadge(d.zone)),
      h('td', { class: 'reasons-cell' }, d.reasons.length <= 1 ? (d.reasons[0] ?? '–') : h('ul', { class: 'reasons' }, ...d.reasons.map((r) => h('li', {}, r)))),
      h('td', { class: 'by-cell', title: d.token ? `token ${d.token}` : null }, d.requestedBy ?? '–'),
    ),
  );
  return [
    h('table', { id: 'decisions' }, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows)),
    decisions.length === 0 ? empty('No gate decisions for this service yet.') : null,
  ];
}
