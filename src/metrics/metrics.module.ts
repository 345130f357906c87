import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { CycleModule } from '../cycle/cycle.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics` (SPEC §9); the registry itself is a process-wide singleton of CoreModule. */
@Module({ imports: [SloModule, CycleModule], controllers: [MetricsController], providers: [MetricsService] })
export class MetricsModule {}
