import { createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import type { NotifierConfig } from '../../src/config/app-config';
import type { NotificationMessage } from '../../src/notifiers/ports/notification-message';
import type { DeliveryResult } from '../../src/notifiers/drivers/notifier-driver';
import { NotifierDrivers } from '../../src/notifiers/drivers/notifier-drivers';
import { CHANGE_EVENT_ATTEMPTS, PagerDutyChangeEvents } from '../../src/notifiers/drivers/pagerduty-change-events';
import { PAGERDUTY_EU_EVENTS_URL } from '../../src/notifiers/drivers/pagerduty-event';
import { configHolder, quietNestLogs } from '../service/support';
import { freePort } from '../helpers/free-port';
import { burnRateMessage, sourceUnavailableMessage } from '../helpers/notification-messages';
import {
  LoopbackReceiver,
  officialPagerDutySchema,
  TRICKLE,
  PAGERDUTY_MAX_BODY_BYTES,
  PAGERDUTY_SCHEMA_FILE,
  startPagerDutyReceiver,
  startSlackReceiver,
} from '../helpers/receivers';

/**
 * The real drivers (SPEC §6) against loopback PagerDuty and Slack receivers that check every
 * request against the published shape: what arrives, and how each answer becomes a delivery result.
 */
const ROUTING_KEY = 'R0UT1NGKEY0123456789012345678901';
const TIMEOUT_MS = 300;

/** A TCP server that accepts connections and never answers. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('notifier drivers against loopback receivers', () => {
  let pd: LoopbackReceiver;
  let slack: LoopbackReceiver;
  let drivers: NotifierDrivers;
  let pdNotifier: Extract<NotifierConfig, { type: 'pagerduty' }>;
  let slackNotifier: Extract<NotifierConfig, { type: 'slack' }>;

  /** Sends, and checks that a reason never names the URL, the routing key or the webhook path. */
  async function send(message: NotificationMessage, notifier: NotifierConfig): Promise<DeliveryResult> {
    const result = await drivers.send(message, notifier);
    if (result.outcome !== 'delivered') {
      for (const secret of [ROUTING_KEY, '/services/T000/B000/XXXX', '127.0.0.1', 'http://', 'https://']) expect(result.reason).not.toContain(secret);
    }
    return result;
  }

  beforeAll(async () => {
    [pd, slack] = await Promise.all([startPagerDutyReceiver(), startSlackReceiver()]);
    drivers = new NotifierDrivers({ timeoutMs: TIMEOUT_MS });
    pdNotifier = { name: 'pd-payments', type: 'pagerduty', routingKey: ROUTING_KEY, url: pd.url, changeEvents: false };
    slackNotifier = { name: 'slack-reliability', type: 'slack', webhookUrl: slack.url };
  });
  afterAll(async () => {
    await Promise.all([pd.close(), slack.close()]);
  });
  afterEach(() => {
    const problems = { pd: [...pd.problems], slack: [...slack.problems] };
    for (const receiver of [pd, slack]) receiver.reset(); // one test's problems are not the next one's
    expect(problems).toEqual({ pd: [], slack: [] });
  });

  describe('pagerduty', () => {
    it('sends a trigger in the Events API v2 shape, 202 is delivered', async () => {
      expect(await send(burnRateMessage(), pdNotifier)).toEqual({ outcome: 'delivered' });
      await pd.waitFor((accepted) => accepted.length === 1);
      const [request] = pd.accepted();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v2/enqueue');
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(request.body).toMatchObject({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: 'slo-engine/checkout-availability/page',
        payload: {
          summary: '[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)',
          source: 'slo-engine',
          severity: 'critical',
          timestamp: '2026-11-21T10:00:00.000Z',
          custom_details: { rule: { burnRate: 14.4, long: '1h', short: '5m' }, remaining: 0.02, zone: 'freeze', burnRates: { '1h': 15.234, '5m': 20.1 } },
        },
        links: [{ href: 'https://wiki.example/runbooks/checkout', text: 'Runbook' }, expect.objectContaining({ href: 'https://slo.example/#/slos/checkout-availability' })],
      });
    });

    it('sends a resolve with the trigger’s dedup_key, and a source-unavailable ticket as a warning', async () => {
      expect(await send(burnRateMessage({ action: 'resolve' }), pdNotifier)).toEqual({ outcome: 'delivered' });
      expect(await send(sourceUnavailableMessage(), pdNotifier)).toEqual({ outcome: 'delivered' });
      const [resolve, source] = pd.accepted().map((r) => r.body as { event_action: string; dedup_key: string; payload: { severity: string } });
      expect(resolve).toMatchObject({ event_action: 'resolve', dedup_key: 'slo-engine/checkout-availability/page' });
      expect(source).toMatchObject({ event_action: 'trigger', dedup_key: 'slo-engine/checkout-availability/source', payload: { severity: 'warning' } });
    });

    const invalid = JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [`Length of 'routing_key' ${ROUTING_KEY} is incorrect`] });
    it.each<[string, { status: number; headers?: Record<string, string>; body?: string }, DeliveryResult]>([
      ['400', { status: 400, body: invalid }, { outcome: 'failed', reason: "HTTP 400: Event object is invalid: Length of 'routing_key' … is incorrect" }],
      ['404', { status: 404, body: '' }, { outcome: 'failed', reason: 'HTTP 404' }],
      ['500', { status: 500, body: '{}' }, { outcome: 'retry', reason: 'HTTP 500' }],
      ['503', { status: 503 }, { outcome: 'retry', reason: 'HTTP 503' }],
      ['429 with Retry-After: 3', { status: 429, headers: { 'Retry-After': '3' } }, { outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 3000 }],
      ['429 without Retry-After', { status: 429 }, { outcome: 'retry', reason: 'HTTP 429' }],
    ])('answers %s', async (_name, answer, expected) => {
      pd.respond(() => answer);
      expect(await send(burnRateMessage(), pdNotifier)).toEqual(expected);
      expect(pd.requests).toHaveLength(1);
    });

    it('reads a Retry-After given as an HTTP date', async () => {
      pd.respond(() => ({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() } }));
      const result = await send(burnRateMessage(), pdNotifier);
      expect(result).toMatchObject({ outcome: 'retry', reason: 'HTTP 429' });
      expect(result.outcome === 'retry' && result.retryAfterMs).toBeGreaterThan(55_000);
      expect(result.outcome === 'retry' && result.retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it('retries when the connection is refused', async () => {
      const url = `http://127.0.0.1:${await freePort()}/v2/enqueue`;
      expect(await send(burnRateMessage(), { ...pdNotifier, url })).toEqual({ outcome: 'retry', reason: 'ECONNREFUSED' });
    });

    it('retries when the receiver never answers, after the timeout', async () => {
      const silent = await startSilentServer();
      try {
        const started = Date.now();
        const result = await send(burnRateMessage(), { ...pdNotifier, url: `http://127.0.0.1:${silent.port}/v2/enqueue` });
        expect(result).toEqual({ outcome: 'retry', reason: 'timeout' });
        expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
      } finally {
        await silent.close();
      }
    });

    it('retries when the receiver trickles its answer past the timeout (the timeout is a deadline, not an idle time)', async () => {
      pd.respond(() => TRICKLE);
      const started = Date.now();
      expect(await send(burnRateMessage(), pdNotifier)).toEqual({ outcome: 'retry', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(pd.requests).toHaveLength(1);
    });

    it('delivers a page of an SLO with a very long description, its body within 512 KB (SPEC §6)', async () => {
      const description = `${'Checkout requests succeed 😀 "quoted"\n'.repeat(40_000)}end`; // ~1.8 MB of JSON
      expect(await send(burnRateMessage({ description }), pdNotifier)).toEqual({ outcome: 'delivered' });
      const [request] = pd.accepted();
      expect(Buffer.byteLength(JSON.stringify(request.body))).toBeLessThanOrEqual(PAGERDUTY_MAX_BODY_BYTES);
      expect(request.body.payload.custom_details.description).toMatch(/^Checkout requests succeed 😀 "quoted"\n.*…$/s);
      expect(request.body.payload.summary).toBe('[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)');
    });

    it('does not follow a redirect: the routing key stays with its host, the page is retried', async () => {
      const elsewhere = await startPagerDutyReceiver();
      try {
        for (const status of [301, 302, 303, 307, 308]) {
          pd.respond(() => ({ status, headers: { location: elsewhere.url } }));
          expect(await send(burnRateMessage(), pdNotifier)).toEqual({ outcome: 'retry', reason: `HTTP ${status}: redirect not followed` });
        }
        expect(pd.requests).toHaveLength(5);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    });

    it('uses the configured url as it is (the EU endpoint’s path on the loopback host)', async () => {
      const url = `${new URL(pd.url).origin}${new URL(PAGERDUTY_EU_EVENTS_URL).pathname}`;
      expect(await send(burnRateMessage(), { ...pdNotifier, url })).toEqual({ outcome: 'delivered' });
      expect(pd.accepted()).toHaveLength(1);
    });
  });

  describe('slack', () => {
    it('posts text and Block Kit blocks, 200 is delivered', async () => {
      expect(await send(burnRateMessage(), slackNotifier)).toEqual({ outcome: 'delivered' });
      expect(await send(sourceUnavailableMessage({ description: 'a <b> & c' }), slackNotifier)).toEqual({ outcome: 'delivered' });
      await slack.waitFor((accepted) => accepted.length === 2);
      const [trigger, source] = slack.accepted().map((r) => r.body as { text: string; blocks: Array<{ type: string }> });
      expect(trigger.text).toBe('[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)');
      expect(trigger.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':rotating_light: PAGE firing: checkout-availability', emoji: true } });
      expect(JSON.stringify(source.blocks)).toContain('a &lt;b&gt; &amp; c');
      expect(slack.accepted()[0].path).toBe('/services/T000/B000/XXXX');
    });

    it.each<[string, { status: number; headers?: Record<string, string>; body?: string }, DeliveryResult]>([
      ['429 with Retry-After: 7', { status: 429, headers: { 'Retry-After': '7' }, body: 'rate_limited' }, { outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 7000 }],
      ['500', { status: 500, body: 'rollup_error' }, { outcome: 'retry', reason: 'HTTP 500' }],
      ['400', { status: 400, body: 'invalid_payload' }, { outcome: 'failed', reason: 'HTTP 400: invalid_payload' }],
      ['403', { status: 403, body: 'action_prohibited' }, { outcome: 'failed', reason: 'HTTP 403: action_prohibited' }],
      ['404', { status: 404, body: 'no_service' }, { outcome: 'failed', reason: 'HTTP 404: no_service' }],
      ['410', { status: 410, body: 'channel_is_archived' }, { outcome: 'failed', reason: 'HTTP 410: channel_is_archived' }],
      ['404 naming the webhook', { status: 404, body: `no_service ${'/services/T000/B000/XXXX'}` }, { outcome: 'failed', reason: 'HTTP 404: no_service …' }],
    ])('answers %s', async (_name, answer, expected) => {
      slack.respond(() => answer);
      expect(await send(burnRateMessage(), slackNotifier)).toEqual(expected);
      expect(slack.requests).toHaveLength(1);
    });

    it('keeps each send’s Retry-After apart when sends to one webhook overlap', async () => {
      slack.respond((req) => {
        const body = req.body as { text: string };
        return { status: 429, headers: { 'Retry-After': body.text.includes('[page]') ? '11' : '22' } };
      });
      const [page, ticket] = await Promise.all([
        send(burnRateMessage(), slackNotifier),
        send(burnRateMessage({ severity: 'ticket', dedupKey: 'slo-engine/checkout-availability/ticket' }), slackNotifier),
      ]);
      expect(page).toEqual({ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 11_000 });
      expect(ticket).toEqual({ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 22_000 });
    });

    it('retries when the connection is refused', async () => {
      const webhookUrl = `http://127.0.0.1:${await freePort()}/services/T000/B000/XXXX`;
      expect(await send(burnRateMessage(), { ...slackNotifier, webhookUrl })).toEqual({ outcome: 'retry', reason: 'ECONNREFUSED' });
    });

    it('does not follow a redirect: the message stays with the webhook’s host, and is retried', async () => {
      const elsewhere = await startSlackReceiver();
      try {
        slack.respond(() => ({ status: 307, headers: { location: elsewhere.url } }));
        const result = await send(burnRateMessage(), slackNotifier);
        expect(result).toEqual({ outcome: 'retry', reason: 'fetch failed: unexpected redirect' }); // @slack/webhook asks fetch for redirect: 'error'
        expect(slack.requests).toHaveLength(1);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    });

    it('retries when the webhook trickles its answer past the timeout', async () => {
      slack.respond(() => TRICKLE);
      const started = Date.now();
      expect(await send(burnRateMessage(), slackNotifier)).toEqual({ outcome: 'retry', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
    });

    it('retries when the webhook never answers, after the timeout', async () => {
      const silent = await startSilentServer();
      try {
        const started = Date.now();
        const webhookUrl = `http://127.0.0.1:${silent.port}/services/T000/B000/XXXX`;
        expect(await send(burnRateMessage(), { ...slackNotifier, webhookUrl })).toEqual({ outcome: 'retry', reason: 'timeout' });
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
      } finally {
        await silent.close();
      }
    });
  });

  describe('the receivers themselves', () => {
    const post = (url: string, body: unknown): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('PagerDuty: reports a malformed event, answers a change event', async () => {
      await post(pd.url, { routing_key: 'short', event_action: 'explode', payload: { summary: '', severity: 'fatal', timestamp: 'yesterday' }, extra: 1 });
      const schemaProblems = pd.problems.filter((p) => p.includes(': schema: '));
      if (officialPagerDutySchema()) {
        expect(schemaProblems).toEqual([
          "POST /v2/enqueue: schema: /payload must have required property 'source'",
          'POST /v2/enqueue: schema: /payload/timestamp must match format "date-time"',
          'POST /v2/enqueue: schema: /payload/severity must be equal to one of the allowed values (critical, warning, error, info)',
          'POST /v2/enqueue: schema: /event_action must be equal to one of the allowed values (trigger, acknowledge, resolve)',
        ]);
      }
      expect(pd.problems.filter((p) => !p.includes(': schema: '))).toEqual([
        'POST /v2/enqueue: routing_key must be a 32-character string',
        'POST /v2/enqueue: event: unknown key "extra"',
        'POST /v2/enqueue: event_action "explode" is not trigger, acknowledge or resolve',
        'POST /v2/enqueue: dedup_key is required to explode',
        'POST /v2/enqueue: payload.summary must be a string of 1 to 1024 characters',
        'POST /v2/enqueue: payload.source must be a non-empty string',
        'POST /v2/enqueue: payload.severity "fatal" is not critical, error, warning or info',
        'POST /v2/enqueue: payload.timestamp must be ISO-8601',
      ]);
      pd.problems.length = 0;
      const change = await post(pd.url.replace('/v2/enqueue', '/v2/change/enqueue'), {
        routing_key: ROUTING_KEY,
        payload: { summary: 'Deploy of checkout 1.2.3', timestamp: '2026-11-21T10:00:00Z', source: 'slo-engine', custom_details: {} },
      });
      expect(change.status).toBe(202);
      expect(await change.json()).toEqual({ status: 'success', message: 'Change event processed' });
      expect(pd.problems).toEqual([]);
    });

    it('PagerDuty: refuses a body over 512 KB with a 400, as PagerDuty does', async () => {
      const body = { routing_key: ROUTING_KEY, event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info', custom_details: { big: 'b'.repeat(PAGERDUTY_MAX_BODY_BYTES) } } };
      const response = await post(pd.url, body);
      expect(response.status).toBe(400);
      expect(pd.problems).toEqual([expect.stringMatching(/^POST \/v2\/enqueue: body of \d+ bytes is over PagerDuty's 512 KB$/)]);
      pd.problems.length = 0;
    });

    const schema = officialPagerDutySchema();
    (schema ? it : it.skip)(
      schema
        ? `PagerDuty: checks every request against the official Events API v2 schema (PagerDuty/api-schema ${schema.commit.slice(0, 12)}), which accepts its own examples`
        : `PagerDuty: official Events API v2 schema SKIPPED: ${PAGERDUTY_SCHEMA_FILE} not found (hand-written checks only)`,
      async () => {
        const official = officialPagerDutySchema();
        if (!official) return;
        expect(official.examples['/enqueue'].length).toBeGreaterThan(0);
        expect(official.examples['/change/enqueue'].length).toBeGreaterThan(0);
        for (const example of official.examples['/enqueue']) expect(official.event(example)).toEqual([]);
        for (const example of official.examples['/change/enqueue']) expect(official.change(example)).toEqual([]);
        // what the document requires, refused: a trigger without payload.source, a change event without a summary
        expect(official.event({ routing_key: ROUTING_KEY, event_action: 'trigger', payload: { summary: 's', severity: 'info' } })).toEqual(["schema: /payload must have required property 'source'"]);
        expect(official.change({ routing_key: ROUTING_KEY, payload: { source: 'x' } })).toEqual(["schema: /payload must have required property 'summary'"]);
        expect(official.event({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'k', links: [{ href: 'not a url' }] })).toEqual(['schema: /links/0/href must match format "url"']);
        // and the bodies the drivers send pass it (the loopback receiver checked them in every test above)
        await send(burnRateMessage(), pdNotifier);
        await send(sourceUnavailableMessage({ action: 'resolve' }), pdNotifier);
        expect(pd.accepted()).toHaveLength(2);
      },
    );

    it('Slack: reports broken blocks and unescaped text', async () => {
      await post(slack.url, { text: 'a & b <c', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x'.repeat(151) } }, { type: 'bogus' }, { type: 'section' }] });
      expect(slack.problems).toEqual([
        'POST /services/T000/B000/XXXX: text: unescaped < or >',
        'POST /services/T000/B000/XXXX: text: unescaped &',
        'POST /services/T000/B000/XXXX: blocks[0].text.type "mrkdwn" must be plain_text',
        'POST /services/T000/B000/XXXX: blocks[0].text.text must be a string of 1 to 150 characters',
        'POST /services/T000/B000/XXXX: blocks[1]: unknown block type "bogus"',
        'POST /services/T000/B000/XXXX: blocks[2]: a section needs text or fields',
      ]);
      slack.problems.length = 0;
    });

    it('waitFor says what it saw when the condition is not met', async () => {
      await expect(slack.waitFor((accepted) => accepted.length > 0, 50)).rejects.toThrow(/condition not met within 50 ms; 0 accepted of 0 requests \(none\)/);
    });
  });

  describe('pagerduty change events', () => {
    quietNestLogs();

    it('do not follow a redirect: the routing key never reaches the other host; retried, then given up', async () => {
      const elsewhere = await startPagerDutyReceiver();
      try {
        pd.respond(() => ({ status: 307, headers: { location: elsewhere.url.replace('/v2/enqueue', '/v2/change/enqueue') } }));
        const config = configHolder(`slos:
  - { id: checkout-availability, service: checkout, objective: 99.9, window: 30d, sli: { source: events } }
notifiers:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}", changeEvents: true }
`);
        const changeEvents = new PagerDutyChangeEvents(config);
        changeEvents.retryBaseMs = 1;
        changeEvents.publish({ summary: 'Deploy of checkout 1.2.3 (feature) allowed by the deploy gate', timestamp: '2026-11-21T10:00:00.000Z', customDetails: { version: '1.2.3' } });
        await changeEvents.idle();
        expect(pd.requests.map((r) => `${r.path} ${r.status}`)).toEqual(Array.from({ length: CHANGE_EVENT_ATTEMPTS }, () => '/v2/change/enqueue 307'));
        expect(elsewhere.requests).toEqual([]); // nothing arrived there, so neither did the routing key
        expect(elsewhere.problems).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    });
  });

  describe('log', () => {
    const lines: Array<{ message: unknown; params: unknown[] }> = [];
    const fake: LoggerService = {
      log: (message: unknown, ...params: unknown[]) => void lines.push({ message, params }),
      error: () => undefined,
      warn: () => undefined,
    };
    beforeAll(() => Logger.overrideLogger(fake));
    afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

    it('writes one structured line with context Notification, and is delivered', async () => {
      const notifier: NotifierConfig = { name: 'log', type: 'log' };
      expect(await send(burnRateMessage(), notifier)).toEqual({ outcome: 'delivered' });
      expect(lines).toHaveLength(1);
      expect(lines[0].message).toEqual({
        receiver: 'log',
        action: 'trigger',
        dedupKey: 'slo-engine/checkout-availability/page',
        slo: 'checkout-availability',
        service: 'checkout',
        severity: 'page',
        kind: 'burn-rate',
        rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
        remaining: 0.02,
        burnRates: burnRateMessage().burnRates,
      });
      expect(lines[0].params).toEqual(['[page] checkout-availability: burning error budget at 15.2× over 1h (2% of budget left)', 'Notification']);
    });
  });
});
