/**
 * SPEC §13 reliability summary of a service over a window: mean time to detect and to resolve
 * (MTTD, MTTR, with median and maximum), the incidents, what they cost each SLO's budget, and the
 * postmortem and action-item counts. Pure functions.
 */
import type { IncidentRecord } from './incident';
import { actionItemOverdue, postmortemOverdue } from './postmortem';

export interface DurationStats {
  /** seconds; null when no incident of the window has the number */
  mean: number | null;
  p50: number | null;
  max: number | null;
}

export interface ReliabilitySummary {
  service: string;
  window: string;
  incidents: number;
  timeToDetect: DurationStats;
  timeToResolve: DurationStats;
  /** per SLO, the sum of its incidents' budgetConsumed (fractions of its budget) */
  budgetConsumedByIncidents: Record<string, number>;
  postmortems: { required: number; done: number; overdue: number };
  /** open: not done and not yet due; overdue: not done, past its dueAt */
  actionItems: { open: number; overdue: number; done: number };
}

/** Mean, median (the mean of the two middle values for an even count) and maximum, to the millisecond. */
export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { mean: null, p50: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const p50 = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const ms = (s: number): number => Math.round(s * 1000) / 1000;
  return { mean: ms(mean), p50: ms(p50), max: ms(sorted[sorted.length - 1]) };
}

/**
 * The summary of `incidents` (those of the service detected in the window, the caller's choice) at
 * `nowMs`. Open incidents count as incidents and in MTTD once `timeToDetect` is known; MTTR counts
 * resolved ones.
 */
export function reliabilitySummary(service: string, window: string, incidents: readonly IncidentRecord[], nowMs: number): ReliabilitySummary {
  const budget: Record<string, number> = {};
  const postmortems = { required: 0, done: 0, overdue: 0 };
  const actionItems = { open: 0, overdue: 0, done: 0 };
  for (const incident of incidents) {
    for (const s of incident.slos) {
      if (s.budgetConsumed !== null) budget[s.slo] = (budget[s.slo] ?? 0) + s.budgetConsumed;
    }
    const pm = incident.postmortem;
    if (pm.required) postmortems.required++;
    if (pm.url !== null) postmortems.done++;
    if (postmortemOverdue(pm, nowMs)) postmortems.overdue++;
    for (const item of pm.actionItems) {
      if (item.done) actionItems.done++;
      else if (actionItemOverdue(item, nowMs)) actionItems.overdue++;
      else actionItems.open++;
    }
  }
  const numbers = (pick: (i: IncidentRecord) => number | null): number[] => incidents.map(pick).filter((v): v is number => v !== null);
  return {
    service,
    window,
    incidents: incidents.length,
    timeToDetect: durationStats(numbers((i) => i.timeToDetect)),
    timeToResolve: durationStats(numbers((i) => i.timeToResolve)),
    budgetConsumedByIncidents: budget,
    postmortems,
    actionItems,
  };
}
