import { Module } from '@nestjs/common';
import { AlertingModule } from '../alerting/alerting.module';
import { NotifiersModule } from '../notifiers/notifiers.module';
import { SloModule } from '../slo/slo.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { DeliveryLoop } from './delivery.loop';
import { EvaluationCycle } from './evaluation-cycle';
import { EvaluationScheduler } from './evaluation.scheduler';

/**
 * The evaluation cycle, composed at the app level from the rooms it runs (evaluation, alerting,
 * incidents, the heartbeat): `EvaluationCycle.runCycle` runs one; tests and the bench call it at chosen
 * instants.
 */
@Module({
  imports: [SloModule, AlertingModule, IncidentsModule, NotifiersModule],
  providers: [EvaluationCycle],
  exports: [EvaluationCycle],
})
export class CycleModule {}

/** The timers that drive evaluation cycles and notification delivery; left out by tests that drive them themselves. */
@Module({ imports: [CycleModule, NotifiersModule], providers: [EvaluationScheduler, DeliveryLoop] })
export class SchedulerModule {}
