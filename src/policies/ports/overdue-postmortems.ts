/**
 * The overdue postmortems of a service (SPEC §7, §13), for the deploy gate's rule under
 * `policy.postmortems.gate: true`. Declared here, implemented by the incidents room (which the
 * policies never import).
 */
import type { OverduePostmortem } from '../domain/gate-policy';

export type { OverduePostmortem };

export interface OverduePostmortemsReader {
  /** the service's required postmortems past their due time without a url; rejects when the state cannot be read */
  overdueOf(service: string, nowMs: number): Promise<OverduePostmortem[]>;
}

export const OVERDUE_POSTMORTEMS = Symbol('OVERDUE_POSTMORTEMS');
