import type { NotifierConfig, RouteConfig } from '../../config/app-config';
import { alertKey, inactiveState, nextAlertStates, type AlertKey, type AlertState } from './alert-state';
import { planNotifications, suppression, type NotificationIntent, type SloRouting } from './notification-plan';

const HOUR = 3_600_000;
const SLO: SloRouting = { id: 'checkout', service: 'checkout', team: 'payments', labels: { tier: '1' } };
const PAGE = alertKey('checkout', 'burn-rate', 'page');
const TICKET = alertKey('checkout', 'burn-rate', 'ticket');
const SOURCE = alertKey('checkout', 'source-unavailable', 'ticket');

const NOTIFIERS: Record<string, Pick<NotifierConfig, 'type'>> = {
  pd: { type: 'pagerduty' },
  slack: { type: 'slack' },
  log: { type: 'log' },
};
const ROUTES: RouteConfig[] = [
  { match: { severity: 'page' }, notify: ['pd', 'slack'] },
  { match: { severity: 'ticket' }, notify: ['slack'], repeatIntervalMs: 24 * HOUR },
];

/** One SLO driven evaluation by evaluation, as the evaluation service would. */
class World {
  states = new Map<AlertKey, AlertState>();
  failures = 0;
  silenced = new Set<AlertKey>();
  routes = ROUTES;

  /** evaluates at `atHour` and returns the plan's intents as `action receiver key` */
  eval(atHour: number, flags: { page?: boolean; ticket?: boolean; fail?: boolean } = {}): string[] {
    return this.intents(atHour, flags).map((i) => `${i.action} ${i.receiver} ${i.key}`);
  }

  intents(atHour: number, flags: { page?: boolean; ticket?: boolean; fail?: boolean } = {}): NotificationIntent[] {
    this.failures = flags.fail ? this.failures + 1 : 0;
    const page = flags.page ?? false;
    const ticket = flags.ticket ?? false;
    const nowMs = atHour * HOUR;
    const step = nextAlertStates(this.states, {
      slo: SLO.id,
      firing: { page, ticket },
      firingRules: { page: page ? 'page:14.4:1h:5m' : null, ticket: ticket ? 'ticket:3:1d:2h' : null },
      sourceFailures: this.failures,
      nowMs,
    });
    const plan = planNotifications({
      slo: SLO,
      states: step.states,
      transitions: step.transitions,
      routes: this.routes,
      notifiers: NOTIFIERS,
      silenced: this.silenced,
      nowMs,
    });
    this.states = new Map(plan.states.map((s) => [alertKey(s.slo, s.kind, s.severity), s]));
    return plan.intents;
  }
}

describe('planNotifications: a page names its incident (SPEC §13)', () => {
  it('puts the incident and the budget at fire of the page in its triggers, repeats and resolves, and none in the ticket', () => {
    const facts = { incidentId: 'inc-1', remainingAtFire: 0.8 };
    let states = new Map<AlertKey, AlertState>();
    const plan = (atHour: number, page: boolean, ticket = false): NotificationIntent[] => {
      const step = nextAlertStates(states, {
        slo: SLO.id,
        firing: { page, ticket },
        firingRules: { page: page ? 'page:14.4:1h:5m' : null, ticket: ticket ? 'ticket:3:1d:2h' : null },
        sourceFailures: 0,
        nowMs: atHour * HOUR,
        pageFacts: () => facts,
      });
      const routes: RouteConfig[] = [{ match: {}, notify: ['slack'], repeatIntervalMs: HOUR }];
      const out = planNotifications({ slo: SLO, states: step.states, transitions: step.transitions, routes, notifiers: NOTIFIERS, silenced: new Set(), nowMs: atHour * HOUR });
      states = new Map(out.states.map((s) => [alertKey(s.slo, s.kind, s.severity), s]));
      return out.intents;
    };
    const [trigger] = plan(0, true);
    expect(trigger).toMatchObject({ action: 'trigger', key: PAGE, ...facts });
    const [repeat] = plan(1, true);
    expect(repeat).toMatchObject({ action: 'repeat', key: PAGE, ...facts });
    const [resolve, ticket] = plan(2, false, true);
    expect(resolve).toMatchObject({ action: 'resolve', key: PAGE, since: 0, ...facts });
    expect(ticket).toMatchObject({ action: 'trigger', key: TICKET });
    expect(ticket).not.toHaveProperty('incidentId');
    expect(ticket).not.toHaveProperty('remainingAtFire');
  });
});

describe('planNotifications', () => {
  let w: World;
  beforeEach(() => {
    w = new World();
  });

  it('triggers every routed receiver once, then resolves exactly them', () => {
    expect(w.eval(0, { page: true })).toEqual([`trigger pd ${PAGE}`, `trigger slack ${PAGE}`]);
    expect(w.eval(1, { page: true })).toEqual([]);
    expect(w.eval(2)).toEqual([`resolve pd ${PAGE}`, `resolve slack ${PAGE}`]);
    expect(w.eval(3)).toEqual([]);
  });

  it('fills the intent from the alert', () => {
    const [intent] = w.intents(1, { page: true });
    expect(intent).toEqual({
      key: PAGE,
      dedupKey: 'slo-engine/checkout/page',
      receiver: 'pd',
      action: 'trigger',
      slo: 'checkout',
      alertKind: 'burn-rate',
      severity: 'page',
      rule: 'page:14.4:1h:5m',
      since: HOUR,
      atMs: HOUR,
    });
  });

  it('records the told receivers and when they were told', () => {
    w.eval(1, { page: true });
    expect(w.states.get(PAGE)).toMatchObject({ notifiedReceivers: ['pd', 'slack'], lastNotifiedAt: { pd: HOUR, slack: HOUR } });
  });

  describe('a firing page inhibits the ticket of the same SLO', () => {
    it('does not trigger the ticket while the page fires, and triggers it when the page resolves', () => {
      expect(w.eval(0, { page: true, ticket: true })).toEqual([`trigger pd ${PAGE}`, `trigger slack ${PAGE}`]);
      expect(w.eval(1, { page: true, ticket: true })).toEqual([]);
      expect(w.eval(2, { ticket: true })).toEqual([`resolve pd ${PAGE}`, `resolve slack ${PAGE}`, `trigger slack ${TICKET}`]);
    });

    it('sends nothing for a ticket that resolved while inhibited', () => {
      w.eval(0, { page: true, ticket: true });
      expect(w.eval(1, { page: true })).toEqual([]);
      expect(w.eval(2)).toEqual([`resolve pd ${PAGE}`, `resolve slack ${PAGE}`]);
    });

    it('still resolves a ticket told before the page fired, and holds back its repeats meanwhile', () => {
      expect(w.eval(0, { ticket: true })).toEqual([`trigger slack ${TICKET}`]);
      w.eval(1, { page: true, ticket: true });
      const ofTicket = (intents: string[]) => intents.filter((i) => i.endsWith(TICKET));
      expect(ofTicket(w.eval(30, { page: true, ticket: true }))).toEqual([]);
      expect(ofTicket(w.eval(31, { page: true }))).toEqual([`resolve slack ${TICKET}`]);
    });

    it('does not inhibit the source-unavailable alert', () => {
      w.eval(0, { page: true });
      w.eval(1, { fail: true });
      w.eval(2, { fail: true });
      expect(w.eval(3, { fail: true })).toEqual([`trigger slack ${SOURCE}`]);
    });

    it("is not inhibited by another SLO's page", () => {
      const ticket: AlertState = { ...inactiveState('checkout', 'burn-rate', 'ticket'), state: 'firing', since: 0 };
      const otherPage: AlertState = { ...inactiveState('search', 'burn-rate', 'page'), state: 'firing', since: 0 };
      const samePage: AlertState = { ...otherPage, slo: 'checkout' };
      expect(suppression(ticket, TICKET, [ticket, otherPage], new Set())).toBeNull();
      expect(suppression(ticket, TICKET, [ticket, samePage], new Set())).toBe('inhibited');
      expect(suppression(ticket, TICKET, [ticket, samePage], new Set([TICKET]))).toBe('silenced');
    });
  });

  describe('silences', () => {
    it('does not trigger a silenced alert, and triggers it when the silence ends while it fires', () => {
      w.silenced.add(PAGE);
      expect(w.eval(0, { page: true })).toEqual([]);
      expect(w.eval(1, { page: true })).toEqual([]);
      w.silenced.clear();
      expect(w.eval(2, { page: true })).toEqual([`trigger pd ${PAGE}`, `trigger slack ${PAGE}`]);
    });

    it('sends nothing at all for an alert that fired and resolved under silence', () => {
      w.silenced.add(PAGE);
      w.eval(0, { page: true });
      w.silenced.clear();
      expect(w.eval(1)).toEqual([]);
    });

    it('still resolves to the receivers told before the silence began', () => {
      w.eval(0, { page: true });
      w.silenced.add(PAGE);
      expect(w.eval(1, { page: true })).toEqual([]);
      expect(w.eval(2)).toEqual([`resolve pd ${PAGE}`, `resolve slack ${PAGE}`]);
    });

    it('silences only the alert named', () => {
      w.silenced.add(TICKET);
      expect(w.eval(0, { page: true })).toEqual([`trigger pd ${PAGE}`, `trigger slack ${PAGE}`]);
    });
  });

  describe('repeat interval', () => {
    it.each<[string, number, string[]]>([
      ['before the interval', 3.9, []],
      ['at exactly the interval', 4, [`repeat slack ${PAGE}`]],
      ['after it', 5, [`repeat slack ${PAGE}`]],
    ])('slack (default 4h), pagerduty (never): %s', (_name, atHour, expected) => {
      w.eval(0, { page: true });
      expect(w.eval(atHour, { page: true })).toEqual(expected);
    });

    it('counts the interval from the last notification', () => {
      w.eval(0, { page: true });
      expect(w.eval(4, { page: true })).toEqual([`repeat slack ${PAGE}`]);
      expect(w.eval(7, { page: true })).toEqual([]);
      expect(w.eval(8, { page: true })).toEqual([`repeat slack ${PAGE}`]);
    });

    it("uses the route's repeatInterval", () => {
      w.eval(0, { ticket: true });
      expect(w.eval(23, { ticket: true })).toEqual([]);
      expect(w.eval(24, { ticket: true })).toEqual([`repeat slack ${TICKET}`]);
    });

    it('does not repeat while silenced; repeats when the silence ends', () => {
      w.eval(0, { page: true });
      w.silenced.add(PAGE);
      expect(w.eval(5, { page: true })).toEqual([]);
      w.silenced.clear();
      expect(w.eval(6, { page: true })).toEqual([`repeat slack ${PAGE}`]);
    });
  });

  it('triggers a receiver newly reached by a route while the alert fires', () => {
    w.eval(0, { page: true });
    w.routes = [...ROUTES, { match: { tier: '1' }, notify: ['log'] }];
    expect(w.eval(1, { page: true })).toEqual([`trigger log ${PAGE}`]);
  });

  it('resolves to a told receiver that no route reaches any more', () => {
    w.eval(0, { page: true });
    w.routes = [];
    expect(w.eval(1, { page: true })).toEqual([]);
    expect(w.eval(2)).toEqual([`resolve pd ${PAGE}`, `resolve slack ${PAGE}`]);
  });
});
