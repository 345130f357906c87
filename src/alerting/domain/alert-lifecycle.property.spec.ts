import fc from 'fast-check';
import type { NotifierConfig, RouteConfig } from '../../config/app-config';
import { alertKey, nextAlertStates, type AlertKey, type AlertState, type Transition } from './alert-state';
import { planNotifications, type NotificationIntent, type SloRouting } from './notification-plan';

const HOUR = 3_600_000;
const SLO: SloRouting = { id: 'checkout', service: 'checkout', team: 'payments', labels: { tier: '1' } };
const KEYS: AlertKey[] = ['page', 'ticket'].map((s) => `checkout/${s}`).concat('checkout/source');
const NOTIFIERS: Record<string, Pick<NotifierConfig, 'type'>> = {
  pd: { type: 'pagerduty' },
  slack: { type: 'slack' },
  log: { type: 'log' },
};

/** One evaluation: what the rules say, whether the source failed, which alerts are silenced, the routes. */
interface Evaluation {
  page: boolean;
  ticket: boolean;
  fail: boolean;
  silenced: AlertKey[];
  routes: RouteConfig[];
  /** hours since the previous evaluation */
  gap: number;
}

const routeArb: fc.Arbitrary<RouteConfig> = fc.record({
  match: fc.constantFrom<Record<string, string>>({}, { severity: 'page' }, { severity: 'ticket' }, { tier: '1' }, { team: 'other' }),
  notify: fc.subarray(['pd', 'slack', 'log'], { minLength: 1 }),
  repeatIntervalMs: fc.option(fc.constantFrom(HOUR, 6 * HOUR), { nil: undefined }),
});
// A route set is kept for a few evaluations at a time, so changes happen but not at every step.
const evaluationsArb: fc.Arbitrary<Evaluation[]> = fc
  .array(
    fc.record({
      routes: fc.array(routeArb, { maxLength: 3 }),
      steps: fc.array(
        fc.record({
          page: fc.boolean(),
          ticket: fc.boolean(),
          fail: fc.boolean(),
          silenced: fc.subarray(KEYS),
          gap: fc.constantFrom(0.5, 1, 5),
        }),
        { minLength: 1, maxLength: 8 },
      ),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((blocks) => blocks.flatMap(({ routes, steps }) => steps.map((step) => ({ ...step, routes }))));

interface Run {
  transitions: Transition[];
  intents: NotificationIntent[];
  finalStates: Map<AlertKey, AlertState>;
}

/** Drives nextAlertStates and planNotifications through the evaluations, as the service would. */
function simulate(evaluations: Evaluation[]): Run {
  let states = new Map<AlertKey, AlertState>();
  let failures = 0;
  let nowMs = 0;
  const run: Run = { transitions: [], intents: [], finalStates: states };
  for (const e of evaluations) {
    nowMs += e.gap * HOUR;
    failures = e.fail ? failures + 1 : 0;
    const step = nextAlertStates(states, {
      slo: SLO.id,
      firing: { page: e.page, ticket: e.ticket },
      firingRules: { page: e.page ? 'page:14.4:1h:5m' : null, ticket: e.ticket ? 'ticket:3:1d:2h' : null },
      sourceFailures: failures,
      nowMs,
    });
    const plan = planNotifications({
      slo: SLO,
      states: step.states,
      transitions: step.transitions,
      routes: e.routes,
      notifiers: NOTIFIERS,
      silenced: new Set(e.silenced),
      nowMs,
    });
    run.transitions.push(...step.transitions);
    run.intents.push(...plan.intents);
    states = new Map(plan.states.map((s) => [alertKey(s.slo, s.kind, s.severity), s]));
  }
  run.finalStates = states;
  return run;
}

describe('alert lifecycle properties', () => {
  it('transitions alternate trigger, resolve, trigger… per alert', () => {
    fc.assert(
      fc.property(evaluationsArb, (evaluations) => {
        const last = new Map<AlertKey, Transition['kind']>();
        for (const t of simulate(evaluations).transitions) {
          expect(t.kind).toBe(last.get(t.key) === 'trigger' ? 'resolve' : 'trigger');
          last.set(t.key, t.kind);
        }
      }),
    );
  });

  it('a resolve goes only to receivers told of the trigger, all of them, once; a told receiver is not triggered again', () => {
    fc.assert(
      fc.property(evaluationsArb, (evaluations) => {
        const { intents, finalStates } = simulate(evaluations);
        const told = new Map<AlertKey, string[]>(KEYS.map((k) => [k, []]));
        const resolvedAt = new Map<AlertKey, string[]>();
        for (const i of intents) {
          const receivers = told.get(i.key) ?? [];
          switch (i.action) {
            case 'trigger':
              expect(receivers).not.toContain(i.receiver);
              receivers.push(i.receiver);
              break;
            case 'repeat':
              expect(receivers).toContain(i.receiver);
              break;
            case 'resolve':
              expect(receivers).toContain(i.receiver);
              receivers.splice(receivers.indexOf(i.receiver), 1);
              resolvedAt.set(i.key, [...(resolvedAt.get(i.key) ?? []), i.receiver]);
              break;
          }
        }
        // nobody left told of an alert that no longer fires, and the stored states agree
        for (const key of KEYS) {
          const state = finalStates.get(key);
          const stillTold = told.get(key) ?? [];
          if (state?.state !== 'firing') expect(stillTold).toEqual([]);
          expect([...(state?.notifiedReceivers ?? [])].sort()).toEqual([...stillTold].sort());
        }
      }),
    );
  });

  it('never notifies a trigger or repeat of a silenced alert, nor of a ticket while its page fires', () => {
    fc.assert(
      fc.property(evaluationsArb, (evaluations) => {
        let states = new Map<AlertKey, AlertState>();
        let failures = 0;
        evaluations.forEach((e, n) => {
          failures = e.fail ? failures + 1 : 0;
          const step = nextAlertStates(states, {
            slo: SLO.id,
            firing: { page: e.page, ticket: e.ticket },
            firingRules: { page: null, ticket: null },
            sourceFailures: failures,
            nowMs: n * HOUR,
          });
          const plan = planNotifications({
            slo: SLO,
            states: step.states,
            transitions: step.transitions,
            routes: e.routes,
            notifiers: NOTIFIERS,
            silenced: new Set(e.silenced),
            nowMs: n * HOUR,
          });
          const pageFires = step.states.some((s) => s.kind === 'burn-rate' && s.severity === 'page' && s.state === 'firing');
          for (const i of plan.intents.filter((x) => x.action !== 'resolve')) {
            expect(e.silenced).not.toContain(i.key);
            if (i.key === 'checkout/ticket') expect(pageFires).toBe(false);
          }
          states = new Map(plan.states.map((s) => [alertKey(s.slo, s.kind, s.severity), s]));
        });
      }),
    );
  });
});
