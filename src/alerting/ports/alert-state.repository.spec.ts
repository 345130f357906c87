import { inactiveState, type AlertState } from '../domain/alert-state';
import { parseStoredStates, serializeStates } from './alert-state.repository';

/** The stored form of an SLO's alert states: a firing page keeps its incident and its budget at fire (SPEC §13). */
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const WHERE = 'test field "checkout"';

function page(facts: Partial<AlertState> = {}): AlertState {
  return { ...inactiveState('checkout', 'burn-rate', 'page'), state: 'firing', since: T0, rule: 'page:14.4:1h:5m', notifiedReceivers: ['pd'], lastNotifiedAt: { pd: T0 }, ...facts };
}

describe('stored alert states', () => {
  it("round-trips a page's incident and budget at fire", () => {
    const states = [page({ incidentId: 'inc-1', remainingAtFire: 0.93 }), inactiveState('checkout', 'burn-rate', 'ticket')];
    const read = parseStoredStates('checkout', serializeStates(states), WHERE);
    expect(read.unreadable).toBeUndefined();
    expect(read.states).toEqual(states);
    expect(parseStoredStates('checkout', serializeStates([page({ remainingAtFire: null })]), WHERE).states[0]).toMatchObject({ remainingAtFire: null });
  });

  it('reads states stored before they were kept', () => {
    const before = JSON.stringify([{ slo: 'checkout', kind: 'burn-rate', severity: 'page', state: 'firing', since: T0, rule: 'page:14.4:1h:5m', notifiedReceivers: ['pd'], lastNotifiedAt: { pd: T0 } }]);
    const read = parseStoredStates('checkout', before, WHERE);
    expect(read.unreadable).toBeUndefined();
    expect(read.states[0]).not.toHaveProperty('incidentId');
    expect(read.states[0]).not.toHaveProperty('remainingAtFire');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an incident that is not a string', { incidentId: 42 }, '[0]: incidentId is not a string'],
    ['a budget at fire that is not a number', { remainingAtFire: '0.9' }, '[0]: remainingAtFire is not a number or null'],
    ['a budget at fire that is not finite', { remainingAtFire: 'NaN' }, '[0]: remainingAtFire is not a number or null'],
  ])('refuses %s, naming the key', (_name, facts, problem) => {
    const read = parseStoredStates('checkout', JSON.stringify([{ ...page(), ...facts }]), WHERE);
    expect(read.unreadable).toBe(`malformed alert state at ${WHERE}: ${problem}`);
  });
});
