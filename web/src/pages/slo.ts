/**
 * `GET /slos/{id}`: one SLO (SPEC §9) — its definition and numbers, a burn-down chart of the
 * remaining budget with deploys, freezes, corrections and incidents on its time axis, a burn-rate
 * chart and a table row per alert rule, and the service's recent gate decisions. The range is in
 * the URL (`?range=` or `?from=&to=`; default the SLO's whole window, or its current calendar
 * period). Refreshes every 30 s: the skeleton stays, numbers and tables are redrawn and the charts
 * get new data (uPlot setData), so focus, the range and the chart instances survive a refresh.
 */
import { ApiError, get, query } from '../api';
import { BurnDownChart, type BurnDownData } from '../charts/burn-down';
import { BurnRateChart, FLOOR } from '../charts/burn-rate';
import { correctionMarkers, countByKind, deployMarkers, freezeMarkers, incidentMarkers, MARKER_KINDS, MARKER_WORDS, sortMarkers, type Marker } from '../charts/markers';
import { ruleKey, type RuledAlert } from '../charts/rules';
import { h, replace } from '../dom';
import { duration, rate, when } from '../format';
import { empty, frame, refreshing, section } from '../layout';
import { rangeFromUrl, rangePicker, stepFor, type TimeRange } from '../time-range';
import type { AlertRule, Correction, Freeze, GateDecision, History, IncidentList, ServiceBudget, SloDetail } from '../types';
import { alertsTable, count, decisionsTable, head, iso, tiles, timeEl, windowSpan } from './slo-parts';

/** Points asked of the history endpoint (its maximum). */
const MAX_POINTS = 2000;
/** The marker list starts open when it is at most this long (a reader's toggle is kept after). */
const LIST_OPEN_UP_TO = 15;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** A read the page can do without: its failure is shown as a note, the rest of the page still shows. */
async function optional<T>(read: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

interface Skeleton {
  container: HTMLElement;
  head: HTMLElement;
  tiles: HTMLElement;
  rangeNote: HTMLElement;
  burnDown: HTMLElement;
  legend: HTMLElement;
  events: HTMLDetailsElement;
  eventsSummary: HTMLElement;
  eventsList: HTMLElement;
  notes: HTMLElement;
  rules: HTMLElement;
  alerts: HTMLElement;
  decisions: HTMLElement;
}

class SloView {
  private skeleton: Skeleton | null = null;
  private headKey = '';
  private rulesKey = '';
  private listToggled = false;
  private burnDown: BurnDownChart | null = null;
  private readonly burnRates = new Map<string, BurnRateChart>();
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly id: string,
  ) {}

  load(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  resize(): void {
    this.burnDown?.resize();
    for (const chart of this.burnRates.values()) chart.resize();
  }

  private destroyCharts(): void {
    this.burnDown?.destroy();
    this.burnDown = null;
    for (const chart of this.burnRates.values()) chart.destroy();
    this.burnRates.clear();
  }

  private async read(): Promise<void> {
    const enc = encodeURIComponent(this.id);
    let detail: SloDetail;
    try {
      detail = await get<SloDetail>(`/v1/slos/${enc}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return this.notFound();
      throw error;
    }
    const { definition: def, budget: b } = detail;
    const nowMs = Date.now();
    const range = rangeFromUrl(windowSpan(b, nowMs));
    const step = stepFor(range, MAX_POINTS);
    const service = encodeURIComponent(def.service);
    const [history, serviceBudget, freezes, corrections, incidents, decisions, alerts] = await Promise.all([
      optional(get<History>(`/v1/slos/${enc}/history${query({ from: iso(range.fromMs), to: iso(range.toMs), step: `${step}s` })}`)),
      optional(get<ServiceBudget>(`/v1/services/${service}/budget`)),
      optional(get<{ freezes: Freeze[] }>('/v1/freezes')),
      optional(get<{ corrections: Correction[] }>('/v1/corrections')),
      optional(get<IncidentList>(`/v1/incidents${query({ service: def.service, limit: 50, to: iso(range.toMs) })}`)),
      optional(get<{ decisions: GateDecision[] }>(`/v1/deploy-gate/decisions${query({ service: def.service, limit: 20 })}`)),
      optional(get<{ alerts: RuledAlert[] }>('/v1/alerts')),
    ]);

    const s = this.ensureSkeleton(range);
    const key = JSON.stringify([def, b.zone, b.alerts, b.stateLostAt ?? null, b.evaluatedAt, b.budget.remaining]);
    // the header holds links: built again only when it changes, and never under the reader's focus
    if (key !== this.headKey && !s.head.contains(document.activeElement)) {
      this.headKey = key;
      const fresh = head(def, b);
      s.head.replaceWith(fresh);
      s.head = fresh;
    }
    replace(s.tiles, ...tiles(def, b).childNodes);

    // markers on the burn-down's time axis
    const notes: string[] = [];
    const markers: Marker[] = [];
    if (serviceBudget.ok) markers.push(...deployMarkers(serviceBudget.value.deploys, def.id, range));
    else notes.push(`deploys (${serviceBudget.error})`);
    if (freezes.ok) markers.push(...freezeMarkers(freezes.value.freezes, def.service, range));
    else notes.push(`freezes (${freezes.error})`);
    if (corrections.ok) markers.push(...correctionMarkers(corrections.value.corrections, def.id, def.service, range));
    else notes.push(`corrections (${corrections.error})`);
    if (incidents.ok) markers.push(...incidentMarkers(incidents.value.incidents, def.id, range, nowMs));
    else notes.push(`incidents (${incidents.error})`);
    const sorted = sortMarkers(markers);

    if (history.ok) {
      const points = history.value.points;
      const timesMs = points.map((p) => Date.parse(p.t));
      s.rangeNote.textContent = `${when(iso(range.fromMs))} to ${when(iso(range.toMs))} (${duration((range.toMs - range.fromMs) / 1000)}), a point every ${duration(step)}.`;
      this.drawBurnDown(s, { fromMs: range.fromMs, toMs: range.toMs, timesMs, remaining: points.map((p) => p.remaining), markers: sorted });
      this.drawBurnRates(s, def.alerting.rules, range, timesMs, points.map((p) => p.burnRates));
    } else {
      notes.unshift(`the history (${history.error})${this.burnDown ? '; the charts show the previous read' : ''}`);
      if (!this.burnDown) {
        s.burnDown.setAttribute('aria-label', 'burn-down chart: the history could not be read');
        replace(s.burnDown, h('p', { class: 'error' }, `The history could not be read: ${history.error}`));
      }
      if (this.burnRates.size === 0) this.drawRuleShells(s, def.alerting.rules);
    }
    this.drawMarkerList(s, sorted);
    replace(s.notes, notes.length > 0 ? `Not shown: ${notes.join('; ')}.` : '');
    s.notes.hidden = notes.length === 0;

    replace(s.alerts, alertsTable(def, b, alerts.ok ? alerts.value.alerts : null, nowMs));
    if (decisions.ok) replace(s.decisions, ...decisionsTable(decisions.value.decisions));
    else replace(s.decisions, h('p', { class: 'error' }, `The gate decisions could not be read: ${decisions.error}`));
  }

  private notFound(): void {
    this.destroyCharts();
    this.skeleton = null;
    this.headKey = '';
    this.rulesKey = '';
    replace(
      this.root,
      h('p', { class: 'error', id: 'slo-not-found', role: 'alert' }, `There is no SLO named “${this.id}”.`),
      h('p', {}, h('a', { href: '/' }, 'See every SLO on the budget board')),
    );
  }

  /** The page's fixed parts, built once (again if an error box replaced them). */
  private ensureSkeleton(range: TimeRange): Skeleton {
    if (this.skeleton && this.root.contains(this.skeleton.container)) return this.skeleton;
    this.destroyCharts();
    this.headKey = '';
    this.rulesKey = '';
    const eventsSummary = h('summary', {}, 'Markers in this range');
    const eventsList = h('ul', { id: 'burn-down-events', class: 'marker-list' });
    const events = h('details', { class: 'marker-details', id: 'burn-down-events-box' }, eventsSummary, eventsList);
    eventsSummary.addEventListener('click', () => {
      this.listToggled = true;
    });
    const s: Skeleton = {
      container: h('div', { class: 'slo-page' }),
      head: h('div', { id: 'slo-head' }),
      tiles: h('div', { class: 'tiles', id: 'slo-tiles' }),
      rangeNote: h('p', { class: 'legend-note', id: 'range-note' }),
      burnDown: h('div', { id: 'burn-down', class: 'chart', role: 'img', 'aria-label': 'burn-down chart: loading' }),
      legend: h('ul', { id: 'burn-down-legend', class: 'marker-legend', 'aria-label': 'what the burn-down chart shows' }),
      events,
      eventsSummary,
      eventsList,
      notes: h('p', { class: 'legend-note partial', id: 'slo-notes', role: 'status' }),
      rules: h('div', { id: 'burn-rates' }),
      alerts: h('div', { id: 'alerts' }),
      decisions: h('div', { id: 'decisions-box' }),
    };
    append(
      s.container,
      s.head,
      s.tiles,
      rangePicker(range),
      section('Burn-down', s.rangeNote, s.burnDown, s.legend, s.events, s.notes),
      section('Burn rates', h('p', { class: 'legend-note' }, `Per alert rule: long and short window burn rates (log scale; values under ${FLOOR}× drawn at ${FLOOR}×), the threshold, and shaded where both were at or above it.`), s.rules),
      section('Alerts', s.alerts),
      section('Recent gate decisions', s.decisions),
    );
    replace(this.root, s.container);
    this.skeleton = s;
    return s;
  }

  private drawBurnDown(s: Skeleton, data: BurnDownData): void {
    if (!this.burnDown) {
      s.burnDown.replaceChildren();
      this.burnDown = new BurnDownChart(s.burnDown);
    }
    this.burnDown.update(data);
    const counts = countByKind(data.markers);
    replace(
      s.legend,
      h('li', { 'data-kind': 'remaining' }, h('span', { class: 'swatch swatch-remaining', 'aria-hidden': 'true' }), 'remaining budget (line); dashed line: 0%, budget spent'),
      ...MARKER_KINDS.map((kind) =>
        h('li', { 'data-kind': kind, 'data-count': counts[kind] }, h('span', { class: `swatch swatch-${kind}`, 'aria-hidden': 'true' }), `${MARKER_WORDS[kind][1]}: ${counts[kind]}`),
      ),
    );
  }

  private drawMarkerList(s: Skeleton, markers: Marker[]): void {
    s.eventsSummary.textContent = markers.length === 0 ? 'No deploys, freezes, corrections or incidents in this range' : `Markers in this range (${markers.length})`;
    if (!this.listToggled) s.events.open = markers.length > 0 && markers.length <= LIST_OPEN_UP_TO;
    replace(
      s.eventsList,
      ...markers.map((m) =>
        h(
          'li',
          { 'data-kind': m.kind, 'data-id': m.id, 'data-start': iso(m.startMs), 'data-end': iso(m.endMs) },
          timeEl(m.startMs),
          m.endMs > m.startMs ? h('span', {}, ' – ', timeEl(m.endMs)) : null,
          ' · ',
          h('span', { class: `kind kind-${m.kind}` }, MARKER_WORDS[m.kind][0]),
          ' · ',
          m.text,
        ),
      ),
    );
  }

  private drawRuleShells(s: Skeleton, rules: AlertRule[]): Map<string, { plot: HTMLElement; note: HTMLElement }> {
    const key = JSON.stringify(rules);
    const shells = new Map<string, { plot: HTMLElement; note: HTMLElement }>();
    if (key === this.rulesKey) {
      for (const el of s.rules.querySelectorAll<HTMLElement>('.burn-rate')) {
        shells.set(el.dataset.rule ?? '', { plot: el.querySelector<HTMLElement>('.plot')!, note: el.querySelector<HTMLElement>('.legend-note')! });
      }
      return shells;
    }
    for (const chart of this.burnRates.values()) chart.destroy();
    this.burnRates.clear();
    this.rulesKey = key;
    if (rules.length === 0) {
      replace(s.rules, empty('This SLO has no alert rules.'));
      return shells;
    }
    replace(
      s.rules,
      ...rules.map((rule) => {
        const k = ruleKey(rule);
        const title = `rule-${k}-title`;
        const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${rule.severity} rule burn rates: loading` });
        const note = h('p', { class: 'legend-note' });
        shells.set(k, { plot, note });
        return h(
          'div',
          { class: 'chart burn-rate', 'data-rule': k, role: 'group', 'aria-labelledby': title },
          h('h3', { id: title }, `${rule.severity}: ${rule.burnRate}× over ${rule.long} and ${rule.short}`),
          plot,
          note,
        );
      }),
    );
    return shells;
  }

  private drawBurnRates(s: Skeleton, rules: AlertRule[], range: TimeRange, timesMs: number[], rates: Array<Record<string, number | null> | null>): void {
    const shells = this.drawRuleShells(s, rules);
    for (const rule of rules) {
      const k = ruleKey(rule);
      const shell = shells.get(k);
      if (!shell) continue;
      let chart = this.burnRates.get(k);
      if (!chart) {
        chart = new BurnRateChart(shell.plot, rule, shell.note);
        this.burnRates.set(k, chart);
      }
      chart.update({
        fromMs: range.fromMs,
        toMs: range.toMs,
        timesMs,
        long: rates.map((r) => (r ? (r[rule.long] ?? null) : null)),
        short: rates.map((r) => (r ? (r[rule.short] ?? null) : null)),
      });
    }
  }
}

function append(parent: HTMLElement, ...children: HTMLElement[]): void {
  for (const child of children) parent.appendChild(child);
}

export function sloPage(id: string): void {
  const { main, status } = frame(`SLO ${id}`, 'board');
  const root = h('div', { id: 'slo' });
  main.appendChild(root);
  const view = new SloView(root, id);
  let timer = 0;
  window.addEventListener('resize', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => view.resize(), 150);
  });
  refreshing(status, root, () => view.load());
}
