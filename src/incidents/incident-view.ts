import type { AppConfig } from '../config/app-config';
import { durationMs } from '../common/duration';
import type { Zone } from '../slo/domain/zones';
import { ActionItemCategory, IncidentRecord, iso, PageRule, PostmortemPolicy } from './domain/incident';
import { postmortemOverdue } from './domain/postmortem';

/** The incident object of SPEC §13, field for field: timestamps ISO-8601 UTC, durations in seconds. */
export interface IncidentView {
  id: string;
  service: string;
  state: 'open' | 'resolved';
  startedAt: string | null;
  detectedAt: string;
  resolvedAt: string | null;
  timeToDetect: number | null;
  timeToResolve: number | null;
  zoneAtOpen: Zone;
  slos: Array<{ slo: string; budgetConsumed: number | null }>;
  pages: Array<{ slo: string; rule: PageRule | null; firedAt: string; resolvedAt: string | null }>;
  postmortem: {
    required: boolean;
    reasons: string[];
    dueAt: string | null;
    url: string | null;
    summary: string | null;
    actionItems: Array<{ title: string; owner: string; dueAt: string; category: ActionItemCategory; done: boolean }>;
    overdue: boolean;
  };
  timeline: Array<{ at: string; what: string }>;
}

export interface IncidentList {
  incidents: IncidentView[];
  nextCursor: string | null;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** The API's view of a stored incident at `nowMs` (`overdue` depends on it). */
export function incidentView(incident: IncidentRecord, nowMs: number): IncidentView {
  const pm = incident.postmortem;
  return {
    id: incident.id,
    service: incident.service,
    state: incident.state,
    startedAt: isoOrNull(incident.startedAtMs),
    detectedAt: iso(incident.detectedAtMs),
    resolvedAt: isoOrNull(incident.resolvedAtMs),
    timeToDetect: incident.timeToDetect,
    timeToResolve: incident.timeToResolve,
    zoneAtOpen: incident.zoneAtOpen,
    slos: incident.slos.map((s) => ({ slo: s.slo, budgetConsumed: s.budgetConsumed })),
    pages: incident.pages.map((p) => ({ slo: p.slo, rule: p.rule, firedAt: iso(p.firedAtMs), resolvedAt: isoOrNull(p.resolvedAtMs) })),
    postmortem: {
      required: pm.required,
      reasons: [...pm.reasons],
      dueAt: isoOrNull(pm.dueAtMs),
      url: pm.url,
      summary: pm.summary,
      actionItems: pm.actionItems.map((a) => ({ title: a.title, owner: a.owner, dueAt: iso(a.dueAtMs), category: a.category, done: a.done })),
      overdue: postmortemOverdue(pm, nowMs),
    },
    timeline: incident.timeline.map((t) => ({ at: iso(t.atMs), what: t.what })),
  };
}

const msOrNull = (text: string | null): number | null => (text === null ? null : Date.parse(text));

/** The stored form of an exported incident (the state import); the zone as last seen is taken as the zone at open. */
export function recordOfView(view: IncidentView): IncidentRecord {
  const pm = view.postmortem;
  return {
    id: view.id,
    service: view.service,
    state: view.state,
    startedAtMs: msOrNull(view.startedAt),
    detectedAtMs: Date.parse(view.detectedAt),
    resolvedAtMs: msOrNull(view.resolvedAt),
    timeToDetect: view.timeToDetect,
    timeToResolve: view.timeToResolve,
    zoneAtOpen: view.zoneAtOpen,
    zoneNow: view.zoneAtOpen,
    slos: view.slos.map((s) => ({ ...s })),
    pages: view.pages.map((p) => ({ slo: p.slo, rule: p.rule, firedAtMs: Date.parse(p.firedAt), resolvedAtMs: msOrNull(p.resolvedAt) })),
    postmortem: {
      required: pm.required,
      reasons: [...pm.reasons],
      dueAtMs: msOrNull(pm.dueAt),
      url: pm.url,
      summary: pm.summary,
      actionItems: pm.actionItems.map((a) => ({ title: a.title, owner: a.owner, dueAtMs: Date.parse(a.dueAt), category: a.category, done: a.done })),
    },
    timeline: view.timeline.map((t) => ({ atMs: Date.parse(t.at), what: t.what })),
  };
}

/** `policy.postmortems` with `due` in milliseconds. */
export function postmortemPolicyOf(config: AppConfig): PostmortemPolicy {
  const p = config.policy.postmortems;
  return { budgetThreshold: p.budgetThreshold, inFreeze: p.inFreeze, dueMs: durationMs(p.due), gate: p.gate };
}

/** Link to an incident on the board (SPEC §9's `/incidents`), as the notifications give it. */
export function incidentUrl(config: AppConfig, id: string): string {
  return `${config.server.externalUrl}/incidents/${encodeURIComponent(id)}`;
}
