/**
 * SPEC §4 and §6: the alerts of one SLO from evaluation to evaluation — a burn-rate alert per
 * severity and a source-unavailable alert — and the transitions between them. Pure functions, no
 * framework imports; who gets told of a transition is decided by `planNotifications`.
 */
import type { Severity } from '../../config/app-config';
import { SOURCE_FAILURE_THRESHOLD, type AlertKind } from '../../notifiers/ports/notification-message';

export { SOURCE_FAILURE_THRESHOLD, type AlertKind };

/** Identity of an alert: `{slo}/{severity}` for burn-rate, `{slo}/source` for source-unavailable. */
export type AlertKey = string;

/** A source-unavailable alert is routed as a ticket (SPEC §6). */
export const SOURCE_UNAVAILABLE_SEVERITY: Severity = 'ticket';

const SEVERITIES: Severity[] = ['page', 'ticket'];

/** The key of an alert; `severity` is ignored for source-unavailable (there is one per SLO). */
export function alertKey(slo: string, kind: AlertKind, severity: Severity): AlertKey {
  return kind === 'burn-rate' ? `${slo}/${severity}` : `${slo}/source`;
}

/** PagerDuty's `dedup_key`: `slo-engine/{slo}/{severity}`, or `slo-engine/{slo}/source`. */
export function dedupKey(slo: string, kind: AlertKind, severity: Severity): string {
  return `slo-engine/${alertKey(slo, kind, severity)}`;
}

export interface AlertState {
  slo: string;
  kind: AlertKind;
  severity: Severity;
  state: 'inactive' | 'firing';
  /** when the current firing started; null while inactive */
  since: number | null;
  /** the rule firing the alert now (`ruleKey`); null while inactive and for source-unavailable */
  rule: string | null;
  /** receivers told of the current trigger, in the order they were told; empty while inactive */
  notifiedReceivers: string[];
  /** per receiver, when it was last notified (trigger or repeat) of the current firing */
  lastNotifiedAt: Record<string, number>;
  /**
   * A firing page (SPEC §13): the incident of its service it opened or joined, named in all of its
   * notifications. Absent on other alerts, when the incidents could not be read as it fired, and on
   * pages stored before it was kept.
   */
  incidentId?: string;
  /**
   * A firing page: the budget remaining at the evaluation that fired it, so that its resolve can
   * say what it cost; null when that evaluation had no numbers. Absent as `incidentId` is.
   */
  remainingAtFire?: number | null;
}

/** What is kept of a page as it fires (SPEC §13), for its notifications. */
export type PageFacts = Pick<AlertState, 'incidentId' | 'remainingAtFire'>;

export interface Transition {
  key: AlertKey;
  kind: 'trigger' | 'resolve';
  slo: string;
  alertKind: AlertKind;
  severity: Severity;
  /** trigger: the rule that fired; resolve: the last rule that fired it; null for source-unavailable */
  rule: string | null;
  /** when the alert started firing (for a trigger, `atMs`) */
  since: number;
  atMs: number;
  /** resolve: the receivers told of the trigger, who must get the resolve; trigger: empty */
  notifiedReceivers: string[];
  /** a page's: its incident (as its state keeps it) */
  incidentId?: string;
  /** a page's: the budget remaining when it fired (as its state keeps it) */
  remainingAtFire?: number | null;
}

/** One evaluation of one SLO, as the evaluator saw it. */
export interface AlertEvaluationInput {
  slo: string;
  /** per severity, whether any rule holds (`evaluateRules(...).firing`) */
  firing: Record<Severity, boolean>;
  /** per severity, `ruleKey` of the rule that fires it, or null */
  firingRules: Record<Severity, string | null>;
  /**
   * Consecutive failed evaluations including this one; 0 means this evaluation succeeded. While it
   * is above 0 the burn-rate alerts are carried over unchanged and `firing` / `firingRules` are
   * ignored (callers pass the previous flags): a failure never fires nor resolves a burn-rate alert.
   */
  sourceFailures: number;
  nowMs: number;
  /**
   * What a page that fires at this evaluation keeps (SPEC §13): its incident and the budget
   * remaining now. Asked only when the page fires (the caller may derive an id); absent: nothing kept.
   */
  pageFacts?: () => PageFacts;
}

export interface AlertStep {
  /** every alert of the SLO (page, ticket, source), in that order, after this evaluation */
  states: AlertState[];
  /** at most one per alert */
  transitions: Transition[];
}

export function inactiveState(slo: string, kind: AlertKind, severity: Severity): AlertState {
  return { slo, kind, severity, state: 'inactive', since: null, rule: null, notifiedReceivers: [], lastNotifiedAt: {} };
}

function copy(state: AlertState): AlertState {
  return { ...state, notifiedReceivers: [...state.notifiedReceivers], lastNotifiedAt: { ...state.lastNotifiedAt } };
}

/** The page facts of `source` that are set (no `undefined` keys: stored states stay as compact as before). */
export function definedFacts(source: PageFacts): PageFacts {
  const facts: PageFacts = {};
  if (source.incidentId !== undefined) facts.incidentId = source.incidentId;
  if (source.remainingAtFire !== undefined) facts.remainingAtFire = source.remainingAtFire;
  return facts;
}

/**
 * Advances the three alerts of `input.slo`. A burn-rate alert `(slo, severity)` fires when
 * `firing[severity]` and resolves at the first successful evaluation where it no longer does; the
 * source-unavailable alert fires at {@link SOURCE_FAILURE_THRESHOLD} consecutive failures and
 * resolves at the next success. `previous` may hold other SLOs' alerts; a missing alert is inactive.
 */
export function nextAlertStates(previous: ReadonlyMap<AlertKey, AlertState>, input: AlertEvaluationInput): AlertStep {
  const { slo, nowMs } = input;
  const failed = input.sourceFailures > 0;
  const states: AlertState[] = [];
  const transitions: Transition[] = [];

  const step = (kind: AlertKind, severity: Severity, fires: boolean, rule: string | null): void => {
    const key = alertKey(slo, kind, severity);
    const prev = previous.get(key) ?? inactiveState(slo, kind, severity);
    if (prev.state === 'inactive' && fires) {
      const facts = kind === 'burn-rate' && severity === 'page' && input.pageFacts ? definedFacts(input.pageFacts()) : {};
      states.push({ ...inactiveState(slo, kind, severity), state: 'firing', since: nowMs, rule, ...facts });
      transitions.push({ key, kind: 'trigger', slo, alertKind: kind, severity, rule, since: nowMs, atMs: nowMs, notifiedReceivers: [], ...facts });
    } else if (prev.state === 'firing' && !fires) {
      states.push(inactiveState(slo, kind, severity));
      transitions.push({
        key,
        kind: 'resolve',
        slo,
        alertKind: kind,
        severity,
        rule: prev.rule,
        since: prev.since ?? nowMs,
        atMs: nowMs,
        notifiedReceivers: [...prev.notifiedReceivers],
        ...definedFacts(prev),
      });
    } else if (prev.state === 'firing') {
      states.push({ ...copy(prev), rule: rule ?? prev.rule });
    } else {
      states.push(copy(prev));
    }
  };

  for (const severity of SEVERITIES) {
    if (failed) {
      const key = alertKey(slo, 'burn-rate', severity);
      states.push(copy(previous.get(key) ?? inactiveState(slo, 'burn-rate', severity)));
    } else {
      step('burn-rate', severity, input.firing[severity], input.firingRules[severity]);
    }
  }

  const sourceKey = alertKey(slo, 'source-unavailable', SOURCE_UNAVAILABLE_SEVERITY);
  const sourceWasFiring = previous.get(sourceKey)?.state === 'firing';
  const sourceFires = failed && (sourceWasFiring || input.sourceFailures >= SOURCE_FAILURE_THRESHOLD);
  step('source-unavailable', SOURCE_UNAVAILABLE_SEVERITY, sourceFires, null);

  return { states, transitions };
}
