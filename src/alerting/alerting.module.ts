import { Global, Module } from '@nestjs/common';
import { NotifiersModule } from '../notifiers/notifiers.module';
import { FIRING_ALERTS } from '../slo/ports/firing-alerts';
import { AlertQueryService } from './alert-query.service';
import { AlertingService } from './alerting.service';
import { AlertsController } from './alerts.controller';
import { SilencesModule } from './silences/silences.module';

/**
 * Decides: burn-rate and source-unavailable alerts (the alerting step of each cycle), who is told
 * (recorded into the notifiers' outbox), silences, and `GET /v1/alerts`. Global only so that the
 * budget read model (`slo`) gets `FIRING_ALERTS`, the port it declares, without importing alerting.
 */
@Global()
@Module({
  imports: [NotifiersModule, SilencesModule],
  controllers: [AlertsController],
  providers: [AlertingService, AlertQueryService, { provide: FIRING_ALERTS, useExisting: AlertQueryService }],
  exports: [AlertingService, FIRING_ALERTS],
})
export class AlertingModule {}
