/**
 * The incidents open now, by service (SPEC §13): the alerting step names the incident in a page's
 * notification (a page of a service with an open incident joins it; otherwise it opens one whose id
 * is `incidentIdOf(service, now)`). Declared here, implemented by the incidents room.
 */
export interface OpenIncidentsReader {
  /** service → id of its open incident; rejects when the state store cannot be read */
  openIncidentIds(): Promise<ReadonlyMap<string, string>>;
}

export const OPEN_INCIDENTS = Symbol('OPEN_INCIDENTS');
