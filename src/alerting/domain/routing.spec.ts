import type { NotifierConfig, RouteConfig } from '../../config/app-config';
import { defaultRepeatIntervalMs, routeMatches, routeReceivers, type RoutableAlert } from './routing';
import { reminderReceivers, reminderRoutable, serviceTeam } from './reminder-routing';

const HOUR = 3_600_000;

const ALERT: RoutableAlert = {
  kind: 'burn-rate',
  slo: 'checkout-availability',
  service: 'checkout',
  team: 'payments',
  severity: 'page',
  labels: { tier: '1', region: 'eu' },
};

const NOTIFIERS: Record<string, Pick<NotifierConfig, 'type'>> = {
  pd: { type: 'pagerduty' },
  slack: { type: 'slack' },
  log: { type: 'log' },
};

const route = (match: Record<string, string>, notify: string[], repeatIntervalMs?: number): RouteConfig =>
  repeatIntervalMs === undefined ? { match, notify } : { match, notify, repeatIntervalMs };

describe('defaultRepeatIntervalMs', () => {
  it.each([
    ['pagerduty', null],
    ['slack', 4 * HOUR],
    ['log', 4 * HOUR],
  ] as const)('%s → %s', (type, expected) => {
    expect(defaultRepeatIntervalMs(type)).toBe(expected);
  });
});

describe('routeMatches', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['empty match', {}, true],
    ['slo', { slo: 'checkout-availability' }, true],
    ['slo, other', { slo: 'search-latency' }, false],
    ['service', { service: 'checkout' }, true],
    ['service, other', { service: 'search' }, false],
    ['team', { team: 'payments' }, true],
    ['team, other', { team: 'search' }, false],
    ['severity', { severity: 'page' }, true],
    ['severity, other', { severity: 'ticket' }, false],
    ['label', { tier: '1' }, true],
    ['label, other value', { tier: '2' }, false],
    ['label the SLO lacks', { env: 'prod' }, false],
    ['exact strings only', { service: 'Checkout' }, false],
    ['no prefix matching', { service: 'check' }, false],
    ['all match', { service: 'checkout', severity: 'page', tier: '1', region: 'eu' }, true],
    ['one of several differs', { service: 'checkout', severity: 'ticket', tier: '1' }, false],
    ['inherited property name', { constructor: 'x' }, false],
  ])('%s: %j → %s', (_name, match, expected) => {
    expect(routeMatches(ALERT, { match })).toBe(expected);
  });

  it('does not match team on an SLO without a team', () => {
    const { team: _team, ...noTeam } = ALERT;
    expect(routeMatches(noTeam, { match: { team: 'payments' } })).toBe(false);
  });
});

describe('routeReceivers', () => {
  it('collects the receivers of every matching route, in order, once each', () => {
    const routes = [
      route({ severity: 'page' }, ['pd', 'slack']),
      route({ severity: 'ticket' }, ['log']),
      route({ team: 'payments' }, ['slack', 'log']),
    ];
    expect(routeReceivers(ALERT, routes, NOTIFIERS).map((r) => r.receiver)).toEqual(['pd', 'slack', 'log']);
  });

  it('returns nothing when no route matches', () => {
    expect(routeReceivers(ALERT, [route({ severity: 'ticket' }, ['slack'])], NOTIFIERS)).toEqual([]);
  });

  it("uses the route's repeat interval, else the receiver type's default", () => {
    const routes = [route({ severity: 'page' }, ['pd', 'slack']), route({ tier: '1' }, ['log'], 24 * HOUR)];
    expect(routeReceivers(ALERT, routes, NOTIFIERS)).toEqual([
      { receiver: 'pd', repeatIntervalMs: null },
      { receiver: 'slack', repeatIntervalMs: 4 * HOUR },
      { receiver: 'log', repeatIntervalMs: 24 * HOUR },
    ]);
  });

  it.each<[string, RouteConfig[], number | null]>([
    ['two explicit intervals', [route({}, ['slack'], 24 * HOUR), route({}, ['slack'], HOUR)], HOUR],
    ['explicit longer than the default', [route({}, ['slack'], 24 * HOUR), route({}, ['slack'])], 4 * HOUR],
    ['pagerduty: an explicit interval beats never', [route({}, ['pd']), route({}, ['pd'], 2 * HOUR)], 2 * HOUR],
    ['pagerduty twice without one', [route({}, ['pd']), route({}, ['pd'])], null],
  ])('a receiver reached twice keeps the shortest interval: %s', (_name, routes, expected) => {
    const routed = routeReceivers(ALERT, routes, NOTIFIERS);
    expect(routed).toHaveLength(1);
    expect(routed[0].repeatIntervalMs).toBe(expected);
  });

  it('gives a receiver missing from the notifiers no default repeat', () => {
    expect(routeReceivers(ALERT, [route({}, ['ghost'])], NOTIFIERS)).toEqual([{ receiver: 'ghost', repeatIntervalMs: null }]);
  });
});

describe('routing by kind (SPEC §6: a route may match {kind: postmortem})', () => {
  const SOURCE: RoutableAlert = { ...ALERT, kind: 'source-unavailable', severity: 'ticket' };
  const TICKET: RoutableAlert = { ...ALERT, severity: 'ticket' };
  const REMINDER = reminderRoutable('checkout', 'payments');

  it.each<[string, Record<string, string>, [page: boolean, ticket: boolean, source: boolean, reminder: boolean]]>([
    ['kind burn-rate', { kind: 'burn-rate' }, [true, true, false, false]],
    ['kind source-unavailable', { kind: 'source-unavailable' }, [false, false, true, false]],
    ['kind postmortem', { kind: 'postmortem' }, [false, false, false, true]],
    ['severity ticket: reminders are routed like tickets', { severity: 'ticket' }, [false, true, true, true]],
    ['severity page', { severity: 'page' }, [true, false, false, false]],
    ['service', { service: 'checkout' }, [true, true, true, true]],
    ['team', { team: 'payments' }, [true, true, true, true]],
    ['tickets of a team', { severity: 'ticket', team: 'payments' }, [false, true, true, true]],
    ['slo: reminders have none', { slo: 'checkout-availability' }, [true, true, true, false]],
    ['a label: reminders have none', { tier: '1' }, [true, true, true, false]],
    ['kind and severity', { kind: 'postmortem', severity: 'ticket' }, [false, false, false, true]],
    ['kind postmortem of another service', { kind: 'postmortem', service: 'search' }, [false, false, false, false]],
    ['empty match', {}, [true, true, true, true]],
  ])('%s: %j', (_name, match, expected) => {
    expect([ALERT, TICKET, SOURCE, REMINDER].map((alert) => routeMatches(alert, { match }))).toEqual(expected);
  });

  it('a reminder reaches each receiver once, in the order first reached', () => {
    const routes = [route({ kind: 'postmortem' }, ['pd', 'slack']), route({ severity: 'ticket' }, ['slack', 'log']), route({ severity: 'page' }, ['pd']), route({ slo: 'x' }, ['log'])];
    expect(reminderReceivers('checkout', null, routes, NOTIFIERS)).toEqual(['pd', 'slack', 'log']);
    expect(reminderReceivers('checkout', null, [route({ severity: 'page' }, ['pd'])], NOTIFIERS)).toEqual([]);
  });

  it("a reminder's team is the one the service's SLOs all name", () => {
    const slos = [
      { service: 'checkout', team: 'payments' },
      { service: 'checkout', team: 'payments' },
      { service: 'search', team: 'discovery' },
      { service: 'search', team: 'web' },
      { service: 'catalog' },
      { service: 'catalog', team: 'shop' },
    ];
    expect(serviceTeam(slos, 'checkout')).toBe('payments');
    expect(serviceTeam(slos, 'search')).toBeNull(); // two teams: none
    expect(serviceTeam(slos, 'catalog')).toBeNull(); // an SLO without a team
    expect(serviceTeam(slos, 'gone')).toBeNull(); // no SLO any more
    expect(reminderRoutable('search', null)).not.toHaveProperty('team');
    expect(routeMatches(reminderRoutable('search', null), { match: { team: 'discovery' } })).toBe(false);
  });
});
