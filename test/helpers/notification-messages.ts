import type { NotificationMessage } from '../../src/notifiers/ports/notification-message';

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
