/**
 * The alerting step for one SLO after one evaluation (SPEC §4, §6), as a pure function: which of
 * its rules hold → its alerts' next states (`nextAlertStates`) → who is told (`planNotifications`:
 * routes, silences, page-inhibits-ticket, repeats, resolves to told receivers). The service reads
 * the inputs, turns the intents into outbox deliveries and commits states and deliveries together.
 */
import type { AppConfig, SloConfig } from '../../config/app-config';
import { firingRulesOf, ruleKey } from '../../slo/domain/rule-evaluation';
import { alertKey, nextAlertStates, SOURCE_FAILURE_THRESHOLD, type AlertKey, type AlertState, type PageFacts } from './alert-state';
import { planNotifications, type NotificationIntent } from './notification-plan';
import { silenceCovers, type SilenceScope } from './silence-match';

export interface SloAlertStepInput {
  slo: SloConfig;
  /** `ruleKey`s of the rules holding at this evaluation (the evaluation record's `rulesHeld`) */
  rulesHeld: readonly string[];
  /** consecutive failed evaluations of the SLO (0 after a success) */
  sourceFailures: number;
  /** the SLO's alerts as stored; null when nothing is stored (every alert inactive) */
  stored: readonly AlertState[] | null;
  silences: readonly SilenceScope[];
  config: Pick<AppConfig, 'routes' | 'notifiers'>;
  nowMs: number;
  /** what a page firing now keeps: its incident, the budget remaining (asked only when the page fires) */
  pageFacts?: () => PageFacts;
}

export interface SloAlertStep {
  /** the SLO's alerts after this evaluation, to store */
  states: AlertState[];
  /** who is told what, to record in the outbox with the states */
  intents: NotificationIntent[];
  /** how many alerts changed between inactive and firing */
  transitions: number;
}

/** The SLO's step; null when nothing changes (the common case: nothing stored, nothing fires). */
export function sloAlertStep(input: SloAlertStepInput): SloAlertStep | null {
  const { slo, stored, nowMs } = input;
  const held = new Set(input.rulesHeld);
  const firingRules = firingRulesOf(held.size === 0 ? [] : slo.alerting.rules.filter((rule) => held.has(ruleKey(rule))));
  const fires = { page: firingRules.page !== null, ticket: firingRules.ticket !== null };
  if (!stored && !fires.page && !fires.ticket && input.sourceFailures < SOURCE_FAILURE_THRESHOLD) return null;

  const previous = new Map<AlertKey, AlertState>();
  for (const state of stored ?? []) previous.set(alertKey(state.slo, state.kind, state.severity), state);
  const step = nextAlertStates(previous, {
    slo: slo.id,
    firing: fires,
    firingRules: { page: firingRules.page && ruleKey(firingRules.page), ticket: firingRules.ticket && ruleKey(firingRules.ticket) },
    sourceFailures: input.sourceFailures,
    nowMs,
    ...(input.pageFacts ? { pageFacts: input.pageFacts } : {}),
  });
  const covered = input.silences.some((s) => silenceCovers(s, { slo: slo.id, service: slo.service }, nowMs));
  const silenced = new Set<AlertKey>(covered ? step.states.map((s) => alertKey(s.slo, s.kind, s.severity)) : []);
  const plan = planNotifications({
    slo,
    states: step.states,
    transitions: step.transitions,
    routes: input.config.routes,
    notifiers: input.config.notifiers,
    silenced,
    nowMs,
  });
  if (plan.intents.length === 0 && step.transitions.length === 0 && !rulesChanged(stored, plan.states)) return null;
  return { states: plan.states, intents: plan.intents, transitions: step.transitions.length };
}

/**
 * Without transitions or notifications, states change only when a firing alert is now fired by
 * another rule (cheaper than comparing serialised states every cycle for every firing SLO).
 */
function rulesChanged(stored: readonly AlertState[] | null, next: readonly AlertState[]): boolean {
  if (!stored) return next.some((s) => s.state === 'firing');
  return next.some((s, i) => s.rule !== stored[i]?.rule);
}
