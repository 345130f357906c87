/**
 * SPEC §13: an incident's life from the page alerts of its service. It opens when a page fires
 * while none of the service is open (detectedAt = that page's `since`), a page of another SLO
 * joins it, and it resolves when no page of the service fires any more; tickets and
 * source-unavailable alerts never open one. The numbers (§4) are set by the caller, which reads the
 * metrics: `withStartedAt` while open, `withResolveNumbers` at resolve. Pure functions.
 */
import type { Zone } from '../../slo/domain/zones';
import { IncidentPage, IncidentRecord, iso, PageRule, pageRuleOf, PostmortemPolicy, secondsBetween, TimelineEntry } from './incident';
import { emptyPostmortem, freezeReason, thresholdReasons } from './postmortem';
import type { StartedAt } from './started-at';

/** A page alert of an SLO firing now, from the committed alert states. */
export interface FiringPage {
  slo: string;
  service: string;
  sinceMs: number;
  /** the alert state's rule key (`page:14.4:1h:5m`) */
  rule: string | null;
}

export interface ServiceStepInput {
  service: string;
  nowMs: number;
  /** the service's page alerts firing now */
  pages: readonly FiringPage[];
  /** the service's open incident, if any */
  open: IncidentRecord | null;
  /** the service's zone now; null when unknown to this step (the timeline then says nothing of it) */
  zone: Zone | null;
  policy: PostmortemPolicy;
  idOf(service: string, detectedAtMs: number): string;
}

export type ServiceStep =
  | { kind: 'unchanged' }
  | { kind: 'open'; incident: IncidentRecord }
  | { kind: 'update'; incident: IncidentRecord; resolved: boolean };

const bySince = (a: FiringPage, b: FiringPage): number => a.sinceMs - b.sinceMs || (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0);

export function ruleText(rule: PageRule | null): string {
  return rule ? `${rule.burnRate}× over ${rule.long} and ${rule.short}` : 'rule unknown';
}

/** The timeline with `entries` added, kept in time order (entries at the same instant in the order added). */
export function withEntries(timeline: readonly TimelineEntry[], entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...timeline, ...entries].map((entry, i) => ({ entry, i })).sort((a, b) => a.entry.atMs - b.entry.atMs || a.i - b.i).map(({ entry }) => entry);
}

/** What happens to one service's incidents in this step. */
export function serviceStep(input: ServiceStepInput): ServiceStep {
  if (input.open) return updateOpen(input, input.open);
  if (input.pages.length === 0) return { kind: 'unchanged' };
  return { kind: 'open', incident: openIncident(input) };
}

function openIncident(input: ServiceStepInput): IncidentRecord {
  const { service, nowMs, policy } = input;
  const pages = [...input.pages].sort(bySince);
  const first = pages[0];
  const zone = input.zone ?? 'unknown';
  const reason = freezeReason(service, zone, policy);
  const timeline: TimelineEntry[] = pages.map((page, i) => ({
    atMs: page.sinceMs,
    what:
      i === 0
        ? `opened: page of ${page.slo} fired (${ruleText(pageRuleOf(page.rule))}); ${service} in the ${zone} zone`
        : `page of ${page.slo} fired (${ruleText(pageRuleOf(page.rule))}) and joined`,
  }));
  if (reason) timeline.push({ atMs: nowMs, what: `postmortem required: ${reason}` });
  return {
    id: input.idOf(service, first.sinceMs),
    service,
    state: 'open',
    startedAtMs: null,
    detectedAtMs: first.sinceMs,
    resolvedAtMs: null,
    timeToDetect: null,
    timeToResolve: null,
    zoneAtOpen: zone,
    zoneNow: zone,
    slos: [...new Set(pages.map((p) => p.slo))].map((slo) => ({ slo, budgetConsumed: null })),
    pages: pages.map((p) => ({ slo: p.slo, rule: pageRuleOf(p.rule), firedAtMs: p.sinceMs, resolvedAtMs: null })),
    postmortem: reason ? { ...emptyPostmortem(), required: true, reasons: [reason] } : emptyPostmortem(),
    timeline: withEntries([], timeline),
  };
}

function updateOpen(input: ServiceStepInput, open: IncidentRecord): ServiceStep {
  const { nowMs } = input;
  const firing = new Map(input.pages.map((p) => [p.slo, p]));
  const entries: TimelineEntry[] = [];
  const pages: IncidentPage[] = open.pages.map((page) => {
    if (page.resolvedAtMs !== null) return page;
    const now = firing.get(page.slo);
    if (now && now.sinceMs === page.firedAtMs) return page;
    // resolved; if it fired again meanwhile (a step missed), it resolved before that
    const resolvedAtMs = Math.max(page.firedAtMs, now ? Math.min(nowMs, now.sinceMs) : nowMs);
    entries.push({ atMs: resolvedAtMs, what: `page of ${page.slo} resolved` });
    return { ...page, resolvedAtMs };
  });
  const slos = [...open.slos];
  for (const page of [...input.pages].sort(bySince)) {
    if (pages.some((p) => p.slo === page.slo && p.firedAtMs === page.sinceMs)) continue;
    const rule = pageRuleOf(page.rule);
    pages.push({ slo: page.slo, rule, firedAtMs: page.sinceMs, resolvedAtMs: null });
    if (!slos.some((s) => s.slo === page.slo)) slos.push({ slo: page.slo, budgetConsumed: null });
    entries.push({ atMs: page.sinceMs, what: `page of ${page.slo} fired (${ruleText(rule)}) and joined` });
  }
  let zoneNow = open.zoneNow;
  if (input.zone !== null && input.zone !== open.zoneNow) {
    entries.push({ atMs: nowMs, what: `${open.service} zone: ${open.zoneNow} → ${input.zone}` });
    zoneNow = input.zone;
  }
  const resolved = input.pages.length === 0;
  if (resolved) entries.push({ atMs: nowMs, what: `resolved: no page of ${open.service} fires any more` });
  if (entries.length === 0) return { kind: 'unchanged' };
  const incident: IncidentRecord = {
    ...open,
    pages,
    slos,
    zoneNow,
    timeline: withEntries(open.timeline, entries),
    ...(resolved ? { state: 'resolved' as const, resolvedAtMs: nowMs } : {}),
  };
  return { kind: 'update', incident, resolved };
}

/** The incident with `startedAt` (and so `timeToDetect`) set, the timeline saying when the errors began. */
export function withStartedAt(incident: IncidentRecord, found: StartedAt): IncidentRecord {
  const startedAtMs = Math.min(found.startedAtMs, incident.detectedAtMs);
  const what = found.bounded
    ? `errors began at or before this instant: the 5m error ratio of ${incident.pages[0].slo} was above its allowed ratio as far back as the search goes`
    : `errors began: the 5m error ratio of ${incident.pages[0].slo} rose above its allowed ratio`;
  return {
    ...incident,
    startedAtMs,
    timeToDetect: secondsBetween(startedAtMs, incident.detectedAtMs),
    timeline: withEntries(incident.timeline, [{ atMs: startedAtMs, what }]),
  };
}

/**
 * One SLO's `budgetConsumed` from its remaining budget at `startedAt` and `resolvedAt`; for a
 * calendar SLO whose period reset in between, `beforeReset` is the remaining budget at the end of
 * the old period, and the cost is the sum of the two parts (the new period starts full).
 */
export function budgetConsumed(remainingAtStart: number, remainingAtEnd: number, beforeReset: number | null = null): number {
  if (beforeReset === null) return Math.max(0, remainingAtStart - remainingAtEnd);
  return Math.max(0, remainingAtStart - beforeReset) + Math.max(0, 1 - remainingAtEnd);
}

/**
 * A resolved incident with its numbers (computed once, at resolve, then kept): `timeToResolve`,
 * each SLO's `budgetConsumed` (null: could not be computed), the postmortem's threshold rule and
 * its due time.
 */
export function withResolveNumbers(incident: IncidentRecord, consumed: ReadonlyMap<string, number | null>, policy: PostmortemPolicy): IncidentRecord {
  if (incident.state !== 'resolved' || incident.resolvedAtMs === null) throw new Error(`incident ${incident.id} is not resolved`);
  const resolvedAtMs = incident.resolvedAtMs;
  const slos = incident.slos.map((s) => ({ slo: s.slo, budgetConsumed: consumed.get(s.slo) ?? null }));
  const reasons = [...incident.postmortem.reasons, ...thresholdReasons(slos, policy).filter((r) => !incident.postmortem.reasons.includes(r))];
  const required = reasons.length > 0;
  const dueAtMs = required ? resolvedAtMs + policy.dueMs : null;
  const entries: TimelineEntry[] = [];
  const costs = slos.map((s) => `${s.slo} ${s.budgetConsumed === null ? 'unknown' : `${Math.round(s.budgetConsumed * 10_000) / 100}%`}`);
  entries.push({ atMs: resolvedAtMs, what: `budget consumed: ${costs.join(', ')}` });
  const newReasons = reasons.filter((r) => !incident.postmortem.reasons.includes(r));
  if (newReasons.length > 0) entries.push({ atMs: resolvedAtMs, what: `postmortem required: ${newReasons.join('; ')}` });
  if (required) entries.push({ atMs: resolvedAtMs, what: `postmortem due ${iso(dueAtMs!)}` });
  return {
    ...incident,
    timeToResolve: incident.startedAtMs === null ? null : secondsBetween(incident.startedAtMs, resolvedAtMs),
    slos,
    postmortem: { ...incident.postmortem, required, reasons, dueAtMs },
    timeline: withEntries(incident.timeline, entries),
  };
}
