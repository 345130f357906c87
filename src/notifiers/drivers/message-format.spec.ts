import { actionItemReminderMessage, pageWithIncident, postmortemReminderMessage } from '../../../test/helpers/notification-messages';
import { formatLasted, resolutionClause, summaryLine } from './message-format';

describe('formatLasted', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [0.4, '0s'],
    [45, '45s'],
    [59.4, '59s'],
    [60, '1m'],
    [42 * 60 + 10, '42m'],
    [42 * 60 + 31, '43m'],
    [3599, '1h'],
    [3600, '1h'],
    [2 * 3600 + 5 * 60, '2h5m'],
    [23 * 3600 + 59 * 60 + 50, '1d'],
    [26 * 3600 + 20 * 60, '1d2h'],
    [7 * 86_400, '1w'],
    [8 * 86_400 + 3 * 3600, '8d3h'],
  ])('%s s → %s', (seconds, expected) => {
    expect(formatLasted(seconds)).toBe(expected);
  });
});

describe('resolutionClause', () => {
  it.each<[number | null, string]>([
    [0.031, 'lasted 42m, cost 3.1% of the budget'],
    [0.196, 'lasted 42m, cost 19.6% of the budget'],
    [0.03127, 'lasted 42m, cost 3.13% of the budget'],
    [0, 'lasted 42m, cost 0% of the budget'],
    [null, 'lasted 42m'],
  ])('cost %s → %s', (budgetCost, expected) => {
    expect(resolutionClause({ lastedSeconds: 42 * 60, budgetCost })).toBe(expected);
  });
});

describe('summaryLine', () => {
  it("says on a page's resolve how long it lasted and what it cost", () => {
    expect(summaryLine(pageWithIncident({ resolved: true }))).toBe(
      '[page] checkout-availability: resolved, no longer burning error budget at ≥ 14.4× over 1h (lasted 42m, cost 3.1% of the budget; 87% of budget left)',
    );
  });

  it('names what is overdue in a postmortem reminder, its incident, due time and owner', () => {
    expect(summaryLine(postmortemReminderMessage())).toBe(
      '[postmortem] checkout: postmortem of incident inc-20261121-0123456789ab overdue since 2026-11-23T10:42:00.000Z (owner alice)',
    );
    expect(summaryLine(actionItemReminderMessage({ title: 'Add\nretries', owner: null }))).toBe(
      '[postmortem] checkout: action item "Add retries" of incident inc-20261121-0123456789ab overdue since 2026-11-30T00:00:00.000Z',
    );
  });
});
