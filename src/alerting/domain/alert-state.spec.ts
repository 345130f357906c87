import type { Severity } from '../../config/app-config';
import {
  alertKey,
  dedupKey,
  nextAlertStates,
  type AlertEvaluationInput,
  type AlertKey,
  type AlertState,
  type AlertStep,
} from './alert-state';

const SLO = 'checkout';
const PAGE = alertKey(SLO, 'burn-rate', 'page');
const TICKET = alertKey(SLO, 'burn-rate', 'ticket');
const SOURCE = alertKey(SLO, 'source-unavailable', 'ticket');

function input(over: Partial<AlertEvaluationInput> & { page?: boolean; ticket?: boolean } = {}): AlertEvaluationInput {
  const page = over.page ?? false;
  const ticket = over.ticket ?? false;
  return {
    slo: SLO,
    firing: { page, ticket },
    firingRules: { page: page ? 'page:14.4:1h:5m' : null, ticket: ticket ? 'ticket:3:1d:2h' : null },
    sourceFailures: 0,
    nowMs: 1_000,
    ...over,
  };
}

const toMap = (states: AlertState[]): Map<AlertKey, AlertState> =>
  new Map(states.map((s) => [alertKey(s.slo, s.kind, s.severity), s]));

/** Runs evaluations in order from no state; returns each step. */
function run(inputs: AlertEvaluationInput[]): AlertStep[] {
  let states = new Map<AlertKey, AlertState>();
  return inputs.map((i) => {
    const step = nextAlertStates(states, i);
    states = toMap(step.states);
    return step;
  });
}
const stateOf = (step: AlertStep, key: AlertKey) => toMap(step.states).get(key);
const kinds = (step: AlertStep) => step.transitions.map((t) => `${t.kind} ${t.key}`);

describe('alertKey / dedupKey', () => {
  it.each<[string, 'burn-rate' | 'source-unavailable', Severity, string]>([
    ['checkout', 'burn-rate', 'page', 'slo-engine/checkout/page'],
    ['checkout', 'burn-rate', 'ticket', 'slo-engine/checkout/ticket'],
    ['checkout', 'source-unavailable', 'ticket', 'slo-engine/checkout/source'],
    ['checkout', 'source-unavailable', 'page', 'slo-engine/checkout/source'],
  ])('%s %s %s → %s', (slo, kind, severity, expected) => {
    expect(dedupKey(slo, kind, severity)).toBe(expected);
    expect(`slo-engine/${alertKey(slo, kind, severity)}`).toBe(expected);
  });
});

describe('nextAlertStates: burn-rate', () => {
  it('returns the three alerts of the SLO, inactive, with no transition when nothing fires', () => {
    const [step] = run([input()]);
    expect(step.states.map((s) => [s.kind, s.severity, s.state])).toEqual([
      ['burn-rate', 'page', 'inactive'],
      ['burn-rate', 'ticket', 'inactive'],
      ['source-unavailable', 'ticket', 'inactive'],
    ]);
    expect(step.transitions).toEqual([]);
  });

  it.each<Severity>(['page', 'ticket'])('%s fires, stays without a new transition, then resolves', (severity) => {
    const key = alertKey(SLO, 'burn-rate', severity);
    const steps = run([
      input({ [severity]: true, nowMs: 1_000 }),
      input({ [severity]: true, nowMs: 2_000 }),
      input({ [severity]: false, nowMs: 3_000 }),
    ]);
    expect(steps.map(kinds)).toEqual([[`trigger ${key}`], [], [`resolve ${key}`]]);
    expect(stateOf(steps[0], key)).toMatchObject({ state: 'firing', since: 1_000, notifiedReceivers: [] });
    expect(stateOf(steps[1], key)).toMatchObject({ state: 'firing', since: 1_000 });
    expect(stateOf(steps[2], key)).toMatchObject({ state: 'inactive', since: null, rule: null });
    expect(steps[0].transitions[0]).toMatchObject({ rule: severity === 'page' ? 'page:14.4:1h:5m' : 'ticket:3:1d:2h' });
    expect(steps[2].transitions[0]).toMatchObject({ since: 1_000, atMs: 3_000 });
  });

  it('keeps the firing rule current while firing and the resolve names the last one', () => {
    let states = toMap(nextAlertStates(new Map(), input({ page: true })).states);
    states = toMap(nextAlertStates(states, { ...input({ page: true }), firingRules: { page: 'page:6:6h:30m', ticket: null } }).states);
    expect(states.get(PAGE)?.rule).toBe('page:6:6h:30m');
    const resolve = nextAlertStates(states, input()).transitions[0];
    expect(resolve).toMatchObject({ kind: 'resolve', rule: 'page:6:6h:30m' });
  });

  it('carries the told receivers into the resolve, and forgets them in the inactive state', () => {
    const firing = nextAlertStates(new Map(), input({ page: true })).states;
    const told = firing.map((s) => (s.severity === 'page' && s.kind === 'burn-rate' ? { ...s, notifiedReceivers: ['pd', 'slack'] } : s));
    const step = nextAlertStates(toMap(told), input());
    expect(step.transitions).toEqual([expect.objectContaining({ key: PAGE, kind: 'resolve', notifiedReceivers: ['pd', 'slack'] })]);
    expect(stateOf(step, PAGE)).toMatchObject({ notifiedReceivers: [], lastNotifiedAt: {} });
  });

  it('leaves burn-rate alerts unchanged during a failed evaluation, whatever the flags say', () => {
    const steps = run([input({ page: true }), input({ page: false, ticket: true, sourceFailures: 1, nowMs: 2_000 })]);
    expect(kinds(steps[1])).toEqual([]);
    expect(stateOf(steps[1], PAGE)).toEqual(stateOf(steps[0], PAGE));
    expect(stateOf(steps[1], TICKET)?.state).toBe('inactive');
  });

  it('ignores other SLOs in the previous map', () => {
    const other = nextAlertStates(new Map(), { ...input({ page: true }), slo: 'search' }).states;
    const step = nextAlertStates(toMap(other), input());
    expect(step.transitions).toEqual([]);
    expect(step.states.every((s) => s.slo === SLO && s.state === 'inactive')).toBe(true);
  });

  it('does not mutate the previous states', () => {
    const prev = toMap(nextAlertStates(new Map(), input({ page: true })).states);
    const snapshot = JSON.stringify([...prev]);
    nextAlertStates(prev, input());
    expect(JSON.stringify([...prev])).toBe(snapshot);
  });
});

describe('nextAlertStates: source-unavailable', () => {
  const failures = (n: number, nowMs: number) => input({ sourceFailures: n, nowMs });

  /** transitions of the whole run, as `{evaluation index}:{kind}` */
  it.each<[number[], string[]]>([
    [[1], []],
    [[1, 2], []],
    [[1, 2, 3], ['2:trigger']],
    [[1, 2, 3, 4, 5], ['2:trigger']],
    [[1, 2, 3, 0], ['2:trigger', '3:resolve']],
    [[1, 2, 0, 1, 2], []],
    [[1, 2, 3, 0, 1, 2, 3], ['2:trigger', '3:resolve', '6:trigger']],
  ])('consecutive failures %j → %j', (sequence, expected) => {
    const steps = run(sequence.map((n, i) => failures(n, (i + 1) * 1_000)));
    const got = steps.flatMap((step, i) => step.transitions.map((t) => `${i}:${t.kind}`));
    expect(got).toEqual(expected);
    expect(steps.flatMap((step) => step.transitions).every((t) => t.key === SOURCE)).toBe(true);
  });

  it('fires as a ticket with no rule, since the third failure', () => {
    const steps = run([failures(1, 1_000), failures(2, 2_000), failures(3, 3_000)]);
    expect(stateOf(steps[2], SOURCE)).toMatchObject({ state: 'firing', severity: 'ticket', since: 3_000, rule: null });
  });

  it('resolves at the first success, while burn-rate alerts resume evaluation', () => {
    const steps = run([failures(1, 1), failures(2, 2), failures(3, 3), input({ ticket: true, nowMs: 4 })]);
    expect(kinds(steps[3])).toEqual([`trigger ${TICKET}`, `resolve ${SOURCE}`]);
  });
});

describe('nextAlertStates: what a page keeps as it fires (SPEC §13)', () => {
  const facts = { incidentId: 'inc-20261121-abc', remainingAtFire: 0.9 };

  it('asks for the facts only when the page fires, keeps them while it fires, and hands them to its resolve', () => {
    let asked = 0;
    const pageFacts = () => {
      asked++;
      return facts;
    };
    const steps = run([
      input({ pageFacts, nowMs: 1_000 }),
      input({ page: true, pageFacts, nowMs: 2_000 }),
      input({ page: true, pageFacts, firingRules: { page: 'page:6:6h:30m', ticket: null }, nowMs: 3_000 }),
      input({ page: true, pageFacts, sourceFailures: 1, nowMs: 4_000 }),
      input({ pageFacts, nowMs: 5_000 }),
    ]);
    expect(asked).toBe(1);
    expect(steps[1].transitions).toEqual([expect.objectContaining({ kind: 'trigger', key: PAGE, ...facts })]);
    for (const step of steps.slice(1, 4)) expect(stateOf(step, PAGE)).toMatchObject({ state: 'firing', ...facts });
    expect(steps[4].transitions).toEqual([expect.objectContaining({ kind: 'resolve', key: PAGE, since: 2_000, ...facts })]);
    const inactive = stateOf(steps[4], PAGE);
    expect(inactive).not.toHaveProperty('incidentId');
    expect(inactive).not.toHaveProperty('remainingAtFire');
  });

  it('keeps nothing for tickets and source-unavailable alerts, nor without facts', () => {
    const pageFacts = () => facts;
    const [step] = run([input({ ticket: true, sourceFailures: 0, pageFacts })]);
    expect(stateOf(step, TICKET)).not.toHaveProperty('incidentId');
    const failing = run([1, 2, 3].map((n) => input({ sourceFailures: n, pageFacts })));
    expect(stateOf(failing[2], SOURCE)).toMatchObject({ state: 'firing' });
    expect(stateOf(failing[2], SOURCE)).not.toHaveProperty('incidentId');
    const [plain] = run([input({ page: true })]);
    expect(Object.keys(stateOf(plain, PAGE) ?? {}).sort()).toEqual(['kind', 'lastNotifiedAt', 'notifiedReceivers', 'rule', 'severity', 'since', 'slo', 'state']);
  });

  it('keeps a null budget when the evaluation had no numbers, and no incident when none is known', () => {
    const [step] = run([input({ page: true, pageFacts: () => ({ remainingAtFire: null }) })]);
    expect(stateOf(step, PAGE)).toMatchObject({ remainingAtFire: null });
    expect(stateOf(step, PAGE)).not.toHaveProperty('incidentId');
  });
});
