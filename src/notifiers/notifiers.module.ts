import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { DeliveryWorker } from './delivery.worker';
import { NotifierDrivers } from './drivers/notifier-drivers';
import { HeartbeatService } from './heartbeat.service';
import { NotificationCounters } from './notification-counters';

/** Delivery of recorded notifications to PagerDuty, Slack and the log; the heartbeat. */
@Module({
  imports: [SloModule],
  providers: [NotifierDrivers, DeliveryWorker, NotificationCounters, HeartbeatService],
  exports: [DeliveryWorker, NotificationCounters, HeartbeatService],
})
export class NotifiersModule {}

/** Starts the delivery loop; part of the scheduler, so tests that drive time themselves leave it out. */
@Injectable()
export class DeliveryLoop implements OnApplicationBootstrap {
  constructor(private readonly worker: DeliveryWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }
}
