import { Module } from '@nestjs/common';
import { EvaluationService } from './evaluation.service';
import { SloQueryService } from './slo-query.service';
import { SlosController } from './slos.controller';

/** SLO evaluation and the budget read API. */
@Module({
  controllers: [SlosController],
  providers: [EvaluationService, SloQueryService],
  exports: [EvaluationService, SloQueryService],
})
export class SloModule {}
