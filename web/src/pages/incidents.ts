import { frame } from '../layout';

/** The incidents page (SPEC §9, §13): being written. */
export function incidentsPage(): void {
  frame('Incidents', 'incidents');
}

export function incidentPage(id: string): void {
  frame(`Incident ${id}`, 'incidents');
}
