import { Module } from '@nestjs/common';
import { NotifiersModule } from '../notifiers/notifiers.module';
import { SloModule } from '../slo/slo.module';
import { AlertQueryService } from './alert-query.service';
import { AlertingService } from './alerting.service';
import { AlertsController } from './alerts.controller';
import { SilencesModule } from './silences/silences.module';

/** Burn-rate and source-unavailable alerts: the alerting step of each cycle and `GET /v1/alerts`. */
@Module({
  imports: [SloModule, NotifiersModule, SilencesModule],
  controllers: [AlertsController],
  providers: [AlertingService, AlertQueryService],
})
export class AlertsModule {}
