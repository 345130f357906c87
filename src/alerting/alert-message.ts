import { randomUUID } from 'node:crypto';
import type { AppConfig, Severity, SloConfig } from '../config/app-config';
import type { NotificationIntent } from './domain/notification-plan';
import type { IncidentLink, NotificationMessage, PageResolution } from '../notifiers/ports/notification-message';
import type { SloEvaluationRecord } from '../slo/ports/evaluation.repository';
import { toBudgetObject } from '../slo/budget-view';
import { Delivery, laneOf } from '../notifiers/ports/outbox';
import type { AlertSloInfo } from './ports/alert-state.repository';

/** `page:14.4:1h:5m` (a `ruleKey`) back into its parts; null when it is not one. */
export function parseRuleKey(key: string | null): NotificationMessage['rule'] {
  if (key === null) return null;
  const [severity, burnRate, long, short] = key.split(':');
  if ((severity !== 'page' && severity !== 'ticket') || long === undefined || short === undefined) return null;
  return { severity: severity as Severity, burnRate: Number(burnRate), long, short };
}

/** Link to the SLO on the budget board. */
export function budgetUrl(config: AppConfig, slo: string): string {
  return `${config.server.externalUrl}/slos/${encodeURIComponent(slo)}`;
}

/** Link to an incident's page on the board (SPEC §13, the board's `/incidents/{id}`). */
export function incidentUrl(config: AppConfig, id: string): string {
  return `${config.server.externalUrl}/incidents/${encodeURIComponent(id)}`;
}

/** Whether the intent is about a page (a burn-rate alert of severity page): the only alerts with incidents. */
export function isPage(intent: Pick<NotificationIntent, 'alertKind' | 'severity'>): boolean {
  return intent.alertKind === 'burn-rate' && intent.severity === 'page';
}

/**
 * How long a page fired and what it cost the budget, said by its resolve: `since` to now, and the
 * budget remaining when it fired minus the budget remaining now (at least 0; null when either is
 * unknown). Errors leaving the window meanwhile make the cost smaller than what was spent; a
 * calendar period reset meanwhile is not counted (the incident's `budgetConsumed` is the exact figure).
 */
export function pageResolution(intent: Pick<NotificationIntent, 'since' | 'remainingAtFire'>, remainingNow: number | null, nowMs: number): PageResolution {
  const since = intent.since ?? nowMs;
  const atFire = intent.remainingAtFire ?? null;
  return {
    lastedSeconds: Math.max(0, Math.round((nowMs - since) / 1000)),
    budgetCost: atFire === null || remainingNow === null ? null : Math.max(0, atFire - remainingNow),
  };
}

/**
 * The message of a notification, as true at the evaluation that decided it: the SLO, the rule,
 * the burn rates, the budget left, its zone and forecast; for a page, its incident (`incidentId`,
 * null when unknown), and on its resolve how long it lasted and what it cost. `slo` may be a
 * removed SLO's last config.
 */
export function notificationMessage(
  intent: NotificationIntent,
  slo: SloConfig,
  record: SloEvaluationRecord | null,
  config: AppConfig,
  nowMs: number,
  incidentId: string | null = null,
): NotificationMessage {
  const budget = toBudgetObject(slo, record, config, nowMs);
  const numbers = record?.numbers ?? null;
  const page = isPage(intent);
  const message: NotificationMessage = {
    dedupKey: intent.dedupKey,
    action: intent.action,
    alertKind: intent.alertKind,
    severity: intent.severity,
    slo: slo.id,
    service: slo.service,
    team: slo.team ?? null,
    description: slo.description ?? null,
    objective: slo.objective,
    window: slo.window,
    rule: parseRuleKey(intent.rule),
    burnRates: numbers ? { ...numbers.burnRates } : null,
    remaining: numbers ? numbers.remaining : null,
    zone: budget.zone,
    exhaustsAt: budget.budget.exhaustsAt,
    since: new Date(intent.since ?? nowMs).toISOString(),
    at: new Date(nowMs).toISOString(),
    runbook: slo.runbook ?? null,
    budgetUrl: budgetUrl(config, slo.id),
    lastError: intent.alertKind === 'source-unavailable' ? (record?.lastError ?? null) : null,
  };
  if (page && incidentId !== null) message.incident = { id: incidentId, url: incidentUrl(config, incidentId) };
  if (page && intent.action === 'resolve') message.resolution = pageResolution(intent, numbers ? numbers.remaining : null, nowMs);
  return message;
}

/** What is stored with an SLO's alert states of its config, for a resolve after it left the config. */
export function aboutOf(slo: SloConfig): AlertSloInfo {
  return { service: slo.service, team: slo.team ?? null, objective: slo.objective, window: slo.window, runbook: slo.runbook ?? null };
}

/** Said of an SLO whose config is not known any more (its states were stored before `about` was kept). */
export const UNKNOWN = '(unknown)';

/**
 * The resolve of an alert of an SLO the config no longer has (SPEC §2: on a reload, or at start-up
 * when it left the config while the service was down). No evaluation decided it, so it carries no
 * numbers and no rule (the summary says "resolved", not "no longer burning"); the description says
 * why, and which rule had fired it. What is known of the SLO comes from `about`: its last config on
 * a reload, what was stored with its alert states otherwise (unknown for states stored before that
 * was kept: service and window `(unknown)`, objective 0). No budget link: the board no longer has it.
 * A page's resolve names its incident (`incident`, when known) and how long it lasted; not its cost.
 */
export function removedSloResolve(
  intent: NotificationIntent,
  about: AlertSloInfo | null,
  description: string | undefined,
  nowMs: number,
  incident: IncidentLink | null = null,
): NotificationMessage {
  const rule = parseRuleKey(intent.rule);
  const fired = rule ? ` It had fired on a burn rate ≥ ${rule.burnRate}× over ${rule.long} and ${rule.short}.` : '';
  const unknown = about ? '' : ' Its config is no longer known.';
  const was = description ? ` Its description was: ${description}` : '';
  const page = isPage(intent);
  const message: NotificationMessage = {
    dedupKey: intent.dedupKey,
    action: intent.action,
    alertKind: intent.alertKind,
    severity: intent.severity,
    slo: intent.slo,
    service: about?.service ?? UNKNOWN,
    team: about?.team ?? null,
    description: `SLO removed from the config: its alerts are resolved without a final evaluation.${fired}${unknown}${was}`,
    objective: about?.objective ?? 0,
    window: about?.window ?? UNKNOWN,
    rule: null,
    burnRates: null,
    remaining: null,
    zone: 'unknown',
    exhaustsAt: null,
    since: new Date(intent.since ?? nowMs).toISOString(),
    at: new Date(nowMs).toISOString(),
    runbook: about?.runbook ?? null,
    budgetUrl: '',
    lastError: null,
  };
  if (page && incident !== null) message.incident = incident;
  // no final evaluation: how long it lasted is known, what it cost is not
  if (page) message.resolution = pageResolution(intent, null, nowMs);
  return message;
}

/** An intent, recorded as a delivery to make (the outbox's unit). */
export function deliveryOf(intent: NotificationIntent, message: NotificationMessage, nowMs: number): Delivery {
  return {
    id: randomUUID(),
    lane: laneOf(intent.receiver, intent.key),
    receiver: intent.receiver,
    alertKey: intent.key,
    action: intent.action,
    message,
    createdAtMs: nowMs,
    attempts: 0,
    lastError: null,
  };
}
