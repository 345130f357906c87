/**
 * SPEC §6, §13: who gets a postmortem reminder. It is routed like a ticket of its incident's
 * service, with kind `postmortem`: a route matches it on `kind: postmortem`, `severity: ticket`,
 * `service`, and `team` (the team of the service's SLOs, when they all name the same one); never on
 * `slo` or a label (a reminder has no SLO). Pure functions, no framework imports.
 */
import type { NotifierConfig, RouteConfig } from '../../config/app-config';
import { routeReceivers, type RoutableAlert } from './routing';

/** The SLO fields a reminder's team is read from (a `SloConfig` fits). */
export interface SloOfService {
  service: string;
  team?: string;
}

/** The team of `service`: the one its SLOs name when they all name the same; null when they differ, name none, or it has no SLO now. */
export function serviceTeam(slos: readonly SloOfService[], service: string): string | null {
  let team: string | null = null;
  for (const slo of slos) {
    if (slo.service !== service) continue;
    if (slo.team === undefined) return null;
    if (team !== null && team !== slo.team) return null;
    team = slo.team;
  }
  return team;
}

/** What routes see of a reminder of `service`. */
export function reminderRoutable(service: string, team: string | null): RoutableAlert {
  return { kind: 'postmortem', service, severity: 'ticket', labels: {}, ...(team !== null ? { team } : {}) };
}

/** The receivers of a reminder of `service`, once each, in the order first reached. */
export function reminderReceivers(
  service: string,
  team: string | null,
  routes: readonly RouteConfig[],
  notifiers: Readonly<Record<string, Pick<NotifierConfig, 'type'>>>,
): string[] {
  return routeReceivers(reminderRoutable(service, team), routes, notifiers).map((r) => r.receiver);
}
