/**
 * What the burn-down chart draws on its time axis besides the line: deploys (instants), freeze
 * windows, corrections (each occurrence of a repeated one) and incidents (bands). Pure functions
 * from API shapes to markers clipped to the range shown: no DOM, so they can be tested alone.
 */
import { percent } from '../format';
import type { Correction, Deploy, Freeze, Incident } from '../types';

export type MarkerKind = 'deploy' | 'freeze' | 'correction' | 'incident';
export const MARKER_KINDS: readonly MarkerKind[] = ['deploy', 'freeze', 'correction', 'incident'];

/** Words for each kind, singular and plural (the legend and the text list). */
export const MARKER_WORDS: Record<MarkerKind, [string, string]> = {
  deploy: ['deploy', 'deploys'],
  freeze: ['freeze', 'freezes'],
  correction: ['correction', 'corrections'],
  incident: ['incident', 'incidents'],
};

export interface Marker {
  kind: MarkerKind;
  /** the record it comes from (decision id, freeze id, correction id, incident id) */
  id: string;
  /** ms since the epoch; equal for an instant (a deploy) */
  startMs: number;
  endMs: number;
  /** short, drawn on the canvas (version, incident id) */
  label: string;
  /** the sentence of the text list */
  text: string;
  /** still going on at the range's end (open incident, freeze or correction lasting past it) */
  ongoing: boolean;
}

export interface Range {
  fromMs: number;
  toMs: number;
}

const DAY_MS = 86_400_000;
const REPEAT_MS = { daily: DAY_MS, weekly: 7 * DAY_MS } as const;
/** Occurrences drawn per repeated correction at most (a daily one over a 400d window is 401). */
export const MAX_OCCURRENCES = 500;

function overlaps(startMs: number, endMs: number, range: Range): boolean {
  return startMs <= range.toMs && endMs >= range.fromMs;
}

/** Deploys of the SLO's service inside the range (a deploy is of the service: it concerns its every SLO). */
export function deployMarkers(deploys: Deploy[], slo: string, range: Range): Marker[] {
  const out: Marker[] = [];
  for (const d of deploys) {
    const at = Date.parse(d.at);
    if (!(at >= range.fromMs && at <= range.toMs)) continue;
    const mine = d.slos.find((s) => s.slo === slo);
    const spent = mine && mine.consumedSince !== null ? `; budget spent since: ${percent(mine.consumedSince)}` : '';
    const by = d.requestedBy ? ` by ${d.requestedBy}` : '';
    out.push({ kind: 'deploy', id: d.decisionId, startMs: at, endMs: at, label: d.version, text: `${d.version} (${d.changeType})${by}${spent}`, ongoing: false });
  }
  return out;
}

/** Freeze windows covering the service (or every service, "*") that overlap the range. */
export function freezeMarkers(freezes: Freeze[], service: string, range: Range): Marker[] {
  const out: Marker[] = [];
  for (const f of freezes) {
    if (f.service !== service && f.service !== '*') continue;
    const start = Date.parse(f.start);
    const end = Date.parse(f.end);
    if (!overlaps(start, end, range)) continue;
    const scope = f.service === '*' ? 'all services' : f.service;
    out.push({ kind: 'freeze', id: f.id, startMs: start, endMs: end, label: 'freeze', text: `${f.reason} (${scope})`, ongoing: end > range.toMs });
  }
  return out;
}

/** Whether a correction covers this SLO: named by id, by its service, or "*". */
export function correctionApplies(c: Correction, slo: string, service: string): boolean {
  return c.slo === slo || c.service === service || c.service === '*';
}

/**
 * The occurrences `[start + k·P, end + k·P)` (k ≥ 0, P = 24 h or 7 × 24 h; only k = 0 without
 * repeat) that overlap the range, oldest first, at most {@link MAX_OCCURRENCES}.
 */
export function occurrences(startMs: number, endMs: number, repeat: 'daily' | 'weekly' | null, range: Range): Array<{ startMs: number; endMs: number }> {
  const length = endMs - startMs;
  if (!(length > 0)) return [];
  if (repeat === null) return overlaps(startMs, endMs, range) ? [{ startMs, endMs }] : [];
  const period = REPEAT_MS[repeat];
  const first = Math.max(0, Math.ceil((range.fromMs - endMs) / period));
  const out: Array<{ startMs: number; endMs: number }> = [];
  for (let k = first; out.length < MAX_OCCURRENCES; k++) {
    const s = startMs + k * period;
    if (s > range.toMs) break;
    if (overlaps(s, s + length, range)) out.push({ startMs: s, endMs: s + length });
  }
  return out;
}

/** Corrections of the SLO (by id, service or "*"), one marker per occurrence in the range. */
export function correctionMarkers(corrections: Correction[], slo: string, service: string, range: Range): Marker[] {
  const out: Marker[] = [];
  for (const c of corrections) {
    if (!correctionApplies(c, slo, service)) continue;
    const scope = c.slo !== null ? 'this SLO' : c.service === '*' ? 'all services' : `service ${c.service}`;
    const repeat = c.repeat ? `, repeats ${c.repeat}` : '';
    for (const o of occurrences(Date.parse(c.start), Date.parse(c.end), c.repeat, range)) {
      out.push({ kind: 'correction', id: c.id, startMs: o.startMs, endMs: o.endMs, label: 'correction', text: `${c.reason} (${scope}, ${c.duration}${repeat})`, ongoing: o.endMs > range.toMs });
    }
  }
  return out;
}

/**
 * Incidents of the service overlapping the range, as bands from `startedAt` (or `detectedAt` while
 * it is unknown) to `resolvedAt` (or now while open). The text says which SLOs paged and what the
 * incident cost this SLO's budget.
 */
export function incidentMarkers(incidents: Incident[], slo: string, range: Range, nowMs: number): Marker[] {
  const out: Marker[] = [];
  for (const i of incidents) {
    const start = Date.parse(i.startedAt ?? i.detectedAt);
    const end = i.resolvedAt ? Date.parse(i.resolvedAt) : nowMs;
    if (!overlaps(start, end, range)) continue;
    const paged = i.slos.map((s) => s.slo);
    const mine = i.slos.find((s) => s.slo === slo);
    const cost = mine && mine.budgetConsumed !== null ? `; cost this SLO ${percent(mine.budgetConsumed)} of its budget` : '';
    const state = i.state === 'open' ? 'open' : 'resolved';
    out.push({
      kind: 'incident',
      id: i.id,
      startMs: start,
      endMs: Math.max(start, end),
      label: i.id,
      text: `${i.id} (${state}); paged: ${paged.length > 0 ? paged.join(', ') : 'none'}${cost}`,
      ongoing: i.state === 'open' || end > range.toMs,
    });
  }
  return out;
}

/** Every marker, sorted by start then kind. */
export function sortMarkers(markers: Marker[]): Marker[] {
  return [...markers].sort((a, b) => a.startMs - b.startMs || MARKER_KINDS.indexOf(a.kind) - MARKER_KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
}

export function countByKind(markers: Marker[]): Record<MarkerKind, number> {
  const counts: Record<MarkerKind, number> = { deploy: 0, freeze: 0, correction: 0, incident: 0 };
  for (const m of markers) counts[m.kind]++;
  return counts;
}
