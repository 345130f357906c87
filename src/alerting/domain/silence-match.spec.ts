import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silenceActive, silenceCovers, type SilenceScope } from './silence-match';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const CREATED = T0;
const UNTIL = T0 + HOUR;
const sloSilence = (slo = 'checkout-availability'): SilenceScope => ({ slo, service: null, createdAt: iso(CREATED), until: iso(UNTIL) });
const serviceSilence = (service = 'checkout'): SilenceScope => ({ slo: null, service, createdAt: iso(CREATED), until: iso(UNTIL) });

const CHECKOUT_AVAIL = { slo: 'checkout-availability', service: 'checkout' };
const CHECKOUT_LATENCY = { slo: 'checkout-latency', service: 'checkout' };
const SEARCH_AVAIL = { slo: 'search-availability', service: 'search' };

describe('silenceCovers', () => {
  it.each<[string, SilenceScope, { slo: string; service: string }, number, boolean]>([
    // the window: createdAt ≤ now < until
    ['SLO silence, at createdAt', sloSilence(), CHECKOUT_AVAIL, CREATED, true],
    ['SLO silence, inside the window', sloSilence(), CHECKOUT_AVAIL, CREATED + HOUR / 2, true],
    ['SLO silence, 1 ms before until', sloSilence(), CHECKOUT_AVAIL, UNTIL - 1, true],
    ['SLO silence, at until (ended)', sloSilence(), CHECKOUT_AVAIL, UNTIL, false],
    ['SLO silence, after until', sloSilence(), CHECKOUT_AVAIL, UNTIL + HOUR, false],
    ['SLO silence, 1 ms before createdAt', sloSilence(), CHECKOUT_AVAIL, CREATED - 1, false],
    // what it names
    ['SLO silence, another SLO of the same service', sloSilence(), CHECKOUT_LATENCY, CREATED, false],
    ['SLO silence, an SLO of another service', sloSilence(), SEARCH_AVAIL, CREATED, false],
    ['service silence, first SLO of the service', serviceSilence(), CHECKOUT_AVAIL, CREATED, true],
    ['service silence, second SLO of the service', serviceSilence(), CHECKOUT_LATENCY, UNTIL - 1, true],
    ['service silence, another service', serviceSilence(), SEARCH_AVAIL, CREATED, false],
    ['service silence, at until', serviceSilence(), CHECKOUT_LATENCY, UNTIL, false],
    ['service silence, before createdAt', serviceSilence(), CHECKOUT_LATENCY, CREATED - 1, false],
    // names compare exactly
    ['SLO silence, SLO id differing in case', sloSilence('Checkout-Availability'), CHECKOUT_AVAIL, CREATED, false],
    ['service silence, service differing in case', serviceSilence('Checkout'), CHECKOUT_AVAIL, CREATED, false],
    ['service silence naming what is an SLO id', serviceSilence('checkout-availability'), CHECKOUT_AVAIL, CREATED, false],
    ['SLO silence naming what is a service', sloSilence('checkout'), CHECKOUT_AVAIL, CREATED, false],
    ['neither slo nor service set', { ...sloSilence(), slo: null }, CHECKOUT_AVAIL, CREATED, false],
    // timestamps with an offset mean the same instant
    ['offset timestamps', { ...sloSilence(), createdAt: '2026-11-21T11:00:00+01:00', until: '2026-11-21T12:00:00+01:00' }, CHECKOUT_AVAIL, UNTIL - 1, true],
    // unreadable timestamps never silence
    ['unreadable until', { ...sloSilence(), until: 'someday' }, CHECKOUT_AVAIL, CREATED, false],
    ['unreadable createdAt', { ...sloSilence(), createdAt: '' }, CHECKOUT_AVAIL, CREATED, false],
    ['until before createdAt (empty window)', { ...sloSilence(), until: iso(CREATED - 1) }, CHECKOUT_AVAIL, CREATED - 1, false],
    ['until equal to createdAt (empty window)', { ...sloSilence(), until: iso(CREATED) }, CHECKOUT_AVAIL, CREATED, false],
  ])('%s', (_, silence, alert, now, expected) => {
    expect(silenceCovers(silence, alert, now)).toBe(expected);
  });
});

describe('silenceActive', () => {
  it.each([
    [CREATED - 1, false],
    [CREATED, true],
    [UNTIL - 1, true],
    [UNTIL, false],
  ])('at %i → %s', (now, expected) => {
    expect(silenceActive(sloSilence(), now)).toBe(expected);
  });
});

describe('silenceCovers properties', () => {
  const names = fc.constantFrom('checkout', 'search', 'cart', 'checkout-availability', 'search-latency');
  const alertArb = fc.record({ slo: names, service: names });
  // ms timestamps within a few days of T0 (toISOString keeps ms precision, so no rounding)
  const instant = fc.integer({ min: T0 - 3 * 86_400_000, max: T0 + 3 * 86_400_000 });
  const silenceArb = fc
    .record({ target: fc.oneof(fc.record({ slo: names, service: fc.constant(null) }), fc.record({ slo: fc.constant(null), service: names })), from: instant, to: instant })
    .map(({ target, from, to }): SilenceScope => ({ ...target, createdAt: iso(from), until: iso(to) }));

  it('never covers at or after until', () => {
    fc.assert(
      fc.property(silenceArb, alertArb, fc.nat(30 * 86_400_000), (silence, alert, after) => {
        expect(silenceCovers(silence, alert, Date.parse(silence.until) + after)).toBe(false);
      }),
    );
  });

  it('never covers before it was created', () => {
    fc.assert(
      fc.property(silenceArb, alertArb, fc.integer({ min: 1, max: 30 * 86_400_000 }), (silence, alert, before) => {
        expect(silenceCovers(silence, alert, Date.parse(silence.createdAt) - before)).toBe(false);
      }),
    );
  });

  it('covers exactly when active and naming the SLO or the service', () => {
    fc.assert(
      fc.property(silenceArb, alertArb, instant, (silence, alert, now) => {
        const active = Date.parse(silence.createdAt) <= now && now < Date.parse(silence.until);
        const named = silence.slo === alert.slo || silence.service === alert.service;
        expect(silenceCovers(silence, alert, now)).toBe(active && named);
      }),
    );
  });

  it('an SLO silence covers no alert of another SLO, whatever its service; a service silence no alert of another service', () => {
    fc.assert(
      fc.property(silenceArb, alertArb, instant, (silence, alert, now) => {
        if (silence.slo !== null && alert.slo !== silence.slo) expect(silenceCovers(silence, alert, now)).toBe(false);
        if (silence.service !== null && alert.service !== silence.service) expect(silenceCovers(silence, alert, now)).toBe(false);
      }),
    );
  });

  it('an active silence keeps covering its alert until it ends (monotone in time within the window)', () => {
    fc.assert(
      fc.property(silenceArb, alertArb, instant, instant, (silence, alert, a, b) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        if (silenceCovers(silence, alert, earlier) && later < Date.parse(silence.until)) {
          expect(silenceCovers(silence, alert, later)).toBe(true);
        }
      }),
    );
  });
});

describe('silence-match.ts', () => {
  it('is pure domain code: imports nothing', () => {
    const source = readFileSync(join(__dirname, 'silence-match.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*(?:import|export)[^'"]*from\s+['"]/m);
    expect(source).not.toMatch(/\brequire\(/);
  });
});
