import fc from 'fast-check';
import {
  actionItemReminderMessage,
  burnRateMessage,
  INCIDENT,
  pageWithIncident,
  postmortemReminderMessage,
  sourceUnavailableMessage,
} from '../../../test/helpers/notification-messages';
import type { NotificationMessage } from '../ports/notification-message';
import { jsonBytes, jsonStringBytes } from './json-size';
import {
  fitPagerDutyEvent,
  PAGERDUTY_BODY_MAX_BYTES,
  PAGERDUTY_DEFAULT_EVENTS_URL,
  PAGERDUTY_EU_EVENTS_URL,
  pagerDutyChangeEvent,
  pagerDutyEvent,
  type PagerDutyEvent,
} from './pagerduty-event';

const ROUTING_KEY = 'R0UT1NGKEY0123456789012345678901';

/** Every string in `value` with its path, `routing_key` excepted. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => (path === '' && k === 'routing_key' ? [] : strings(v, path ? `${path}.${k}` : k)));
  }
  return [];
}

/** A UTF-16 unit of a surrogate pair standing alone. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The body's size as it goes on the wire. */
const wireBytes = (body: unknown): number => Buffer.byteLength(JSON.stringify(body), 'utf8');

describe('pagerDutyEvent', () => {
  it('builds the trigger of a burning page (golden)', () => {
    expect(pagerDutyEvent(burnRateMessage(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'slo-engine/checkout-availability/page',
      payload: {
        summary: '[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)',
        source: 'slo-engine',
        severity: 'critical',
        timestamp: '2026-11-21T10:00:00.000Z',
        component: 'checkout-availability',
        group: 'checkout',
        class: 'burn-rate',
        custom_details: {
          slo: 'checkout-availability',
          service: 'checkout',
          team: 'payments',
          description: 'Checkout requests succeed',
          objective: 99.9,
          window: '30d',
          severity: 'page',
          kind: 'burn-rate',
          rule: { burnRate: 14.4, long: '1h', short: '5m' },
          burnRates: { '5m': 20.1, '30m': 16.25, '1h': 15.234, '2h': 9.8, '6h': 4.1, '1d': 2.2, '3d': 1.1 },
          remaining: 0.02,
          zone: 'freeze',
          exhaustsAt: '2026-11-21T14:30:00.000Z',
          since: '2026-11-21T10:00:00.000Z',
          runbook: 'https://wiki.example/runbooks/checkout',
        },
      },
      links: [
        { href: 'https://wiki.example/runbooks/checkout', text: 'Runbook' },
        { href: 'https://slo.example/#/slos/checkout-availability', text: 'Error budget of checkout-availability' },
      ],
      client: 'slo-engine',
      client_url: 'https://slo.example/#/slos/checkout-availability',
    });
  });

  it.each<[string, NotificationMessage, 'trigger' | 'resolve', 'critical' | 'warning', string]>([
    ['page trigger', burnRateMessage(), 'trigger', 'critical', '[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)'],
    ['page repeat', burnRateMessage({ action: 'repeat' }), 'trigger', 'critical', '[page] checkout-availability: still burning error budget at 15.2× over 1h (2% of budget left)'],
    [
      'page resolve',
      burnRateMessage({ action: 'resolve', remaining: 0.41, burnRates: { '5m': 0.4, '1h': 3 } }),
      'resolve',
      'critical',
      '[page] checkout-availability: resolved, no longer burning error budget at ≥ 14.4× over 1h (41% of budget left)',
    ],
    [
      'ticket trigger, the long window not evaluated',
      burnRateMessage({ severity: 'ticket', rule: { severity: 'ticket', burnRate: 2, long: '1d', short: '2h' }, burnRates: { '1h': 3.1 } }),
      'trigger',
      'warning',
      '[ticket] checkout-availability: burning error budget at ≥ 2× over 1d (2% of budget left)',
    ],
    ['overspent budget', burnRateMessage({ remaining: -0.125 }), 'trigger', 'critical', '[page] checkout-availability: burning error budget at 15.2× over 1h (error budget exhausted, −13% left)'],
    ['never evaluated', burnRateMessage({ remaining: null, burnRates: null }), 'trigger', 'critical', '[page] checkout-availability: burning error budget at ≥ 14.4× over 1h (budget unknown)'],
    [
      'source unavailable',
      sourceUnavailableMessage(),
      'trigger',
      'warning',
      '[ticket] checkout-availability: SLI source unavailable (3 failed evaluations in a row): prometheus: connect ECONNREFUSED 127.0.0.1:9090',
    ],
    [
      'source still unavailable, a multi-line error',
      sourceUnavailableMessage({ action: 'repeat', lastError: 'HTTP 503\n  upstream down' }),
      'trigger',
      'warning',
      '[ticket] checkout-availability: SLI source still unavailable: HTTP 503 upstream down',
    ],
    ['source back', sourceUnavailableMessage({ action: 'resolve' }), 'resolve', 'warning', '[ticket] checkout-availability: resolved, SLI source available again'],
  ])('%s', (_name, message, action, severity, summary) => {
    const event = pagerDutyEvent(message, ROUTING_KEY);
    expect(event.event_action).toBe(action);
    expect(event.dedup_key).toBe(message.dedupKey);
    expect(event.payload.severity).toBe(severity);
    expect(event.payload.summary).toBe(summary);
    expect(event.payload.class).toBe(message.alertKind);
  });

  it('puts the last error, and no rule, in the details of a source-unavailable alert', () => {
    const details = pagerDutyEvent(sourceUnavailableMessage(), ROUTING_KEY).payload.custom_details;
    expect(details).toMatchObject({ kind: 'source-unavailable', lastError: 'prometheus: connect ECONNREFUSED 127.0.0.1:9090', zone: 'caution' });
    expect(details).not.toHaveProperty('rule');
    expect(details).not.toHaveProperty('exhaustsAt');
  });

  it('leaves out missing fields: no team, description, runbook or budget link', () => {
    const event = pagerDutyEvent(burnRateMessage({ team: null, description: null, runbook: null, budgetUrl: '' }), ROUTING_KEY);
    expect(event.links).toEqual([]);
    expect(event).not.toHaveProperty('client_url');
    expect(event.payload.custom_details).not.toHaveProperty('team');
    expect(event.payload.custom_details).not.toHaveProperty('description');
    expect(event.payload.custom_details).not.toHaveProperty('runbook');
  });

  it('cuts the summary to 1024 characters', () => {
    const long = sourceUnavailableMessage({ lastError: `${'x'.repeat(3000)}😀tail` });
    const summary = pagerDutyEvent(long, ROUTING_KEY).payload.summary;
    expect(summary).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.startsWith('[ticket] checkout-availability: SLI source unavailable')).toBe(true);
    // an emoji at the cut is not split into half a surrogate pair
    for (const pad of [900, 901]) {
      const emojiSummary = pagerDutyEvent(sourceUnavailableMessage({ lastError: `${'x'.repeat(pad)}${'😀'.repeat(200)}` }), ROUTING_KEY).payload.summary;
      expect(emojiSummary.length).toBeLessThanOrEqual(1024);
      expect(() => encodeURIComponent(emojiSummary)).not.toThrow();
    }
  });

  describe('sizes (SPEC §6: a body never over 512 KB, a page never refused for its size)', () => {
    const huge = (unit: string, bytes: number): string => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
    it.each<[string, NotificationMessage]>([
      ['a 1 MB description', burnRateMessage({ description: huge('Checkout requests succeed. ', 1_000_000) })],
      ['a description of emoji', burnRateMessage({ description: huge('😀', 700_000) })],
      ['a description of quotes, newlines and control characters (escaped: bigger on the wire)', burnRateMessage({ description: huge('"\n\u0001é', 600_000) })],
      ['a long service, team and description', burnRateMessage({ service: huge('s', 400_000), team: huge('t', 400_000), description: huge('d', 400_000) })],
      ['a runbook URL of 1 MB', burnRateMessage({ runbook: `https://wiki.example/${huge('r', 1_000_000)}` })],
      ['a 1 MB last error', sourceUnavailableMessage({ lastError: huge('connect ECONNREFUSED 😀 ', 1_000_000) })],
    ])('%s', (_name, message) => {
      const event = pagerDutyEvent(message, ROUTING_KEY);
      expect(wireBytes(event)).toBeLessThanOrEqual(PAGERDUTY_BODY_MAX_BYTES);
      expect(wireBytes(event)).toBeGreaterThan(PAGERDUTY_BODY_MAX_BYTES - 2_000); // cut by what was over, not more
      expect(jsonBytes(event)).toBe(wireBytes(event));
      // what identifies and routes the page is whole
      expect(event).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: message.dedupKey, payload: { source: 'slo-engine' } });
      expect(event.payload.severity).toBe(message.severity === 'page' ? 'critical' : 'warning');
      expect(event.payload.summary.length).toBeLessThanOrEqual(1_024);
      for (const [path, value] of strings(event)) expect({ path, half: LONE_SURROGATE.test(value) }).toEqual({ path, half: false });
      // what was cut says so
      const cut = strings(event).filter(([, value]) => value.endsWith('…'));
      expect(cut.length).toBeGreaterThan(0);
    });

    it('leaves the details out when cutting texts is not enough (tens of thousands of burn rates)', () => {
      const burnRates = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`window-${i}-${'w'.repeat(10)}`, i / 7]));
      const event = pagerDutyEvent(burnRateMessage({ burnRates }), ROUTING_KEY);
      expect(wireBytes(event)).toBeLessThanOrEqual(PAGERDUTY_BODY_MAX_BYTES);
      expect(event.payload.custom_details).toEqual({ note: 'details left out: over PagerDuty’s 512 KB event limit' });
      expect(event.payload.summary).toBe('[page] checkout-availability: burning error budget at ≥ 14.4× over 1h (2% of budget left)');
      expect(event).toMatchObject({ event_action: 'trigger', dedup_key: 'slo-engine/checkout-availability/page', payload: { severity: 'critical' } });
    });

    it('leaves an event that fits as it is', () => {
      const event = pagerDutyEvent(burnRateMessage({ description: 'd'.repeat(400_000) }), ROUTING_KEY);
      expect(event.payload.custom_details.description).toBe('d'.repeat(400_000));
    });

    it('measures JSON on the wire exactly, lone surrogates and escapes included', () => {
      const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: anyUnit })), (text) => {
          expect(jsonStringBytes(text)).toBe(wireBytes(text));
          expect(jsonBytes({ text, n: [1, text] })).toBe(wireBytes({ text, n: [1, text] }));
        }),
      );
    });

    it('fits any texts to any budget, cutting on code points', () => {
      fc.assert(
        fc.property(
          fc.record({ description: fc.string({ unit: 'binary', maxLength: 3_000 }), service: fc.string({ unit: 'binary', minLength: 1, maxLength: 3_000 }), lastError: fc.string({ unit: 'binary', maxLength: 3_000 }) }),
          fc.integer({ min: 2_000, max: 12_000 }),
          (texts, maxBytes) => {
            const event: PagerDutyEvent = pagerDutyEvent(sourceUnavailableMessage(texts), ROUTING_KEY);
            const fitted = fitPagerDutyEvent(event, maxBytes);
            expect(wireBytes(fitted)).toBeLessThanOrEqual(maxBytes);
            if (wireBytes(event) <= maxBytes) expect(fitted).toBe(event);
            for (const [, value] of strings(fitted)) expect(LONE_SURROGATE.test(value)).toBe(false);
            expect(fitted.payload.summary).toBe(event.payload.summary);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('keeps a change event within 512 KB, its summary cut on a character boundary', () => {
      for (const pad of [1_022, 1_023]) {
        const body = pagerDutyChangeEvent(ROUTING_KEY, {
          summary: `${'x'.repeat(pad)}${'😀'.repeat(10)}`,
          timestamp: '2026-11-21T10:00:00.000Z',
          customDetails: { reason: huge('r😀', 2_000_000), reasons: ['a', huge('b', 100_000)] },
        });
        expect(body.payload.summary.length).toBeLessThanOrEqual(1_024);
        expect(body.payload.summary.endsWith('…')).toBe(true);
        expect(LONE_SURROGATE.test(body.payload.summary)).toBe(false);
        expect(wireBytes(body)).toBeLessThanOrEqual(PAGERDUTY_BODY_MAX_BYTES);
        expect(body.routing_key).toBe(ROUTING_KEY);
      }
    });
  });

  it('puts the routing key in routing_key only', () => {
    for (const message of [burnRateMessage(), burnRateMessage({ action: 'resolve' }), sourceUnavailableMessage()]) {
      const event = pagerDutyEvent(message, ROUTING_KEY);
      expect(event.routing_key).toBe(ROUTING_KEY);
      for (const [path, value] of strings(event)) expect({ path, leaks: value.includes(ROUTING_KEY) }).toEqual({ path, leaks: false });
    }
  });

  it('knows the US and EU endpoints', () => {
    expect(new URL(PAGERDUTY_DEFAULT_EVENTS_URL).host).toBe('events.pagerduty.com');
    expect(new URL(PAGERDUTY_EU_EVENTS_URL).host).toBe('events.eu.pagerduty.com');
    expect(new URL(PAGERDUTY_EU_EVENTS_URL).pathname).toBe('/v2/enqueue');
  });
});

describe('pagerDutyEvent: incidents and postmortem reminders (SPEC §13)', () => {
  it("names the page's incident in custom_details and links to it", () => {
    const event = pagerDutyEvent(pageWithIncident(), ROUTING_KEY);
    expect(event.payload.custom_details).toMatchObject({ incident: INCIDENT.id, incidentUrl: INCIDENT.url });
    expect(event.links).toEqual([
      { href: 'https://wiki.example/runbooks/checkout', text: 'Runbook' },
      { href: INCIDENT.url, text: `Incident ${INCIDENT.id}` },
      { href: 'https://slo.example/#/slos/checkout-availability', text: 'Error budget of checkout-availability' },
    ]);
    expect(event.payload.summary).toBe('[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)');
  });

  it('says on the resolve how long the page lasted and what it cost the budget', () => {
    const event = pagerDutyEvent(pageWithIncident({ resolved: true }), ROUTING_KEY);
    expect(event.event_action).toBe('resolve');
    expect(event.payload.summary).toBe(
      '[page] checkout-availability: resolved, no longer burning error budget at ≥ 14.4× over 1h (lasted 42m, cost 3.1% of the budget; 87% of budget left)',
    );
    expect(event.payload.custom_details).toMatchObject({ incident: INCIDENT.id, incidentUrl: INCIDENT.url, lastedSeconds: 2520, budgetCost: 0.031 });
  });

  it('leaves the cost out when it is not known', () => {
    const event = pagerDutyEvent(pageWithIncident({ resolved: true }, { resolution: { lastedSeconds: 45, budgetCost: null } }), ROUTING_KEY);
    expect(event.payload.summary).toContain('(lasted 45s; 87% of budget left)');
    expect(event.payload.custom_details).not.toHaveProperty('budgetCost');
  });

  it('builds a postmortem reminder as a warning trigger of its own, never resolved (golden)', () => {
    expect(pagerDutyEvent(postmortemReminderMessage(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `slo-engine/postmortem/${INCIDENT.id}/postmortem`,
      payload: {
        summary: `[postmortem] checkout: postmortem of incident ${INCIDENT.id} overdue since 2026-11-23T10:42:00.000Z (owner alice)`,
        source: 'slo-engine',
        severity: 'warning',
        timestamp: '2026-11-23T10:42:10.000Z',
        component: INCIDENT.id,
        group: 'checkout',
        class: 'postmortem',
        custom_details: {
          kind: 'postmortem',
          what: 'postmortem',
          title: `postmortem of incident ${INCIDENT.id}`,
          service: 'checkout',
          team: 'payments',
          owner: 'alice',
          dueAt: '2026-11-23T10:42:00.000Z',
          incident: INCIDENT.id,
          incidentUrl: INCIDENT.url,
        },
      },
      links: [{ href: INCIDENT.url, text: `Incident ${INCIDENT.id}` }],
      client: 'slo-engine',
      client_url: INCIDENT.url,
    });
  });

  it('names an overdue action item by its title, without owner when it has none', () => {
    expect(pagerDutyEvent(actionItemReminderMessage(), ROUTING_KEY).payload.summary).toBe(
      `[postmortem] checkout: action item "Add a retry budget to the payment client" of incident ${INCIDENT.id} overdue since 2026-11-30T00:00:00.000Z (owner bob)`,
    );
    const event = pagerDutyEvent(actionItemReminderMessage({ owner: null, team: null }), ROUTING_KEY);
    expect(event.payload.summary).not.toContain('owner');
    expect(event.payload.custom_details).not.toHaveProperty('owner');
    expect(event.payload.custom_details).not.toHaveProperty('team');
  });

  it('keeps a reminder with huge texts within 512 KB and its summary within 1,024 characters', () => {
    const huge = 'é'.repeat(400_000);
    const event = pagerDutyEvent(actionItemReminderMessage({ title: huge, owner: huge, service: huge }), ROUTING_KEY);
    expect(wireBytes(event)).toBeLessThanOrEqual(PAGERDUTY_BODY_MAX_BYTES);
    expect(event.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(event).toMatchObject({ event_action: 'trigger', dedup_key: `slo-engine/postmortem/${INCIDENT.id}/action-items/0`, payload: { severity: 'warning' } });
  });
});
