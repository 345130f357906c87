import Redis from 'ioredis';
import { Logger } from '@nestjs/common';
import { PostmortemReminderService } from '../../src/alerting/postmortem-reminder.service';
import { REMINDER_MARK_TTL_MS, type ReminderOutbox } from '../../src/alerting/ports/reminder-outbox';
import type { ConfigHolder } from '../../src/config/config-holder';
import type { Outbox } from '../../src/notifiers/ports/outbox';
import type { PostmortemReminder } from '../../src/notifiers/ports/reminders';
import type { PostmortemReminderMessage } from '../../src/notifiers/ports/notification-message';
import { MemoryAlertStore } from '../../src/store/memory/memory-alert-store';
import { RedisAlertStore } from '../../src/store/redis/redis-alert-store';
import { redisOptions, waitForRedis } from '../../src/store/redis/redis-connection';
import { configHolder, quietNestLogs, RecordingDeliveryTrigger, T0 } from '../service/support';
import { useTestRedis } from '../helpers/redis-server';

/**
 * Postmortem reminders are recorded once (SPEC §6, §13): the reminder service (routing, messages)
 * over the memory and the Redis store, as replicas run it — two callers with the same key record it
 * once, different keys each once, a receiver reached by two routes gets one copy, in the incident's
 * lane, sent once by the outbox.
 */
type Store = ReminderOutbox & Outbox;

const redis = useTestRedis();
let counter = 0;

async function connect(): Promise<Redis> {
  const client = redis.client(redisOptions());
  await waitForRedis(client, 5_000);
  return client;
}

const CONFIG = `slos:
  - id: checkout-availability
    service: checkout
    team: payments
    objective: 99.9
    window: 30d
    sli: { source: events }
  - id: checkout-latency
    service: checkout
    team: payments
    objective: 99
    window: 7d
    sli: { source: events }
notifiers:
  pd: { type: pagerduty, routingKey: "R0UT1NGKEY0123456789012345678901", url: "https://events.pagerduty.example/v2/enqueue" }
  slack: { type: slack, webhookUrl: "https://hooks.slack.example/services/T000/B000/XXXX" }
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [pd]
  - match: { severity: ticket, team: payments }
    notify: [slack]
  - match: { kind: postmortem }
    notify: [slack, log]
  - match: { slo: checkout-availability }
    notify: [pd]
`;

const INCIDENT = 'inc-20261121-0123456789ab';

function reminder(key: string, over: Partial<PostmortemReminder> = {}): PostmortemReminder {
  return {
    key,
    incidentId: INCIDENT,
    service: 'checkout',
    what: key.endsWith('/postmortem') ? 'postmortem' : 'action-item',
    title: key.endsWith('/postmortem') ? `postmortem of incident ${INCIDENT}` : 'Add a retry budget',
    owner: 'alice',
    dueAt: '2026-11-23T10:00:00.000Z',
    url: `https://slo.example/incidents/${INCIDENT}`,
    ...over,
  };
}

const POSTMORTEM = `${INCIDENT}/postmortem`;
const ITEM_0 = `${INCIDENT}/action-items/0`;
const ITEM_1 = `${INCIDENT}/action-items/1`;

/** What the outbox holds, as `receiver lane dedupKey`. */
async function pendingOf(store: Outbox): Promise<string[]> {
  return (await store.pending()).map((d) => `${d.receiver} ${d.lane} ${d.message.dedupKey}`);
}

/** Two replicas over one shared state: memory (one store, two services) or Redis (two clients, one prefix). */
const kinds: Array<[string, () => Promise<[Store, Store]>]> = [
  [
    'memory',
    async () => {
      const store = new MemoryAlertStore();
      return [store, store];
    },
  ],
  [
    'redis',
    async () => {
      const prefix = `reminder-contract-${process.pid}-${++counter}:`;
      return [new RedisAlertStore(await connect(), prefix), new RedisAlertStore(await connect(), prefix)];
    },
  ],
];

describe.each(kinds)('postmortem reminders recorded once (%s)', (_kind, open) => {
  quietNestLogs();
  let config: ConfigHolder;
  let stores: [Store, Store];
  let nudges: [RecordingDeliveryTrigger, RecordingDeliveryTrigger];
  let replicas: [PostmortemReminderService, PostmortemReminderService];

  beforeEach(async () => {
    config = configHolder(CONFIG);
    stores = await open();
    nudges = [new RecordingDeliveryTrigger(), new RecordingDeliveryTrigger()];
    replicas = [new PostmortemReminderService(config, stores[0], nudges[0]), new PostmortemReminderService(config, stores[1], nudges[1])];
  });

  it('two callers with the same key at once: recorded by one, once per receiver', async () => {
    const [a, b] = await Promise.all([replicas[0].remind([reminder(POSTMORTEM)], T0), replicas[1].remind([reminder(POSTMORTEM)], T0)]);
    expect([...a, ...b]).toEqual([POSTMORTEM]);
    expect(nudges[0].kicks + nudges[1].kicks).toBe(1);
    // tickets of payments → slack; kind postmortem → slack, log; severity page and slo routes do not reach it
    expect(await pendingOf(stores[0])).toEqual([
      `log log/postmortem/${INCIDENT} slo-engine/postmortem/${POSTMORTEM}`,
      `slack slack/postmortem/${INCIDENT} slo-engine/postmortem/${POSTMORTEM}`,
    ]);
    // asked again in later cycles, by either replica: nothing more
    expect(await replicas[0].remind([reminder(POSTMORTEM)], T0 + 60_000)).toEqual([]);
    expect(await replicas[1].remind([reminder(POSTMORTEM)], T0 + 120_000)).toEqual([]);
    expect(await pendingOf(stores[1])).toHaveLength(2);
  });

  it('different keys are each recorded once, in the order asked, in the lane of their incident', async () => {
    expect(await replicas[0].remind([reminder(POSTMORTEM), reminder(ITEM_0)], T0)).toEqual([POSTMORTEM, ITEM_0]);
    expect(await replicas[1].remind([reminder(ITEM_0), reminder(ITEM_1), reminder(ITEM_1)], T0 + 1_000)).toEqual([ITEM_1]);
    const slack = (await stores[0].pending()).filter((d) => d.receiver === 'slack');
    expect(slack.map((d) => (d.message as PostmortemReminderMessage).key)).toEqual([POSTMORTEM, ITEM_0, ITEM_1]);
    expect(new Set(slack.map((d) => d.lane))).toEqual(new Set([`slack/postmortem/${INCIDENT}`]));
    expect(slack[2].message).toMatchObject({ alertKind: 'postmortem', action: 'trigger', severity: 'ticket', what: 'action-item', team: 'payments', owner: 'alice' });
  });

  it('a receiver reached by two routes gets one copy, sent once', async () => {
    await replicas[0].remind([reminder(POSTMORTEM)], T0);
    const claims = await stores[1].claim({ nowMs: T0, max: 10, leaseMs: 30_000, minIntervalMs: {} });
    expect(claims.map((c) => c.delivery.receiver).sort()).toEqual(['log', 'slack']);
    for (const claim of claims) expect(await stores[1].complete(claim, T0)).toBe(true);
    expect(await stores[0].pending()).toEqual([]);
    expect(await replicas[1].remind([reminder(POSTMORTEM)], T0 + 1_000)).toEqual([]);
    expect(await stores[0].claim({ nowMs: T0 + 1_000, max: 10, leaseMs: 30_000, minIntervalMs: {} })).toEqual([]);
  });

  it('a reminder no route reaches is marked all the same, and never recorded later', async () => {
    const pagesOnly = configHolder(CONFIG.replace(/  - match: \{ severity: ticket[\s\S]*$/, ''));
    expect(pagesOnly.current.routes).toEqual([{ match: { severity: 'page' }, notify: ['pd'] }]);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(await new PostmortemReminderService(pagesOnly, stores[0], nudges[0]).remind([reminder(POSTMORTEM)], T0)).toEqual([POSTMORTEM]);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ reminder: expect.objectContaining({ key: POSTMORTEM, receivers: [] }) }), expect.stringMatching(/no route/));
    } finally {
      warn.mockRestore();
    }
    expect(await stores[0].pending()).toEqual([]);
    expect(nudges[0].kicks).toBe(0);
    // routes added later do not make it due again: a reminder is sent once, when it becomes overdue
    expect(await replicas[1].remind([reminder(POSTMORTEM)], T0 + 1_000)).toEqual([]);
    expect(await stores[1].pending()).toEqual([]);
  });
});

describe('postmortem reminders in Redis', () => {
  it('keep their mark under the prefix for as long as incidents are kept (400 days)', async () => {
    const client = await connect();
    const prefix = `reminder-ttl-${process.pid}:`;
    const store = new RedisAlertStore(client, prefix);
    expect(await store.recordReminder(POSTMORTEM, [], T0)).toBe(true);
    const ttl = await client.pttl(`${prefix}reminded:${POSTMORTEM}`);
    expect(ttl).toBeGreaterThan(REMINDER_MARK_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(REMINDER_MARK_TTL_MS);
    expect(await store.recordReminder(POSTMORTEM, [], T0)).toBe(false);
  });
});
