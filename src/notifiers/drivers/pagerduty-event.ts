/**
 * SPEC §6: the PagerDuty Events API v2 body of a notification, and the Change Events API v2 body of
 * a change. Pure, no framework imports.
 */
import { isReminder, type NotificationMessage, type OutboxMessage, type PostmortemReminderMessage } from '../ports/notification-message';
import type { ChangeEvent } from '../ports/change-events';
import { truncate } from '../../common/truncate';
import { summaryLine } from './message-format';
import { jsonBytes, shrinkToFit, stringSlots, textSlot, type TextSlot } from './json-size';

export const PAGERDUTY_DEFAULT_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_EU_EVENTS_URL = 'https://events.eu.pagerduty.com/v2/enqueue';

/** PagerDuty refuses a longer `payload.summary`. */
export const PAGERDUTY_SUMMARY_MAX = 1024;
/**
 * PagerDuty refuses (400, a permanent failure) an event body over 512 KB; counted here as 512,000
 * bytes of UTF-8 JSON, the stricter reading of "KB".
 */
export const PAGERDUTY_BODY_MAX_BYTES = 512_000;
export const PAGERDUTY_SOURCE = 'slo-engine';

export interface PagerDutyLink {
  href: string;
  text: string;
}

/** The Events API v2 event, as far as slo-engine uses it. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload: {
    /** at most {@link PAGERDUTY_SUMMARY_MAX} characters */
    summary: string;
    source: string;
    severity: 'critical' | 'warning';
    /** ISO-8601 */
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  links: PagerDutyLink[];
  client?: string;
  client_url?: string;
}

/** What `custom_details` holds: the numbers of the evaluation, without the nulls. */
function customDetails(message: NotificationMessage): Record<string, unknown> {
  const { rule } = message;
  const details: Record<string, unknown> = {
    slo: message.slo,
    service: message.service,
    team: message.team,
    description: message.description,
    objective: message.objective,
    window: message.window,
    severity: message.severity,
    kind: message.alertKind,
    rule: rule && { burnRate: rule.burnRate, long: rule.long, short: rule.short },
    burnRates: message.burnRates,
    remaining: message.remaining,
    zone: message.zone,
    exhaustsAt: message.exhaustsAt,
    since: message.since,
    runbook: message.runbook,
    lastError: message.alertKind === 'source-unavailable' ? message.lastError : null,
    // a page's incident (SPEC §13), and on its resolve how long it lasted and what it cost
    incident: message.incident?.id,
    incidentUrl: message.incident?.url,
    lastedSeconds: message.resolution?.lastedSeconds,
    budgetCost: message.resolution?.budgetCost,
  };
  return withoutNulls(details);
}

function withoutNulls(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== null && value !== undefined));
}

function incidentLink(incident: { id: string; url: string }): PagerDutyLink {
  return { href: incident.url, text: `Incident ${incident.id}` };
}

function links(message: NotificationMessage): PagerDutyLink[] {
  const result: PagerDutyLink[] = [];
  if (message.runbook) result.push({ href: message.runbook, text: 'Runbook' });
  if (message.incident) result.push(incidentLink(message.incident));
  if (message.budgetUrl) result.push({ href: message.budgetUrl, text: `Error budget of ${message.slo}` });
  return result;
}

/**
 * The event for `message`: trigger and repeat are `trigger` (PagerDuty folds a repeat into the open
 * incident by `dedup_key`), resolve is `resolve`; page is `critical`, ticket is `warning`. A
 * postmortem reminder is a `warning` trigger that is never resolved ({@link reminderEvent}).
 */
export function pagerDutyEvent(message: OutboxMessage, routingKey: string): PagerDutyEvent {
  return fitPagerDutyEvent(isReminder(message) ? reminderEvent(message, routingKey) : fullPagerDutyEvent(message, routingKey));
}

/**
 * A postmortem reminder (SPEC §6, §13): a `trigger` of severity `warning` with its own `dedup_key`
 * (`slo-engine/postmortem/{key}`), naming the incident, what is overdue, its owner and due time, and
 * linking to the incident. No resolve ever follows: whoever handles it resolves it in PagerDuty.
 */
function reminderEvent(message: PostmortemReminderMessage, routingKey: string): PagerDutyEvent {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: message.dedupKey,
    payload: {
      summary: truncate(summaryLine(message), PAGERDUTY_SUMMARY_MAX),
      source: PAGERDUTY_SOURCE,
      severity: 'warning',
      timestamp: message.at,
      component: message.incident.id,
      group: message.service,
      class: message.alertKind,
      custom_details: withoutNulls({
        kind: message.alertKind,
        what: message.what,
        title: message.title,
        service: message.service,
        team: message.team,
        owner: message.owner,
        dueAt: message.dueAt,
        incident: message.incident.id,
        incidentUrl: message.incident.url,
      }),
    },
    links: [incidentLink(message.incident)],
    client: PAGERDUTY_SOURCE,
    client_url: message.incident.url,
  };
}

function fullPagerDutyEvent(message: NotificationMessage, routingKey: string): PagerDutyEvent {
  const event: PagerDutyEvent = {
    routing_key: routingKey,
    event_action: message.action === 'resolve' ? 'resolve' : 'trigger',
    dedup_key: message.dedupKey,
    payload: {
      summary: truncate(summaryLine(message), PAGERDUTY_SUMMARY_MAX),
      source: PAGERDUTY_SOURCE,
      severity: message.severity === 'page' ? 'critical' : 'warning',
      timestamp: message.at,
      component: message.slo,
      group: message.service,
      class: message.alertKind,
      custom_details: customDetails(message),
    },
    links: links(message),
    client: PAGERDUTY_SOURCE,
  };
  if (message.budgetUrl) event.client_url = message.budgetUrl;
  return event;
}

/** The PagerDuty Change Events API v2 body. */
export interface PagerDutyChangeEvent {
  routing_key: string;
  payload: {
    summary: string;
    timestamp: string;
    source: string;
    custom_details: Record<string, unknown>;
  };
}

/** `/v2/change/enqueue` on the host of the notifier's events URL (US by default; EU when set). */
export function changeEventsUrl(eventsUrl: string | undefined): string {
  return new URL('/v2/change/enqueue', eventsUrl ?? PAGERDUTY_DEFAULT_EVENTS_URL).toString();
}

export function pagerDutyChangeEvent(routingKey: string, event: ChangeEvent): PagerDutyChangeEvent {
  return fitPagerDutyChangeEvent({
    routing_key: routingKey,
    payload: {
      summary: truncate(event.summary, PAGERDUTY_SUMMARY_MAX),
      timestamp: event.timestamp,
      source: PAGERDUTY_SOURCE,
      custom_details: event.customDetails,
    },
  });
}

/** What `custom_details` says when even its texts cut to the floor do not fit (thousands of entries). */
const DETAILS_LEFT_OUT = { note: 'details left out: over PagerDuty’s 512 KB event limit' };

/** A URL is left out rather than cut (half a URL leads nowhere). */
function removable(bytes: () => number, remove: () => void): TextSlot {
  return { bytes, shrink: remove };
}

/**
 * SPEC §6 sizes: `event` as is when its body takes at most `maxBytes` (PagerDuty's 512 KB), else a
 * copy whose biggest free texts are cut with `…` until it does — custom details (description, last
 * error, service, team, runbook…), the group, the links' texts — and links or `client_url` too long
 * to be worth their room left out. The summary (already at most 1,024 characters), the routing key,
 * the action, the dedup key and the severity are never touched: a page is never refused for its size.
 */
export function fitPagerDutyEvent(event: PagerDutyEvent, maxBytes: number = PAGERDUTY_BODY_MAX_BYTES): PagerDutyEvent {
  if (jsonBytes(event) <= maxBytes) return event;
  const fitted = JSON.parse(JSON.stringify(event)) as typeof event; // the body as sent
  const slots = (): TextSlot[] => [
    ...stringSlots(fitted.payload.custom_details),
    ...(fitted.payload.group !== undefined ? [textSlot(fitted.payload, 'group')] : []),
    ...(fitted.payload.component !== undefined ? [textSlot(fitted.payload, 'component')] : []),
    ...fitted.links.map((link) => textSlot(link as unknown as Record<string, unknown>, 'text')),
    ...fitted.links.map((link) =>
      removable(
        () => jsonBytes(link),
        () => fitted.links.splice(fitted.links.indexOf(link), 1),
      ),
    ),
    ...(fitted.client_url !== undefined ? [removable(() => jsonBytes(fitted.client_url), () => delete fitted.client_url)] : []),
  ];
  if (!shrinkToFit(fitted, maxBytes, slots)) {
    fitted.payload.custom_details = { ...DETAILS_LEFT_OUT };
    fitted.links = [];
    delete fitted.client_url;
    shrinkToFit(fitted, maxBytes, slots);
  }
  return fitted;
}

/** {@link fitPagerDutyEvent} for a change event: its custom details are cut until it fits. */
export function fitPagerDutyChangeEvent(event: PagerDutyChangeEvent, maxBytes: number = PAGERDUTY_BODY_MAX_BYTES): PagerDutyChangeEvent {
  if (jsonBytes(event) <= maxBytes) return event;
  const fitted = JSON.parse(JSON.stringify(event)) as typeof event; // the body as sent
  if (!shrinkToFit(fitted, maxBytes, () => stringSlots(fitted.payload.custom_details))) fitted.payload.custom_details = { ...DETAILS_LEFT_OUT };
  return fitted;
}
