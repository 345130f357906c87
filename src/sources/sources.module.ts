import { Global, Module } from '@nestjs/common';
import { METRICS_SOURCES, MetricsSource } from '../slo/ports/metrics-source';
import { EventsController } from './events/events.controller';
import { EventsMetricsSource } from './events/events-metrics-source';
import { IngestService } from './events/ingest.service';
import { PrometheusMetricsSource } from './prometheus/prometheus-metrics-source';

/**
 * Metrics sources (SPEC §1): the embedded event store (with its ingest API) and Prometheus, each an
 * adapter of the evaluation's `MetricsSource` port, provided together as `METRICS_SOURCES`. A new
 * kind is one more adapter in this list (and its `sli.source` in the config schema).
 */
@Global()
@Module({
  controllers: [EventsController],
  providers: [
    IngestService,
    EventsMetricsSource,
    PrometheusMetricsSource,
    {
      provide: METRICS_SOURCES,
      inject: [EventsMetricsSource, PrometheusMetricsSource],
      useFactory: (...sources: MetricsSource[]): MetricsSource[] => sources,
    },
  ],
  exports: [METRICS_SOURCES],
})
export class SourcesModule {}
