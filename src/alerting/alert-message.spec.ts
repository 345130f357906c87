import { evaluatedRecord, loadYamlConfig, MINUTE, SECOND, T0 } from '../../test/service/support';
import { alertKey, dedupKey } from './domain/alert-state';
import type { NotificationIntent } from './domain/notification-plan';
import { incidentUrl, notificationMessage, pageResolution, removedSloResolve } from './alert-message';
import { reminderDeliveryOf, reminderMessage } from './reminder-message';
import { receiverOfLane } from '../notifiers/ports/outbox';

/**
 * What alerting puts in a notification about incidents (SPEC §13): a page names its incident and
 * links to it; its resolve says how long it lasted and what it cost the budget; a postmortem
 * reminder is a message of its own, in its incident's lane.
 */
const CONFIG = loadYamlConfig(`slos:
  - id: checkout-availability
    service: checkout
    team: payments
    objective: 99.9
    window: 30d
    sli: { source: events }
server:
  externalUrl: https://slo.example
`);
const SLO = CONFIG.slos[0];
const INCIDENT = 'inc-20261121-0123456789ab';
const HOUR_MS = 60 * MINUTE;

function intent(over: Partial<NotificationIntent> = {}): NotificationIntent {
  const severity = over.severity ?? 'page';
  const kind = over.alertKind ?? 'burn-rate';
  return {
    key: alertKey(SLO.id, kind, severity),
    dedupKey: dedupKey(SLO.id, kind, severity),
    receiver: 'pd',
    action: 'trigger',
    slo: SLO.id,
    alertKind: kind,
    severity,
    rule: severity === 'page' ? 'page:14.4:1h:5m' : 'ticket:6:6h:30m',
    since: T0,
    atMs: T0,
    ...over,
  };
}

const record = (atMs: number, remaining: number) => evaluatedRecord(SLO.id, atMs, { remaining });

describe('notificationMessage: the incident of a page', () => {
  it("names the page's incident and links to its board page; no resolution on a trigger", () => {
    const message = notificationMessage(intent({ incidentId: INCIDENT, remainingAtFire: 0.9 }), SLO, record(T0, 0.9), CONFIG, T0, INCIDENT);
    expect(message.incident).toEqual({ id: INCIDENT, url: `https://slo.example/incidents/${INCIDENT}` });
    expect(message).not.toHaveProperty('resolution');
  });

  it('names none when the incident is not known, and none on tickets and source-unavailable alerts', () => {
    expect(notificationMessage(intent(), SLO, record(T0, 0.9), CONFIG, T0, null)).not.toHaveProperty('incident');
    expect(notificationMessage(intent({ severity: 'ticket' }), SLO, record(T0, 0.9), CONFIG, T0, INCIDENT)).not.toHaveProperty('incident');
    expect(notificationMessage(intent({ alertKind: 'source-unavailable', severity: 'ticket', rule: null }), SLO, null, CONFIG, T0, INCIDENT)).not.toHaveProperty('incident');
  });

  it("on a page's resolve, says how long it lasted and what it cost: remaining at fire − remaining now", () => {
    const now = T0 + 42 * MINUTE + 10 * SECOND;
    const message = notificationMessage(intent({ action: 'resolve', incidentId: INCIDENT, remainingAtFire: 0.9 }), SLO, record(now, 0.869), CONFIG, now, INCIDENT);
    expect(message.incident?.id).toBe(INCIDENT);
    expect(message.resolution?.lastedSeconds).toBe(42 * 60 + 10);
    expect(message.resolution?.budgetCost).toBeCloseTo(0.031, 10);
  });

  it("leaves the cost unknown for a page that fired before it was kept, and never says it cost less than nothing", () => {
    const now = T0 + 10 * MINUTE;
    expect(notificationMessage(intent({ action: 'resolve' }), SLO, record(now, 0.5), CONFIG, now, INCIDENT).resolution).toEqual({ lastedSeconds: 600, budgetCost: null });
    expect(notificationMessage(intent({ action: 'resolve', remainingAtFire: null }), SLO, record(now, 0.5), CONFIG, now).resolution).toEqual({ lastedSeconds: 600, budgetCost: null });
    // errors left the window while it fired: the budget grew back
    expect(pageResolution({ since: T0, remainingAtFire: 0.5 }, 0.52, now)).toEqual({ lastedSeconds: 600, budgetCost: 0 });
  });

  it('says nothing of a resolution on a ticket resolve', () => {
    expect(notificationMessage(intent({ severity: 'ticket', action: 'resolve' }), SLO, record(T0, 0.9), CONFIG, T0 + MINUTE)).not.toHaveProperty('resolution');
  });

  it('escapes the id in the link', () => {
    expect(incidentUrl(CONFIG, 'inc a/b')).toBe('https://slo.example/incidents/inc%20a%2Fb');
  });
});

describe('removedSloResolve: the page of an SLO that left the config', () => {
  it('names the incident it was given and how long the page lasted, not what it cost (no final evaluation)', () => {
    const link = { id: INCIDENT, url: `https://slo.example/incidents/${INCIDENT}` };
    const message = removedSloResolve(intent({ action: 'resolve', remainingAtFire: 0.9 }), null, undefined, T0 + HOUR_MS, link);
    expect(message.incident).toEqual(link);
    expect(message.resolution).toEqual({ lastedSeconds: 3600, budgetCost: null });
    expect(removedSloResolve(intent({ severity: 'ticket', action: 'resolve' }), null, undefined, T0, link)).not.toHaveProperty('incident');
  });
});

describe('reminderMessage / reminderDeliveryOf', () => {
  const reminder = {
    key: `${INCIDENT}/action-items/2`,
    incidentId: INCIDENT,
    service: 'checkout',
    what: 'action-item' as const,
    title: 'Add a retry budget to the payment client',
    owner: 'alice',
    dueAt: '2026-11-30T00:00:00.000Z',
    url: `https://slo.example/incidents/${INCIDENT}`,
  };

  it('is a one-shot trigger routed as a ticket, with its own dedup key, naming the incident', () => {
    expect(reminderMessage(reminder, 'payments', T0)).toEqual({
      alertKind: 'postmortem',
      dedupKey: `slo-engine/postmortem/${INCIDENT}/action-items/2`,
      action: 'trigger',
      severity: 'ticket',
      service: 'checkout',
      team: 'payments',
      key: reminder.key,
      what: 'action-item',
      title: reminder.title,
      owner: 'alice',
      dueAt: reminder.dueAt,
      incident: { id: INCIDENT, url: reminder.url },
      at: new Date(T0).toISOString(),
    });
  });

  it("waits in its incident's lane, whose receiver is found again", () => {
    const delivery = reminderDeliveryOf('team/slack', reminderMessage(reminder, null, T0), T0);
    expect(delivery).toMatchObject({ receiver: 'team/slack', alertKey: `postmortem/${INCIDENT}`, lane: `team/slack/postmortem/${INCIDENT}`, action: 'trigger', attempts: 0, createdAtMs: T0 });
    expect(receiverOfLane(delivery.lane)).toBe('team/slack');
  });
});
