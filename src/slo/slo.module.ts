import { DynamicModule, Module } from '@nestjs/common';
import { EvaluationService } from './evaluation.service';
import { EvaluationScheduler } from './evaluation.scheduler';
import { SloQueryService } from './slo-query.service';
import { SlosController } from './slos.controller';
import { ServicesController } from './services.controller';

/** SLO evaluation (scheduled) and the budget read API. */
@Module({})
export class SloModule {
  static forRoot(options: { scheduler: boolean }): DynamicModule {
    return {
      module: SloModule,
      controllers: [SlosController, ServicesController],
      providers: [
        EvaluationService,
        SloQueryService,
        ...(options.scheduler ? [EvaluationScheduler] : []),
      ],
      exports: [EvaluationService, SloQueryService],
    };
  }
}
