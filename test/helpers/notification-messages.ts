import type { NotificationMessage, PostmortemReminderMessage } from '../../src/notifiers/ports/notification-message';

/** A page of checkout-availability burning at 15.2× over 1h with 2% of its budget left. */
export function burnRateMessage(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  return {
    dedupKey: 'slo-engine/checkout-availability/page',
    action: 'trigger',
    alertKind: 'burn-rate',
    severity: 'page',
    slo: 'checkout-availability',
    service: 'checkout',
    team: 'payments',
    description: 'Checkout requests succeed',
    objective: 99.9,
    window: '30d',
    rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
    burnRates: { '5m': 20.1, '30m': 16.25, '1h': 15.234, '2h': 9.8, '6h': 4.1, '1d': 2.2, '3d': 1.1 },
    remaining: 0.02,
    zone: 'freeze',
    exhaustsAt: '2026-11-21T14:30:00.000Z',
    since: '2026-11-21T10:00:00.000Z',
    at: '2026-11-21T10:00:00.000Z',
    runbook: 'https://wiki.example/runbooks/checkout',
    budgetUrl: 'https://slo.example/#/slos/checkout-availability',
    lastError: null,
    ...overrides,
  };
}

/** The source-unavailable ticket of checkout-availability (its Prometheus refused the connection). */
export function sourceUnavailableMessage(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  return burnRateMessage({
    dedupKey: 'slo-engine/checkout-availability/source',
    alertKind: 'source-unavailable',
    severity: 'ticket',
    rule: null,
    remaining: 0.41,
    zone: 'caution',
    exhaustsAt: null,
    since: '2026-11-21T10:01:30.000Z',
    at: '2026-11-21T10:01:30.000Z',
    lastError: 'prometheus: connect ECONNREFUSED 127.0.0.1:9090',
    ...overrides,
  });
}

/** The incident of the page of {@link burnRateMessage}, on the board. */
export const INCIDENT = { id: 'inc-20261121-0123456789ab', url: 'https://slo.example/incidents/inc-20261121-0123456789ab' };

/** The page of {@link burnRateMessage} naming its incident; with `resolved`, its resolve 42 minutes later, having cost 3.1% of the budget. */
export function pageWithIncident(options: { resolved?: boolean } = {}, overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  if (!options.resolved) return burnRateMessage({ incident: INCIDENT, ...overrides });
  return burnRateMessage({
    action: 'resolve',
    incident: INCIDENT,
    remaining: 0.869,
    burnRates: { '5m': 0.4, '1h': 3 },
    at: '2026-11-21T10:42:00.000Z',
    resolution: { lastedSeconds: 42 * 60, budgetCost: 0.031 },
    ...overrides,
  });
}

/** The overdue postmortem of {@link INCIDENT} (owner alice, due 48 h after it resolved). */
export function postmortemReminderMessage(overrides: Partial<PostmortemReminderMessage> = {}): PostmortemReminderMessage {
  return {
    alertKind: 'postmortem',
    dedupKey: `slo-engine/postmortem/${INCIDENT.id}/postmortem`,
    action: 'trigger',
    severity: 'ticket',
    service: 'checkout',
    team: 'payments',
    key: `${INCIDENT.id}/postmortem`,
    what: 'postmortem',
    title: `postmortem of incident ${INCIDENT.id}`,
    owner: 'alice',
    dueAt: '2026-11-23T10:42:00.000Z',
    incident: INCIDENT,
    at: '2026-11-23T10:42:10.000Z',
    ...overrides,
  };
}

/** An overdue action item of {@link INCIDENT}. */
export function actionItemReminderMessage(overrides: Partial<PostmortemReminderMessage> = {}): PostmortemReminderMessage {
  return postmortemReminderMessage({
    dedupKey: `slo-engine/postmortem/${INCIDENT.id}/action-items/0`,
    key: `${INCIDENT.id}/action-items/0`,
    what: 'action-item',
    title: 'Add a retry budget to the payment client',
    owner: 'bob',
    dueAt: '2026-11-30T00:00:00.000Z',
    ...overrides,
  });
}
