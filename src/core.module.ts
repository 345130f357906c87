import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigHolder } from './config/config-holder';
import { CLOCK, Clock } from './common/clock';
import { Readiness } from './cycle/readiness';
import { createMetricsRegistry, METRICS_REGISTRY } from './common/metrics-registry';

/** Process-wide singletons: the config in force, the clock, readiness flags, the metrics registry. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ConfigHolder, clock: Clock): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: ConfigHolder, useValue: config },
        { provide: CLOCK, useValue: clock },
        Readiness,
        { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
      ],
      exports: [ConfigHolder, CLOCK, Readiness, METRICS_REGISTRY],
    };
  }
}
