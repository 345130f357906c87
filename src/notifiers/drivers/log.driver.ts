import { Logger } from '@nestjs/common';
import type { NotifierConfig } from '../../config/app-config';
import { isReminder, type OutboxMessage } from '../ports/notification-message';
import type { DeliveryResult, NotifierDriver } from './notifier-driver';
import { summaryLine } from './message-format';

export type LogNotifier = Extract<NotifierConfig, { type: 'log' }>;

/** Writes each notification (or postmortem reminder) as one structured log line (context `Notification`); always delivered. */
export class LogDriver implements NotifierDriver<LogNotifier> {
  private readonly logger = new Logger('Notification');

  send(message: OutboxMessage, notifier: LogNotifier): Promise<DeliveryResult> {
    if (isReminder(message)) {
      this.logger.log(
        {
          receiver: notifier.name,
          action: message.action,
          dedupKey: message.dedupKey,
          kind: message.alertKind,
          service: message.service,
          incident: message.incident.id,
          incidentUrl: message.incident.url,
          what: message.what,
          title: message.title,
          owner: message.owner,
          dueAt: message.dueAt,
        },
        summaryLine(message),
      );
      return Promise.resolve({ outcome: 'delivered' });
    }
    this.logger.log(
      {
        receiver: notifier.name,
        action: message.action,
        dedupKey: message.dedupKey,
        slo: message.slo,
        service: message.service,
        severity: message.severity,
        kind: message.alertKind,
        rule: message.rule,
        remaining: message.remaining,
        burnRates: message.burnRates,
        ...(message.incident ? { incident: message.incident.id } : {}),
        ...(message.resolution ? { lastedSeconds: message.resolution.lastedSeconds, budgetCost: message.resolution.budgetCost } : {}),
      },
      summaryLine(message),
    );
    return Promise.resolve({ outcome: 'delivered' });
  }
}
