/**
 * SPEC §13 postmortems: when one is required (a budget threshold, or an incident opened while the
 * service was in freeze), when it is due and overdue, which reminders are due, and what writing it
 * changes. Pure functions.
 */
import type { Zone } from '../../slo/domain/zones';
import { formatBudgetPercent, formatThresholdPercent } from '../../common/format-percent';
import { ActionItem, IncidentRecord, iso, Postmortem, PostmortemPolicy } from './incident';

export function emptyPostmortem(): Postmortem {
  return { required: false, reasons: [], dueAtMs: null, url: null, summary: null, actionItems: [] };
}

/** With `inFreeze`, an incident opened while its service was in freeze or exhausted needs a postmortem. */
export function freezeReason(service: string, zoneAtOpen: Zone, policy: PostmortemPolicy): string | null {
  if (!policy.inFreeze || (zoneAtOpen !== 'freeze' && zoneAtOpen !== 'exhausted')) return null;
  return `${service} was in the ${zoneAtOpen} zone when the incident opened (policy.postmortems.inFreeze)`;
}

/** One reason per SLO whose budgetConsumed reached `budgetThreshold`. */
export function thresholdReasons(slos: IncidentRecord['slos'], policy: PostmortemPolicy): string[] {
  return slos
    .filter((s) => s.budgetConsumed !== null && s.budgetConsumed >= policy.budgetThreshold)
    .map(
      (s) =>
        `${s.slo} consumed ${formatBudgetPercent(s.budgetConsumed!)} of its error budget, at least policy.postmortems.budgetThreshold (${formatThresholdPercent(policy.budgetThreshold)})`,
    );
}

/** Required, without a url, past its due time. */
export function postmortemOverdue(postmortem: Postmortem, nowMs: number): boolean {
  return postmortem.required && postmortem.url === null && postmortem.dueAtMs !== null && nowMs > postmortem.dueAtMs;
}

/** Not done and past its dueAt. */
export function actionItemOverdue(item: ActionItem, nowMs: number): boolean {
  return !item.done && nowMs > item.dueAtMs;
}

/** Something still to follow up: a required postmortem not written, or an action item not done. */
export function followUpPending(incident: IncidentRecord): boolean {
  const pm = incident.postmortem;
  return (pm.required && pm.url === null) || pm.actionItems.some((item) => !item.done);
}

export interface ReminderDue {
  /** `{id}/postmortem` or `{id}/action-items/{index}`: each is sent once, ever */
  key: string;
  what: 'postmortem' | 'action-item';
  title: string;
  owner: string | null;
  dueAtMs: number;
}

/** The reminders the incident is due for at `nowMs` (SPEC §6: once per overdue postmortem and action item). */
export function remindersDue(incident: IncidentRecord, nowMs: number): ReminderDue[] {
  const pm = incident.postmortem;
  const out: ReminderDue[] = [];
  if (postmortemOverdue(pm, nowMs)) {
    out.push({ key: `${incident.id}/postmortem`, what: 'postmortem', title: `postmortem of incident ${incident.id} (${incident.service})`, owner: null, dueAtMs: pm.dueAtMs! });
  }
  pm.actionItems.forEach((item, index) => {
    if (actionItemOverdue(item, nowMs)) {
      out.push({ key: `${incident.id}/action-items/${index}`, what: 'action-item', title: item.title, owner: item.owner, dueAtMs: item.dueAtMs });
    }
  });
  return out;
}

export interface PostmortemInput {
  url: string;
  summary: string | null;
  actionItems: ActionItem[];
}

/** The incident with its postmortem written (or rewritten) by `actor` at `nowMs`, the timeline saying what changed. */
export function writePostmortem(incident: IncidentRecord, input: PostmortemInput, actor: string, nowMs: number): IncidentRecord {
  const before = incident.postmortem;
  const entries: string[] = [];
  if (before.url === null) entries.push(`postmortem written by ${actor}: ${input.url}`);
  else if (before.url !== input.url || before.summary !== input.summary) entries.push(`postmortem updated by ${actor}: ${input.url}`);
  input.actionItems.forEach((item, i) => {
    const old = before.actionItems[i];
    if (!old || old.title !== item.title) entries.push(`action item ${i + 1} (${item.category}, ${item.owner}, due ${iso(item.dueAtMs)}): ${item.title}`);
    if (item.done && (!old || !old.done || old.title !== item.title)) entries.push(`action item ${i + 1} done: ${item.title}`);
  });
  if (input.actionItems.length < before.actionItems.length) entries.push(`action items after ${input.actionItems.length} removed by ${actor}`);
  if (entries.length === 0) entries.push(`postmortem saved unchanged by ${actor}`);
  return {
    ...incident,
    postmortem: { ...before, url: input.url, summary: input.summary, actionItems: input.actionItems.map((item) => ({ ...item })) },
    timeline: [...incident.timeline, ...entries.map((what) => ({ atMs: nowMs, what }))],
  };
}
