/**
 * SPEC §13: an incident of a service, as the engine records it. Pure types and small helpers, no
 * framework imports. Times are epoch milliseconds here; the API shows them as ISO-8601 UTC and the
 * durations (`timeToDetect`, `timeToResolve`) in seconds.
 */
import type { Zone } from '../../slo/domain/zones';

export const ACTION_ITEM_CATEGORIES = ['prevention', 'detection', 'mitigation'] as const;
export type ActionItemCategory = (typeof ACTION_ITEM_CATEGORIES)[number];

/** Incidents are kept this long after they resolve (SPEC §13: 400 days); open ones are kept. */
export const INCIDENT_RETENTION_MS = 400 * 86_400_000;

/** The rule of a page, as `GET /v1/alerts` shows it. */
export interface PageRule {
  severity: 'page' | 'ticket';
  burnRate: number;
  long: string;
  short: string;
}

/** One firing of an SLO's page alert inside the incident. */
export interface IncidentPage {
  slo: string;
  rule: PageRule | null;
  firedAtMs: number;
  /** null while it fires */
  resolvedAtMs: number | null;
}

export interface IncidentSlo {
  slo: string;
  /** `max(0, remaining(startedAt) − remaining(resolvedAt))`; null while open, or until it could be computed */
  budgetConsumed: number | null;
}

export interface ActionItem {
  title: string;
  owner: string;
  dueAtMs: number;
  category: ActionItemCategory;
  done: boolean;
}

export interface Postmortem {
  required: boolean;
  /** why it is required (empty when it is not) */
  reasons: string[];
  /** resolvedAt + `policy.postmortems.due`; null while open or when not required */
  dueAtMs: number | null;
  url: string | null;
  summary: string | null;
  actionItems: ActionItem[];
}

export interface TimelineEntry {
  atMs: number;
  what: string;
}

export interface IncidentRecord {
  id: string;
  service: string;
  state: 'open' | 'resolved';
  /** SPEC §4's search back from detectedAt; null until it could be computed */
  startedAtMs: number | null;
  /** the first page's `since` */
  detectedAtMs: number;
  resolvedAtMs: number | null;
  /** seconds: detectedAt − startedAt */
  timeToDetect: number | null;
  /** seconds: resolvedAt − startedAt; null while open */
  timeToResolve: number | null;
  /** the service's zone when the incident opened */
  zoneAtOpen: Zone;
  /** the service's zone as last seen (for the timeline's zone changes; not shown by the API) */
  zoneNow: Zone;
  slos: IncidentSlo[];
  /** oldest first; the first is the page that opened the incident */
  pages: IncidentPage[];
  postmortem: Postmortem;
  timeline: TimelineEntry[];
}

/** `policy.postmortems`, with `due` in milliseconds. */
export interface PostmortemPolicy {
  budgetThreshold: number;
  inFreeze: boolean;
  dueMs: number;
  gate: boolean;
}

/** The SLO whose page opened the incident: its first page. */
export function pagedFirst(incident: IncidentRecord): string {
  return incident.pages[0].slo;
}

/** `page:14.4:1h:5m` (the alert state's rule key) → the rule; null when unknown or malformed. */
export function pageRuleOf(key: string | null): PageRule | null {
  if (key === null) return null;
  const [severity, burnRate, long, short] = key.split(':');
  const rate = Number(burnRate);
  if ((severity !== 'page' && severity !== 'ticket') || !Number.isFinite(rate) || !long || !short) return null;
  return { severity, burnRate: rate, long, short };
}

/** Seconds between two instants, to the millisecond. */
export function secondsBetween(fromMs: number, toMs: number): number {
  return Math.round(toMs - fromMs) / 1000;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
