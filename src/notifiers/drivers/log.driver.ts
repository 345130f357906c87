import { Logger } from '@nestjs/common';
import type { NotifierConfig } from '../../config/app-config';
import type { NotificationMessage } from '../ports/notification-message';
import type { DeliveryResult, NotifierDriver } from './notifier-driver';
import { summaryLine } from './message-format';

export type LogNotifier = Extract<NotifierConfig, { type: 'log' }>;

/** Writes each notification as one structured log line (context `Notification`); always delivered. */
export class LogDriver implements NotifierDriver<LogNotifier> {
  private readonly logger = new Logger('Notification');

  send(message: NotificationMessage, notifier: LogNotifier): Promise<DeliveryResult> {
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
      },
      summaryLine(message),
    );
    return Promise.resolve({ outcome: 'delivered' });
  }
}
