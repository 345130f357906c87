import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Histogram, Registry } from 'prom-client';
import { CLOCK, Clock } from '../common/clock';
import { METRICS_REGISTRY } from '../common/metrics-registry';
import { ConfigHolder } from '../config/config-holder';
import type { IncidentRecord } from './domain/incident';
import { postmortemOverdue } from './domain/postmortem';
import { INCIDENT_REPOSITORY, IncidentRepository } from './ports/incident.repository';

/**
 * SPEC §9 incident metrics. The two histograms are observed once per resolved incident, by the
 * replica whose step resolved it; the gauges are read from the shared state at each scrape (every
 * configured service has its series, 0 when nothing is open or overdue).
 */
@Injectable()
export class IncidentMetrics {
  private readonly timeToDetect: Histogram;
  private readonly timeToResolve: Histogram;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(INCIDENT_REPOSITORY) repository: IncidentRepository,
    @Inject(CLOCK) clock: Clock,
    config: ConfigHolder,
  ) {
    const registers = [registry];
    this.timeToDetect = new Histogram({
      name: 'slo_incident_time_to_detect_seconds',
      help: 'Time from the start of the errors to the first page, per resolved incident (SPEC §13)',
      buckets: [30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 21_600, 86_400],
      registers,
    });
    this.timeToResolve = new Histogram({
      name: 'slo_incident_time_to_resolve_seconds',
      help: 'Time from the start of the errors to the resolve of the last page, per resolved incident (SPEC §13)',
      buckets: [300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400, 259_200, 604_800],
      registers,
    });
    const services = (): Set<string> => new Set(config.current.slos.map((slo) => slo.service));
    new Gauge({
      name: 'slo_incidents_open',
      help: 'Incidents open now, per service (SPEC §13)',
      labelNames: ['service'],
      registers,
      async collect() {
        const open = await repository.listOpen();
        this.reset();
        for (const service of services()) this.set({ service }, 0);
        for (const stored of open) if (stored.service !== null) this.inc({ service: stored.service });
      },
    });
    new Gauge({
      name: 'slo_postmortems_overdue',
      help: 'Required postmortems past their due time without a url, per service (SPEC §13)',
      labelNames: ['service'],
      registers,
      async collect() {
        const pending = await repository.listFollowUps();
        const nowMs = clock.now();
        this.reset();
        for (const service of services()) this.set({ service }, 0);
        for (const { incident } of pending) {
          if (incident && postmortemOverdue(incident.postmortem, nowMs)) this.inc({ service: incident.service });
        }
      },
    });
  }

  /** Once per incident, by the replica that resolved it. */
  resolved(incident: IncidentRecord): void {
    if (incident.timeToDetect !== null) this.timeToDetect.observe(incident.timeToDetect);
    if (incident.timeToResolve !== null) this.timeToResolve.observe(incident.timeToResolve);
  }
}
