import { DynamicModule, Module, Type } from '@nestjs/common';
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
import { CycleModule, SchedulerModule } from './cycle/cycle.module';
import { PoliciesModule } from './policies/policies.module';
import { AlertingModule } from './alerting/alerting.module';
import { IncidentsModule } from './incidents/incidents.module';
import { MetricsModule } from './metrics/metrics.module';
import { SourcesModule } from './sources/sources.module';
import { HealthModule } from './health/health.module';
import { WebModule } from './web/web.module';
import { AdminModule } from './admin/admin.module';
import { loggerOptions } from './common/logger-options';

export interface AppOptions {
  config: ConfigHolder;
  clock?: Clock;
  /** false in tests that drive cycles themselves */
  scheduler?: boolean;
  /** modules added to the app as they are (the bench's trivial reference route); none in production */
  extraModules?: Array<Type | DynamicModule>;
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
        SourcesModule,
        SloModule,
        AlertingModule,
        PoliciesModule,
        IncidentsModule,
        CycleModule,
        MetricsModule,
        AdminModule,
        ...(scheduler ? [SchedulerModule] : []),
        HealthModule,
        WebModule,
        ...(options.extraModules ?? []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
