import { randomUUID } from 'node:crypto';
import type { AppConfig, Severity, SloConfig } from '../config/app-config';
import type { NotificationIntent } from './domain/notification-plan';
import type { NotificationMessage } from '../notifiers/ports/notification-message';
import type { SloEvaluationRecord } from '../slo/ports/evaluation.repository';
import { toBudgetObject } from '../slo/budget-view';
import { Delivery, laneOf } from '../notifiers/ports/outbox';

/** `page:14.4:1h:5m` (a `ruleKey`) back into its parts; null when it is not one. */
export function parseRuleKey(key: string | null): NotificationMessage['rule'] {
  if (key === null) return null;
  const [severity, burnRate, long, short] = key.split(':');
  if ((severity !== 'page' && severity !== 'ticket') || long === undefined || short === undefined) return null;
  return { severity: severity as Severity, burnRate: Number(burnRate), long, short };
}

/** Link to the SLO on the budget board. */
export function budgetUrl(config: AppConfig, slo: string): string {
  return `${config.server.externalUrl}/#slo=${encodeURIComponent(slo)}`;
}

/**
 * The message of a notification, as true at the evaluation that decided it: the SLO, the rule,
 * the burn rates, the budget left, its zone and forecast. `slo` may be a removed SLO's last config.
 */
export function notificationMessage(
  intent: NotificationIntent,
  slo: SloConfig,
  record: SloEvaluationRecord | null,
  config: AppConfig,
  nowMs: number,
): NotificationMessage {
  const budget = toBudgetObject(slo, record, config, nowMs);
  const numbers = record?.numbers ?? null;
  return {
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
