import { Global, Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { OPEN_INCIDENTS } from '../alerting/ports/open-incidents';
import { OVERDUE_POSTMORTEMS } from '../policies/ports/overdue-postmortems';
import { IncidentMetrics } from './incident-metrics';
import { IncidentNumbers } from './incident-numbers';
import { IncidentQueryService } from './incident-query.service';
import { IncidentsController, ReliabilityController } from './incidents.controller';
import { IncidentsService } from './incidents.service';

/**
 * Incidents and postmortems (SPEC §13): the cycle's incidents step, the incident endpoints and the
 * reliability summary, the incident metrics. Global only so that the rooms below get the ports
 * they declare without importing incidents: the alerting step `OPEN_INCIDENTS`, the deploy gate
 * `OVERDUE_POSTMORTEMS`. State comes from the global StoreModule (INCIDENT_REPOSITORY,
 * ALERT_STATE_REPOSITORY, ADMIN_AUDIT), the reminders from alerting's `REMINDERS` when provided.
 */
@Global()
@Module({
  imports: [SloModule],
  controllers: [IncidentsController, ReliabilityController],
  providers: [
    IncidentsService,
    IncidentQueryService,
    IncidentNumbers,
    IncidentMetrics,
    { provide: OPEN_INCIDENTS, useExisting: IncidentQueryService },
    { provide: OVERDUE_POSTMORTEMS, useExisting: IncidentQueryService },
  ],
  exports: [IncidentsService, IncidentQueryService, OPEN_INCIDENTS, OVERDUE_POSTMORTEMS],
})
export class IncidentsModule {}
