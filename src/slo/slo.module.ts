import { Module } from '@nestjs/common';
import { EvaluationService } from './evaluation.service';
import { SloQueryService } from './slo-query.service';
import { SloHistoryService } from './slo-history.service';
import { BurndownService } from './burndown.service';
import { SlosController } from './slos.controller';
import { BurndownController } from './burndown.controller';

/** SLO evaluation and the budget read API (budgets, history, burn-down). */
@Module({
  controllers: [SlosController, BurndownController],
  providers: [EvaluationService, SloQueryService, SloHistoryService, BurndownService],
  exports: [EvaluationService, SloQueryService],
})
export class SloModule {}
