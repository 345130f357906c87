import type { Logger } from '@nestjs/common';
import { incidentIdOf } from '../common/incident-id';
import type { PageFacts } from './domain/alert-state';
import type { NotificationIntent } from './domain/notification-plan';
import type { SloEvaluationRecord } from '../slo/ports/evaluation.repository';
import { isPage } from './alert-message';
import type { OpenIncidentsReader } from './ports/open-incidents';

/**
 * The incidents open at the start of an alerting step, by service (SPEC §13). `known` is false
 * when they could not be read: a page firing then names no incident rather than a guessed one.
 */
export interface OpenIncidents {
  known: boolean;
  ids: ReadonlyMap<string, string>;
}

export const NO_OPEN_INCIDENTS: OpenIncidents = { known: true, ids: new Map() };

/** Reads the open incidents for an alerting step; a failed read is logged once per outage. */
export class OpenIncidentsLookup {
  /** the open incidents could not be read at the last try */
  private unreadable = false;

  constructor(
    private readonly incidents: OpenIncidentsReader | null,
    private readonly logger: Logger,
  ) {}

  /**
   * The incidents open now, by service; none when no incidents room is wired. A failed read is
   * logged (once until reads work again) and answered as unknown: alerting goes on without them.
   */
  async read(): Promise<OpenIncidents> {
    if (!this.incidents) return NO_OPEN_INCIDENTS;
    try {
      const ids = await this.incidents.openIncidentIds();
      if (this.unreadable) this.logger.log('open incidents readable again: pages name their incident');
      this.unreadable = false;
      return { known: true, ids };
    } catch (error) {
      if (!this.unreadable) this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cannot read the open incidents: pages firing meanwhile name no incident');
      this.unreadable = true;
      return { known: false, ids: new Map() };
    }
  }
}

/**
 * What a page firing now keeps (SPEC §13): the service's open incident, else the one it opens
 * (`incidentIdOf(service, now)`: every replica, and the incidents step, derive the same); none when
 * the open incidents could not be read. And the budget remaining at this evaluation.
 */
export function firingPageFacts(service: string, record: SloEvaluationRecord, open: OpenIncidents, nowMs: number): PageFacts {
  const incidentId = open.ids.get(service) ?? (open.known ? incidentIdOf(service, nowMs) : undefined);
  const remainingAtFire = record.numbers ? record.numbers.remaining : null;
  return incidentId === undefined ? { remainingAtFire } : { incidentId, remainingAtFire };
}

/** The incident a page's notification names: the one its state keeps, else its service's open one; null for other alerts. */
export function incidentOf(intent: NotificationIntent, service: string, open: OpenIncidents): string | null {
  if (!isPage(intent)) return null;
  return intent.incidentId ?? open.ids.get(service) ?? null;
}

