/**
 * SPEC §4 and §6: who is told what after an evaluation of one SLO — triggers, reminders and
 * resolves per receiver, honouring silences and the page-inhibits-ticket rule. Pure functions, no
 * framework imports; the caller records the intents (outbox) and then stores the returned states.
 */
import type { NotifierConfig, RouteConfig, Severity } from '../../config/app-config';
import { alertKey, dedupKey, definedFacts, type AlertKey, type AlertKind, type AlertState, type Transition } from './alert-state';
import { routeReceivers } from './routing';
import type { NotificationAction } from '../../notifiers/ports/notification-message';

/** The SLO fields routes match on (a `SloConfig` fits). */
export interface SloRouting {
  id: string;
  service: string;
  team?: string;
  labels: Record<string, string>;
}

export interface NotificationPlanInput {
  slo: SloRouting;
  /** the SLO's alerts after this evaluation (`nextAlertStates(...).states`) */
  states: readonly AlertState[];
  /** this evaluation's transitions (`nextAlertStates(...).transitions`) */
  transitions: readonly Transition[];
  routes: readonly RouteConfig[];
  notifiers: Readonly<Record<string, Pick<NotifierConfig, 'type'>>>;
  /** alerts under an active silence now */
  silenced: ReadonlySet<AlertKey>;
  nowMs: number;
}

/**
 * The action of an intent (the message contract's `NotificationAction`):
 * - `trigger`: the receiver's first notification of the current firing — at the transition, or
 *   later when a silence or inhibition ends (or a route newly reaches it) while the alert still fires;
 * - `repeat`: a reminder while firing, due when `now − lastNotifiedAt[receiver] ≥ repeatIntervalMs`;
 * - `resolve`: sent to exactly the receivers told of the trigger.
 */
export type { NotificationAction };

export interface NotificationIntent {
  key: AlertKey;
  dedupKey: string;
  receiver: string;
  action: NotificationAction;
  slo: string;
  alertKind: AlertKind;
  severity: Severity;
  /** the rule firing the alert (for a resolve, the last one); null for source-unavailable */
  rule: string | null;
  /** when the firing started */
  since: number | null;
  atMs: number;
  /** a page's incident (SPEC §13), as its state keeps it */
  incidentId?: string;
  /** a page's budget remaining when it fired, as its state keeps it */
  remainingAtFire?: number | null;
}

export interface NotificationPlan {
  /** resolves first, then triggers and repeats, alert by alert in `states` order */
  intents: NotificationIntent[];
  /** `input.states` with `notifiedReceivers` / `lastNotifiedAt` updated by the intents */
  states: AlertState[];
}

/** Why a firing alert is not notified now: a silence, or (burn-rate ticket) a firing page of its SLO. */
export function suppression(
  state: AlertState,
  key: AlertKey,
  states: readonly AlertState[],
  silenced: ReadonlySet<AlertKey>,
): 'silenced' | 'inhibited' | null {
  if (silenced.has(key)) return 'silenced';
  const inhibited =
    state.kind === 'burn-rate' &&
    state.severity === 'ticket' &&
    states.some((s) => s.slo === state.slo && s.kind === 'burn-rate' && s.severity === 'page' && s.state === 'firing');
  return inhibited ? 'inhibited' : null;
}

/**
 * Plans one evaluation's notifications. A resolve goes to every receiver told of the trigger,
 * silence or inhibition notwithstanding, and to nobody else. A firing alert that is neither
 * silenced nor inhibited (a firing page inhibits the burn-rate ticket of its SLO; the
 * source-unavailable alert is never inhibited) triggers every routed receiver not yet told, and
 * reminds every told receiver whose repeat interval has elapsed; a suppressed alert notifies
 * nobody, and is triggered at the first plan after the suppression ends.
 */
export function planNotifications(input: NotificationPlanInput): NotificationPlan {
  const { slo, nowMs } = input;
  const intents: NotificationIntent[] = [];
  const intent = (
    t: Pick<NotificationIntent, 'key' | 'alertKind' | 'severity' | 'rule' | 'since' | 'incidentId' | 'remainingAtFire'>,
    receiver: string,
    action: NotificationAction,
  ): NotificationIntent => ({
    key: t.key,
    alertKind: t.alertKind,
    severity: t.severity,
    rule: t.rule,
    since: t.since,
    ...definedFacts(t),
    dedupKey: dedupKey(slo.id, t.alertKind, t.severity),
    receiver,
    action,
    slo: slo.id,
    atMs: nowMs,
  });

  for (const t of input.transitions) {
    if (t.kind !== 'resolve') continue;
    for (const receiver of t.notifiedReceivers) intents.push(intent(t, receiver, 'resolve'));
  }

  const states = input.states.map((state): AlertState => {
    const key = alertKey(state.slo, state.kind, state.severity);
    if (state.state !== 'firing' || suppression(state, key, input.states, input.silenced) !== null) {
      return state;
    }
    const told = [...state.notifiedReceivers];
    const lastNotifiedAt = { ...state.lastNotifiedAt };
    const alert = { key, alertKind: state.kind, severity: state.severity, rule: state.rule, since: state.since, ...definedFacts(state) };
    const routed = routeReceivers(
      { kind: state.kind, slo: slo.id, service: slo.service, team: slo.team, severity: state.severity, labels: slo.labels },
      input.routes,
      input.notifiers,
    );
    for (const { receiver, repeatIntervalMs } of routed) {
      if (!told.includes(receiver)) {
        intents.push(intent(alert, receiver, 'trigger'));
        told.push(receiver);
        lastNotifiedAt[receiver] = nowMs;
      } else if (repeatIntervalMs !== null && nowMs - (lastNotifiedAt[receiver] ?? -Infinity) >= repeatIntervalMs) {
        intents.push(intent(alert, receiver, 'repeat'));
        lastNotifiedAt[receiver] = nowMs;
      }
    }
    return { ...state, notifiedReceivers: told, lastNotifiedAt };
  });

  return { intents, states };
}
