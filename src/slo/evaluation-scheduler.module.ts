import { Module } from '@nestjs/common';
import { EvaluationScheduler } from './evaluation.scheduler';
import { SloModule } from './slo.module';

/** The interval that drives evaluation cycles; left out by tests that drive cycles themselves. */
@Module({ imports: [SloModule], providers: [EvaluationScheduler] })
export class EvaluationSchedulerModule {}
