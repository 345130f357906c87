import {
  actionItemReminderMessage,
  burnRateMessage,
  INCIDENT,
  pageWithIncident,
  postmortemReminderMessage,
  sourceUnavailableMessage,
} from '../../../test/helpers/notification-messages';
import type { NotificationMessage } from '../ports/notification-message';
import { escapeSlack, SLACK_LIMITS, slackMessage, truncateMrkdwn, type SlackMessage } from './slack-message';

/** Every mrkdwn text of the message, the fallback `text` included. */
function mrkdwnTexts(message: SlackMessage): string[] {
  return [
    message.text,
    ...message.blocks.flatMap((b) => (b.type === 'section' ? [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)] : [])),
  ];
}

/** Slack's limits and escaping, checked on a whole message. */
function expectWithinSlackLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  for (const block of message.blocks) {
    if (block.type === 'header') {
      expect(block.text.type).toBe('plain_text');
      expect(block.text.text.length).toBeGreaterThan(0);
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    }
    if (block.type === 'section') {
      expect(block.text !== undefined || (block.fields?.length ?? 0) > 0).toBe(true);
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
  }
  for (const text of mrkdwnTexts(message)) {
    const outsideMarkup = text.replace(/<[^<>\s|][^<>]*>/g, '');
    expect({ text, stray: /[<>]|&(?!(amp|lt|gt);)/.test(outsideMarkup) }).toEqual({ text, stray: false });
  }
}

const header = (m: SlackMessage): string => (m.blocks[0].type === 'header' ? m.blocks[0].text.text : '');
const allText = (m: SlackMessage): string => mrkdwnTexts(m).join('\n');

describe('slackMessage', () => {
  it('builds the trigger of a burning page (golden)', () => {
    const date = (iso: string): string => `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${iso}>`;
    expect(slackMessage(burnRateMessage())).toEqual({
      text: '[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: ':rotating_light: PAGE firing: checkout-availability', emoji: true } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*checkout-availability* (service *checkout*, team *payments*): burning error budget at 15.2× over 1h.\nObjective 99.9% over 30d.\nCheckout requests succeed',
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Rule*\nburn rate ≥ 14.4× over 1h and 5m' },
            { type: 'mrkdwn', text: '*Burn rates*\nlong 1h: 15.2× · short 5m: 20.1×' },
            { type: 'mrkdwn', text: '*Budget remaining*\n2%' },
            { type: 'mrkdwn', text: '*Zone*\nfreeze' },
            { type: 'mrkdwn', text: `*Exhaustion forecast*\n${date('2026-11-21T14:30:00.000Z')}` },
            { type: 'mrkdwn', text: `*Firing since*\n${date('2026-11-21T10:00:00.000Z')}` },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Other burn rates*: 30m 16.3× · 2h 9.8× · 6h 4.1× · 1d 2.2× · 3d 1.1×' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':book: <https://wiki.example/runbooks/checkout|Runbook>   :bar_chart: <https://slo.example/#/slos/checkout-availability|Error budget>',
          },
        },
      ],
    });
  });

  it.each<[string, NotificationMessage, string, string]>([
    ['page trigger', burnRateMessage(), ':rotating_light: PAGE firing: checkout-availability', 'burning error budget at 15.2× over 1h (2% of budget left)'],
    ['page repeat', burnRateMessage({ action: 'repeat' }), ':rotating_light: PAGE still firing: checkout-availability', 'still burning error budget'],
    ['page resolve', burnRateMessage({ action: 'resolve', remaining: 0.3 }), ':white_check_mark: PAGE resolved: checkout-availability', 'resolved, no longer burning error budget at ≥ 14.4× over 1h (30% of budget left)'],
    [
      'ticket trigger',
      burnRateMessage({ severity: 'ticket', dedupKey: 'slo-engine/checkout-availability/ticket', rule: { severity: 'ticket', burnRate: 2, long: '1d', short: '2h' } }),
      ':warning: TICKET firing: checkout-availability',
      '[ticket] checkout-availability: burning error budget at 2.2× over 1d',
    ],
    ['source unavailable', sourceUnavailableMessage(), ':warning: TICKET: checkout-availability SLI source unavailable', 'SLI source unavailable (3 failed evaluations in a row): prometheus: connect ECONNREFUSED'],
    ['source still unavailable', sourceUnavailableMessage({ action: 'repeat' }), ':warning: TICKET: checkout-availability SLI source still unavailable', 'SLI source still unavailable'],
    ['source back', sourceUnavailableMessage({ action: 'resolve' }), ':white_check_mark: TICKET resolved: checkout-availability SLI source available again', 'resolved, SLI source available again'],
  ])('%s', (_name, message, title, fallback) => {
    const slack = slackMessage(message);
    expect(header(slack)).toBe(title);
    expect(slack.text).toContain(fallback);
    expectWithinSlackLimits(slack);
  });

  it('says when a resolved alert fired, and forecasts nothing', () => {
    const text = allText(slackMessage(burnRateMessage({ action: 'resolve', at: '2026-11-21T11:15:00.000Z' })));
    expect(text).toContain('*Fired*\n<!date^');
    expect(text).toContain('|2026-11-21T11:15:00.000Z>');
    expect(text).toContain('*Rule that fired*');
    expect(text).not.toContain('Exhaustion forecast');
  });

  it('shows the last error of an unavailable source, and the last known numbers', () => {
    const text = allText(slackMessage(sourceUnavailableMessage()));
    expect(text).toContain('*Last error*\n```prometheus: connect ECONNREFUSED 127.0.0.1:9090```');
    expect(text).toContain('*Budget remaining (last known)*\n41%');
    expect(text).toContain('*Last known burn rates*: 5m 20.1×');
    expect(text).not.toContain('*Rule*');
    expect(allText(slackMessage(sourceUnavailableMessage({ action: 'resolve' })))).not.toContain('Last error');
  });

  it('says when there is no forecast and nothing was evaluated', () => {
    const text = allText(slackMessage(burnRateMessage({ exhaustsAt: null, remaining: null, burnRates: null })));
    expect(text).toContain('*Exhaustion forecast*\nnone at the current rate');
    expect(text).toContain('*Budget remaining*\nunknown');
    expect(text).toContain('long 1h: unknown · short 5m: unknown');
  });

  it('leaves out what is missing: team, description, links', () => {
    const slack = slackMessage(burnRateMessage({ team: null, description: null, runbook: null, budgetUrl: '' }));
    expect(allText(slack)).not.toContain('team');
    expect(allText(slack)).not.toContain(':book:');
    expect(slack.blocks).toHaveLength(4);
    expectWithinSlackLimits(slack);
  });

  it('escapes &, < and > in what users wrote', () => {
    const slack = slackMessage(
      sourceUnavailableMessage({
        description: 'Reads <b>fast</b> & <!channel> wins',
        service: 'a&b',
        team: '<@U123>',
        lastError: 'parse error near "<html>" ```x``` & more',
        runbook: 'https://wiki.example/a?x=1&y=<2>|z',
      }),
    );
    const text = allText(slack);
    expect(text).toContain('Reads &lt;b&gt;fast&lt;/b&gt; &amp; &lt;!channel&gt; wins');
    expect(text).toContain('service *a&amp;b*, team *&lt;@U123&gt;*');
    expect(text).toContain('parse error near "&lt;html&gt;" \'\'\'x\'\'\' &amp; more');
    expect(text).toContain('<https://wiki.example/a?x=1&amp;y=&lt;2&gt;%7Cz|Runbook>');
    expect(slack.text).toContain('&lt;html&gt;');
    expectWithinSlackLimits(slack);
  });

  it('holds Slack limits with very long inputs', () => {
    const long = (c: string): string => c.repeat(10_000);
    for (const message of [
      burnRateMessage({ description: long('&'), service: long('<'), team: long('x'), runbook: `https://wiki.example/${long('r')}`, budgetUrl: `https://slo.example/${long('b')}` }),
      burnRateMessage({ slo: long('s'), burnRates: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${i + 1}m`, i / 7])) }),
      sourceUnavailableMessage({ lastError: long('>'), description: long('😀') }),
    ]) {
      expectWithinSlackLimits(slackMessage(message));
    }
  });

  it('cuts escaped text without breaking an entity or a link', () => {
    expect(truncateMrkdwn(escapeSlack('ab&cd'), 5)).toBe('ab…');
    expect(truncateMrkdwn('see <https://x.example/long|link> now', 20)).toBe('see …');
    expect(truncateMrkdwn('short', 5)).toBe('short');
  });
});

describe('slackMessage: incidents and postmortem reminders (SPEC §13)', () => {
  const date = (iso: string): string => `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${iso}>`;
  const incidentLink = `<${INCIDENT.url}|${INCIDENT.id}>`;
  const fieldsOf = (m: SlackMessage): string[] => m.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []).map((f) => f.text) : []));

  it("names the page's incident and links to it", () => {
    const slack = slackMessage(pageWithIncident());
    expect(fieldsOf(slack)[0]).toBe(`*Incident*\n${incidentLink}`);
    expect(slack.text).toBe('[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)');
    expectWithinSlackLimits(slack);
  });

  it('says on the resolve how long the page lasted and what it cost, and names the incident', () => {
    const slack = slackMessage(pageWithIncident({ resolved: true }));
    expect(header(slack)).toBe(':white_check_mark: PAGE resolved: checkout-availability');
    expect(slack.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*checkout-availability* (service *checkout*, team *payments*): resolved, no longer burning error budget at ≥ 14.4× over 1h.\nLasted 42m, cost 3.1% of the budget.\nObjective 99.9% over 30d.\nCheckout requests succeed',
      },
    });
    expect(fieldsOf(slack)[0]).toBe(`*Incident*\n${incidentLink}`);
    expect(slack.text).toContain('(lasted 42m, cost 3.1% of the budget; 87% of budget left)');
    expectWithinSlackLimits(slack);
  });

  it('names no incident on a ticket, and no cost when it is unknown', () => {
    expect(allText(slackMessage(burnRateMessage({ severity: 'ticket' })))).not.toContain('Incident');
    const unknownCost = slackMessage(pageWithIncident({ resolved: true }, { resolution: { lastedSeconds: 7_500, budgetCost: null } }));
    expect(allText(unknownCost)).toContain('Lasted 2h5m.');
    expect(allText(unknownCost)).not.toContain('cost');
  });

  it('builds a postmortem reminder: what is overdue, of which incident (linked), the owner, the due time (golden)', () => {
    expect(slackMessage(postmortemReminderMessage())).toEqual({
      text: `[postmortem] checkout: postmortem of incident ${INCIDENT.id} overdue since 2026-11-23T10:42:00.000Z (owner alice)`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: ':memo: Postmortem overdue: checkout', emoji: true } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `The postmortem of incident ${incidentLink} (service *checkout*, team *payments*) is overdue: it was due ${date('2026-11-23T10:42:00.000Z')}.`,
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Incident*\n${incidentLink}` },
            { type: 'mrkdwn', text: '*Owner*\nalice' },
            { type: 'mrkdwn', text: `*Due*\n${date('2026-11-23T10:42:00.000Z')}` },
          ],
        },
      ],
    });
  });

  it('names an overdue action item by its title, escaped, and says when nobody owns it', () => {
    const slack = slackMessage(actionItemReminderMessage({ title: 'Alert on <p99> & retries', owner: null, team: null }));
    expect(header(slack)).toBe(':memo: Action item overdue: checkout');
    expect(allText(slack)).toContain(`Action item *Alert on &lt;p99&gt; &amp; retries* of incident ${incidentLink} (service *checkout*) is overdue`);
    expect(fieldsOf(slack)).toContain('*Owner*\nnone named');
    expectWithinSlackLimits(slack);
  });

  it('holds Slack limits with a reminder of very long texts', () => {
    const long = (c: string): string => c.repeat(10_000);
    expectWithinSlackLimits(slackMessage(actionItemReminderMessage({ title: long('<'), owner: long('&'), service: long('😀'), team: long('t') })));
    expectWithinSlackLimits(slackMessage(postmortemReminderMessage({ incident: { id: long('i'), url: `https://slo.example/incidents/${long('u')}` } })));
  });
});
