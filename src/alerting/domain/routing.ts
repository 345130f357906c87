/**
 * SPEC §3 `routes`: which receivers an alert (or a postmortem reminder) reaches, and how often they
 * are reminded while it fires. Pure functions, no framework imports.
 */
import type { NotifierConfig, RouteConfig, Severity } from '../../config/app-config';
import type { NotificationKind } from '../../notifiers/ports/notification-message';

export type NotifierType = NotifierConfig['type'];

/**
 * What routes match on: the notification's kind (`burn-rate`, `source-unavailable`, `postmortem`),
 * the SLO's fields, the severity and the SLO's labels. A postmortem reminder is routed like a
 * ticket of its incident's service: it has no SLO and no labels (a route matching `slo` or a label
 * never reaches it), its severity is `ticket`, and its team is the one its service's SLOs name.
 */
export interface RoutableAlert {
  kind: NotificationKind;
  /** absent for a postmortem reminder */
  slo?: string;
  service: string;
  team?: string;
  severity: Severity;
  /** never uses a reserved key (kind, slo, service, team, severity): the config refuses those */
  labels: Record<string, string>;
}

export interface RoutedReceiver {
  receiver: string;
  /** re-notify while firing at this interval; null: never */
  repeatIntervalMs: number | null;
}

const HOUR_MS = 3_600_000;

/** SPEC §3: a route without `repeatInterval` re-notifies never (pagerduty) or every 4h (slack, log). */
export function defaultRepeatIntervalMs(type: NotifierType): number | null {
  switch (type) {
    case 'pagerduty':
      return null;
    case 'slack':
    case 'log':
      return 4 * HOUR_MS;
  }
}

function field(alert: RoutableAlert, key: string): string | undefined {
  switch (key) {
    case 'kind':
      return alert.kind;
    case 'slo':
      return alert.slo;
    case 'service':
      return alert.service;
    case 'team':
      return alert.team;
    case 'severity':
      return alert.severity;
    default:
      return Object.prototype.hasOwnProperty.call(alert.labels, key) ? alert.labels[key] : undefined;
  }
}

/** Every `match` entry equals the alert's field of that name (exact strings); `{}` matches all. */
export function routeMatches(alert: RoutableAlert, route: Pick<RouteConfig, 'match'>): boolean {
  return Object.entries(route.match).every(([key, value]) => field(alert, key) === value);
}

/** The more frequent of two intervals, null meaning never. */
function shorter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * The receivers of every matching route, once each, in the order first reached. A route's
 * `repeatIntervalMs` applies to its receivers; without one, the receiver's type default
 * ({@link defaultRepeatIntervalMs}; null for a name missing from `notifiers`). A receiver reached
 * by several routes keeps the shortest interval.
 */
export function routeReceivers(
  alert: RoutableAlert,
  routes: readonly RouteConfig[],
  notifiers: Readonly<Record<string, Pick<NotifierConfig, 'type'>>>,
): RoutedReceiver[] {
  const byReceiver = new Map<string, number | null>();
  for (const route of routes) {
    if (!routeMatches(alert, route)) continue;
    for (const receiver of route.notify) {
      const notifier = Object.prototype.hasOwnProperty.call(notifiers, receiver) ? notifiers[receiver] : undefined;
      const interval = route.repeatIntervalMs ?? (notifier ? defaultRepeatIntervalMs(notifier.type) : null);
      byReceiver.set(receiver, byReceiver.has(receiver) ? shorter(byReceiver.get(receiver) ?? null, interval) : interval);
    }
  }
  return [...byReceiver].map(([receiver, repeatIntervalMs]) => ({ receiver, repeatIntervalMs }));
}
