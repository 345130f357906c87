import { Global, Module } from '@nestjs/common';
import { NotifiersModule } from '../notifiers/notifiers.module';
import { FIRING_ALERTS } from '../slo/ports/firing-alerts';
import { REMINDERS } from '../notifiers/ports/reminders';
import { AlertQueryService } from './alert-query.service';
import { AlertingService } from './alerting.service';
import { AlertsController } from './alerts.controller';
import { PostmortemReminderService } from './postmortem-reminder.service';
import { SilencesModule } from './silences/silences.module';

/**
 * Decides: burn-rate and source-unavailable alerts (the alerting step of each cycle), who is told
 * (recorded into the notifiers' outbox), silences, `GET /v1/alerts`, and who gets the postmortem
 * reminders. Global only so that the budget read model (`slo`) gets `FIRING_ALERTS`, and the
 * incidents step `REMINDERS`, the ports they use, without importing alerting.
 */
@Global()
@Module({
  imports: [NotifiersModule, SilencesModule],
  controllers: [AlertsController],
  providers: [
    AlertingService,
    AlertQueryService,
    PostmortemReminderService,
    { provide: FIRING_ALERTS, useExisting: AlertQueryService },
    { provide: REMINDERS, useExisting: PostmortemReminderService },
  ],
  exports: [AlertingService, FIRING_ALERTS, REMINDERS],
})
export class AlertingModule {}
