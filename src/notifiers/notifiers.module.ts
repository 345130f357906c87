import { Module } from '@nestjs/common';
import { DeliveryWorker } from './delivery/delivery.worker';
import { HeartbeatService } from './delivery/heartbeat.service';
import { NotificationCounters } from './delivery/notification-counters';
import { NotifierDrivers } from './drivers/notifier-drivers';
import { PagerDutyChangeEvents } from './drivers/pagerduty-change-events';
import { CHANGE_EVENTS } from './ports/change-events';
import { DELIVERY_TRIGGER } from './ports/delivery-trigger';

/**
 * Delivers: sends what the outbox holds to PagerDuty, Slack and the log (the delivery worker and
 * the drivers), pings the heartbeat, sends change events. Knows nothing of alert rules: alerting
 * records into the outbox (a store port) and nudges delivery through `DELIVERY_TRIGGER`.
 */
@Module({
  providers: [
    NotifierDrivers,
    DeliveryWorker,
    NotificationCounters,
    HeartbeatService,
    PagerDutyChangeEvents,
    { provide: DELIVERY_TRIGGER, useExisting: DeliveryWorker },
    { provide: CHANGE_EVENTS, useExisting: PagerDutyChangeEvents },
  ],
  exports: [DeliveryWorker, NotificationCounters, HeartbeatService, DELIVERY_TRIGGER, CHANGE_EVENTS],
})
export class NotifiersModule {}
