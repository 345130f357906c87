import { Module } from '@nestjs/common';
import { DeliveryLoop, NotifiersModule } from '../notifiers/notifiers.module';
import { EvaluationScheduler } from './evaluation.scheduler';
import { SloModule } from './slo.module';

/** The timers that drive evaluation cycles and notification delivery; left out by tests that drive them themselves. */
@Module({ imports: [SloModule, NotifiersModule], providers: [EvaluationScheduler, DeliveryLoop] })
export class EvaluationSchedulerModule {}
