/**
 * What an allowed deploy and an override say on the PagerDuty timeline (SPEC §6 change events).
 * Pure: the notifiers send them (`CHANGE_EVENTS`).
 */
import { truncate } from '../common/truncate';
import type { ChangeEvent } from '../notifiers/ports/change-events';
import type { DecisionRecord, Override } from './ports/policy-state.repository';

const SUMMARY_MAX = 1024;

export function deployChangeEvent(decision: DecisionRecord): ChangeEvent {
  const what = `${decision.service} ${decision.version ?? ''}`.trim();
  return {
    summary: truncate(`Deploy of ${what} (${decision.changeType}) allowed by the deploy gate`, SUMMARY_MAX),
    timestamp: decision.at,
    customDetails: {
      service: decision.service,
      version: decision.version,
      changeType: decision.changeType,
      environment: decision.environment,
      requestedBy: decision.requestedBy,
      zone: decision.zone,
      decisionId: decision.decisionId,
      reasons: decision.reasons,
    },
  };
}

export function overrideChangeEvent(override: Override): ChangeEvent {
  return {
    summary: truncate(`Error-budget override for ${override.service} until ${override.expiresAt}: ${override.reason}`, SUMMARY_MAX),
    timestamp: override.createdAt,
    customDetails: {
      service: override.service,
      overrideId: override.id,
      reason: override.reason,
      approvedBy: override.approvedBy,
      expiresAt: override.expiresAt,
      createdBy: override.createdBy,
    },
  };
}
