import type { ActionItem, IncidentRecord } from './incident';
import { actionItemOverdue, followUpPending, postmortemOverdue, remindersDue, thresholdReasons, writePostmortem } from './postmortem';

const H = 3_600_000;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const DUE = T0 + 48 * H;
const POLICY = { budgetThreshold: 0.2, inFreeze: true, dueMs: 48 * H, gate: true };

function incident(over: Partial<IncidentRecord['postmortem']> = {}): IncidentRecord {
  return {
    id: 'inc-1',
    service: 'checkout',
    state: 'resolved',
    startedAtMs: T0 - H,
    detectedAtMs: T0 - H + 80_000,
    resolvedAtMs: T0,
    timeToDetect: 80,
    timeToResolve: 3_600,
    zoneAtOpen: 'normal',
    zoneNow: 'normal',
    slos: [{ slo: 'a', budgetConsumed: 0.3 }],
    pages: [{ slo: 'a', rule: null, firedAtMs: T0 - H + 80_000, resolvedAtMs: T0 }],
    postmortem: { required: true, reasons: ['r'], dueAtMs: DUE, url: null, summary: null, actionItems: [], ...over },
    timeline: [],
  };
}
const item = (over: Partial<ActionItem> = {}): ActionItem => ({ title: 'add a canary', owner: 'jane', dueAtMs: DUE, category: 'prevention', done: false, ...over });

describe('postmortems', () => {
  it.each([
    ['due, not past it', incident(), DUE, false],
    ['past its due time without a url', incident(), DUE + 1, true],
    ['written', incident({ url: 'https://wiki.example/pm' }), DUE + 1, false],
    ['not required', incident({ required: false, dueAtMs: null }), DUE + H, false],
  ])('overdue: %s → %p', (_, i, now, want) => {
    expect(postmortemOverdue(i.postmortem, now)).toBe(want);
  });

  it.each([
    [0.2, ['a consumed 20% of its error budget, at least policy.postmortems.budgetThreshold (20%)']],
    [0.19, []],
    [null, []],
  ])('the threshold rule on budgetConsumed %p', (consumed, reasons) => {
    expect(thresholdReasons([{ slo: 'a', budgetConsumed: consumed }], POLICY)).toEqual(reasons);
  });

  it('reminds of an overdue postmortem and of each action item past its dueAt undone, by key', () => {
    const i = incident({ actionItems: [item(), item({ title: 'done already', done: true }), item({ title: 'later', dueAtMs: DUE + 10 * H })] });
    expect(remindersDue(i, DUE)).toEqual([]);
    expect(remindersDue(i, DUE + 1).map((r) => [r.key, r.what, r.title])).toEqual([
      ['inc-1/postmortem', 'postmortem', 'postmortem of incident inc-1 (checkout)'],
      ['inc-1/action-items/0', 'action-item', 'add a canary'],
    ]);
    expect(actionItemOverdue(item({ done: true }), DUE + 1)).toBe(false);
  });

  it('is followed up while required without a url or while an action item is open', () => {
    expect(followUpPending(incident())).toBe(true);
    expect(followUpPending(incident({ url: 'https://wiki.example/pm' }))).toBe(false);
    expect(followUpPending(incident({ url: 'https://wiki.example/pm', actionItems: [item()] }))).toBe(true);
    expect(followUpPending(incident({ required: false, actionItems: [item({ done: true })] }))).toBe(false);
  });

  it('is written with its action items, the timeline saying what changed', () => {
    const written = writePostmortem(incident(), { url: 'https://wiki.example/pm', summary: 'bad push', actionItems: [item()] }, 'sre', T0 + H);
    expect(written.postmortem).toMatchObject({ url: 'https://wiki.example/pm', summary: 'bad push', actionItems: [item()], required: true, dueAtMs: DUE });
    expect(written.timeline).toEqual([
      { atMs: T0 + H, what: 'postmortem written by sre: https://wiki.example/pm' },
      { atMs: T0 + H, what: `action item 1 (prevention, jane, due ${new Date(DUE).toISOString()}): add a canary` },
    ]);
    const done = writePostmortem(written, { url: 'https://wiki.example/pm', summary: 'bad push', actionItems: [item({ done: true })] }, 'sre', T0 + 2 * H);
    expect(done.timeline.slice(2).map((e) => e.what)).toEqual(['action item 1 done: add a canary']);
  });
});
