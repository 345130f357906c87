import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { ConfigHolder } from './config/config-holder';
import { Clock, systemClock } from './common/clock';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { AuthGuard } from './auth/auth.guard';
import { CoreModule } from './core.module';
import { StoreModule } from './store/store.module';
import { SloModule } from './slo/slo.module';
import { EvaluationSchedulerModule } from './slo/evaluation-scheduler.module';
import { PoliciesModule } from './policies/policies.module';
import { SilencesModule } from './alerts/silences/silences.module';
import { AlertsModule } from './alerts/alerts.module';
import { MetricsModule } from './metrics/metrics.module';
import { SourcesModule } from './sources/sources.module';
import { HealthModule } from './health/health.module';
import { WebModule } from './web/web.module';
import { loggerOptions } from './common/logger-options';

export interface AppOptions {
  config: ConfigHolder;
  clock?: Clock;
  /** false in tests that drive cycles themselves */
  scheduler?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    const scheduler = options.scheduler ?? true;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(options.config.current.server.logLevel)),
        CoreModule.forRoot(options.config, options.clock ?? systemClock),
        ScheduleModule.forRoot(),
        StoreModule.forRoot(),
        SloModule,
        PoliciesModule,
        SilencesModule,
        AlertsModule,
        MetricsModule,
        ...(scheduler ? [EvaluationSchedulerModule] : []),
        SourcesModule,
        HealthModule,
        WebModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
