import fc from 'fast-check';
import type { Zone } from '../../slo/domain/zones';
import type { IncidentRecord, PostmortemPolicy } from './incident';
import { budgetConsumed, FiringPage, serviceStep, ServiceStepInput, withResolveNumbers, withStartedAt } from './lifecycle';

const S = 1_000;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const POLICY: PostmortemPolicy = { budgetThreshold: 0.2, inFreeze: true, dueMs: 48 * 3_600_000, gate: false };
const RULE = 'page:14.4:1h:5m';
const idOf = (service: string, at: number) => `inc-${service}-${at}`;
const page = (slo: string, sinceMs: number): FiringPage => ({ slo, service: 'checkout', sinceMs, rule: RULE });

function step(over: Partial<ServiceStepInput>) {
  return serviceStep({ service: 'checkout', nowMs: T0, pages: [], open: null, zone: 'normal', policy: POLICY, idOf, ...over });
}
function opened(pages: FiringPage[], zone: Zone = 'normal'): IncidentRecord {
  const out = step({ pages, zone, nowMs: Math.max(...pages.map((p) => p.sinceMs)) });
  if (out.kind !== 'open') throw new Error(`expected an open, got ${out.kind}`);
  return out.incident;
}

describe('an incident of a service', () => {
  it('opens when a page fires and none is open: detectedAt is the page\'s since, the id derived from it', () => {
    const incident = opened([page('checkout-availability', T0)]);
    expect(incident).toMatchObject({
      id: `inc-checkout-${T0}`,
      state: 'open',
      detectedAtMs: T0,
      startedAtMs: null,
      zoneAtOpen: 'normal',
      slos: [{ slo: 'checkout-availability', budgetConsumed: null }],
      pages: [{ slo: 'checkout-availability', rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' }, firedAtMs: T0, resolvedAtMs: null }],
      postmortem: { required: false, reasons: [] },
    });
    expect(incident.timeline.map((e) => e.what)).toEqual(['opened: page of checkout-availability fired (14.4× over 1h and 5m); checkout in the normal zone']);
  });

  it('does nothing without pages, and opens from the earliest of pages firing together', () => {
    expect(step({})).toEqual({ kind: 'unchanged' });
    const incident = opened([page('b', T0 + S), page('a', T0)]);
    expect(incident.detectedAtMs).toBe(T0);
    expect(incident.pages.map((p) => p.slo)).toEqual(['a', 'b']);
  });

  it('is joined by a page of another SLO, records a page that resolved, and a zone change', () => {
    const open = opened([page('a', T0)]);
    const out = step({ open, nowMs: T0 + 60 * S, pages: [page('a', T0), page('b', T0 + 60 * S)], zone: 'caution' });
    expect(out.kind).toBe('update');
    const joined = (out as { incident: IncidentRecord }).incident;
    expect(joined.slos.map((s) => s.slo)).toEqual(['a', 'b']);
    expect(joined.zoneNow).toBe('caution');
    expect(joined.zoneAtOpen).toBe('normal');
    const later = step({ open: joined, nowMs: T0 + 120 * S, pages: [page('b', T0 + 60 * S)], zone: 'caution' });
    const afterA = (later as { incident: IncidentRecord }).incident;
    expect(afterA.state).toBe('open');
    expect(afterA.pages.map((p) => [p.slo, p.resolvedAtMs])).toEqual([
      ['a', T0 + 120 * S],
      ['b', null],
    ]);
    expect(afterA.timeline.map((e) => e.what).slice(1)).toEqual(['page of b fired (14.4× over 1h and 5m) and joined', 'checkout zone: normal → caution', 'page of a resolved']);
    expect(step({ open: afterA, nowMs: T0 + 130 * S, pages: [page('b', T0 + 60 * S)], zone: 'caution' })).toEqual({ kind: 'unchanged' });
  });

  it('resolves when no page of the service fires any more', () => {
    const open = opened([page('a', T0)]);
    const out = step({ open, nowMs: T0 + 600 * S, pages: [] });
    expect(out).toMatchObject({ kind: 'update', resolved: true, incident: { state: 'resolved', resolvedAtMs: T0 + 600 * S, pages: [{ resolvedAtMs: T0 + 600 * S }] } });
  });

  it('takes a page that fired again between two steps as a new page: the old one resolved before it', () => {
    const open = opened([page('a', T0)]);
    const out = step({ open, nowMs: T0 + 90 * S, pages: [page('a', T0 + 60 * S)] });
    expect((out as { incident: IncidentRecord }).incident.pages.map((p) => [p.firedAtMs, p.resolvedAtMs])).toEqual([
      [T0, T0 + 60 * S],
      [T0 + 60 * S, null],
    ]);
  });

  it.each<[Zone, boolean]>([
    ['normal', false],
    ['caution', false],
    ['unknown', false],
    ['freeze', true],
    ['exhausted', true],
  ])('opened in the %s zone: postmortem required by inFreeze %p', (zone, required) => {
    const incident = opened([page('a', T0)], zone);
    expect(incident.postmortem.required).toBe(required);
    expect(incident.postmortem.reasons).toEqual(required ? [`checkout was in the ${zone} zone when the incident opened (policy.postmortems.inFreeze)`] : []);
    expect(incident.zoneAtOpen).toBe(zone);
    expect(serviceStep({ service: 'checkout', nowMs: T0, pages: [page('a', T0)], open: null, zone, policy: { ...POLICY, inFreeze: false }, idOf })).toMatchObject({
      incident: { postmortem: { required: false } },
    });
  });
});

describe('the numbers', () => {
  it('timeToDetect from startedAt; at resolve timeToResolve, the budget, and the threshold rule with its due time', () => {
    const open = withStartedAt(opened([page('a', T0), page('b', T0)]), { startedAtMs: T0 - 80 * S, bounded: false });
    expect(open).toMatchObject({ startedAtMs: T0 - 80 * S, timeToDetect: 80 });
    const resolved = (step({ open, nowMs: T0 + 440 * S, pages: [] }) as { incident: IncidentRecord }).incident;
    const done = withResolveNumbers(resolved, new Map([['a', 0.46], ['b', 0.05]]), POLICY);
    expect(done).toMatchObject({
      timeToResolve: 520,
      slos: [
        { slo: 'a', budgetConsumed: 0.46 },
        { slo: 'b', budgetConsumed: 0.05 },
      ],
      postmortem: { required: true, dueAtMs: T0 + 440 * S + POLICY.dueMs, reasons: ['a consumed 46% of its error budget, at least policy.postmortems.budgetThreshold (20%)'] },
    });
    const below = withResolveNumbers(resolved, new Map([['a', 0.19]]), POLICY);
    expect(below.postmortem).toMatchObject({ required: false, dueAtMs: null, reasons: [] });
    expect(below.slos).toEqual([
      { slo: 'a', budgetConsumed: 0.19 },
      { slo: 'b', budgetConsumed: null },
    ]);
  });

  it.each([
    ['rolling: what was left at the start minus what is left at the end', 0.9, 0.4, null, 0.5],
    ['never negative (errors left the window meanwhile)', 0.4, 0.5, null, 0],
    ['a calendar period reset in between: the two parts summed', 0.3, 0.8, 0.1, 0.2 + 0.2],
  ])('budgetConsumed, %s', (_, start, end, beforeReset, want) => {
    expect(budgetConsumed(start, end, beforeReset)).toBeCloseTo(want, 12);
  });
});

describe('over any sequence of page alerts (property)', () => {
  it('one incident at a time, opened and resolved exactly when the pages say, every firing page in the open one', () => {
    const cycles = fc.array(fc.record({ a: fc.boolean(), b: fc.boolean(), zone: fc.constantFrom<Zone>('normal', 'caution', 'freeze') }), { maxLength: 40 });
    fc.assert(
      fc.property(cycles, (seq) => {
        const since: Record<string, number | null> = { a: null, b: null };
        let open: IncidentRecord | null = null;
        const done: IncidentRecord[] = [];
        seq.forEach((c, i) => {
          const now = T0 + i * 30 * S;
          for (const slo of ['a', 'b'] as const) since[slo] = c[slo] ? (since[slo] ?? now) : null;
          const pages = (['a', 'b'] as const).filter((slo) => since[slo] !== null).map((slo) => page(slo, since[slo]!));
          const out = step({ open, nowMs: now, pages, zone: c.zone });
          if (out.kind === 'open') {
            expect(open).toBeNull();
            open = out.incident;
          } else if (out.kind === 'update') {
            if (out.resolved) {
              expect(pages).toEqual([]);
              done.push(out.incident);
              open = null;
            } else open = out.incident;
          }
          if (pages.length > 0) {
            expect(open).not.toBeNull();
            for (const p of pages) expect(open!.pages.some((q) => q.slo === p.slo && q.firedAtMs === p.sinceMs && q.resolvedAtMs === null)).toBe(true);
          } else expect(open).toBeNull();
        });
        for (const [i, incident] of done.entries()) {
          for (const p of incident.pages) expect(p.resolvedAtMs).not.toBeNull();
          if (i > 0) expect(incident.detectedAtMs).toBeGreaterThan(done[i - 1].resolvedAtMs!);
          expect(incident.timeline.map((e) => e.atMs)).toEqual([...incident.timeline.map((e) => e.atMs)].sort((x, y) => x - y));
        }
      }),
    );
  });
});
