import { Module } from '@nestjs/common';
import { EventsController } from './events/events.controller';
import { IngestService } from './events/ingest.service';

/** Metrics sources: the embedded event store's ingest API (Prometheus comes next). */
@Module({
  controllers: [EventsController],
  providers: [IngestService],
})
export class SourcesModule {}
