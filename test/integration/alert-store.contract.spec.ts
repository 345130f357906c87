import Redis from 'ioredis';
import { AlertStateRepository, SloAlertChange } from '../../src/alerting/ports/alert-state.repository';
import { Delivery, laneOf, Outbox, receiverOfLane } from '../../src/notifiers/ports/outbox';
import { inactiveState, type AlertState } from '../../src/alerting/domain/alert-state';
import type { NotificationMessage } from '../../src/notifiers/ports/notification-message';
import { MemoryAlertStore } from '../../src/store/memory/memory-alert-store';
import { RedisAlertStore } from '../../src/store/redis/redis-alert-store';
import { redisOptions, waitForRedis } from '../../src/store/redis/redis-connection';
import { StateUnavailableError } from '../../src/common/domain-error';
import { startRedis, useTestRedis } from '../helpers/redis-server';

/**
 * One contract, two stores: the compare-and-set of alert states with their notifications, and the
 * outbox's lanes (order, leases, retries, pacing) hold in memory and in Redis alike — what "one
 * notification per transition per receiver, in order" rests on (SPEC §6).
 */
type Store = AlertStateRepository & Outbox;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

const redis = useTestRedis();
let counter = 0;

async function connect(): Promise<Redis> {
  const client = redis.client(redisOptions());
  await waitForRedis(client, 5_000);
  return client;
}

function firing(slo: string, severity: 'page' | 'ticket' = 'page', told: string[] = []): AlertState {
  return { ...inactiveState(slo, 'burn-rate', severity), state: 'firing', since: T0, rule: 'page:14.4:1h:5m', notifiedReceivers: told };
}

function message(slo: string, action: Delivery['action']): NotificationMessage {
  return {
    dedupKey: `slo-engine/${slo}/page`,
    action,
    alertKind: 'burn-rate',
    severity: 'page',
    slo,
    service: 'checkout',
    team: null,
    description: null,
    objective: 99.9,
    window: '30d',
    rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
    burnRates: { '1h': 20 },
    remaining: 0.5,
    zone: 'caution',
    exhaustsAt: null,
    since: new Date(T0).toISOString(),
    at: new Date(T0).toISOString(),
    runbook: null,
    budgetUrl: 'http://localhost:8080/#checkout',
    lastError: null,
  };
}

function delivery(slo: string, receiver: string, action: Delivery['action'], n = 0): Delivery & { message: NotificationMessage } {
  const alertKey = `${slo}/page`;
  return {
    id: `${slo}-${receiver}-${action}-${n}-${++counter}`,
    lane: laneOf(receiver, alertKey),
    receiver,
    alertKey,
    action,
    message: message(slo, action),
    createdAtMs: T0,
    attempts: 0,
    lastError: null,
  };
}

function change(slo: string, expected: string | null, states: AlertState[], deliveries: Delivery[] = []): SloAlertChange {
  return { slo, expected, states, deliveries };
}

const claimAt = (store: Store, nowMs: number, minIntervalMs: Record<string, number> = {}, max = 10) =>
  store.claim({ nowMs, max, leaseMs: 30_000, minIntervalMs });

const kinds: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => new MemoryAlertStore()],
  ['redis', async () => new RedisAlertStore(await connect(), `alert-contract-${process.pid}-${++counter}:`)],
];

describe('lanes', () => {
  it('a lane is `{receiver}/{slo}/{severity}` and its receiver is found again, slashes and all', () => {
    expect(laneOf('pd-payments', 'checkout/page')).toBe('pd-payments/checkout/page');
    expect(receiverOfLane('pd-payments/checkout/page')).toBe('pd-payments');
    expect(receiverOfLane(laneOf('team/a', 'checkout/source'))).toBe('team/a');
  });
});

describe.each(kinds)('alert store contract (%s)', (_kind, open) => {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });

  it('stores states and their deliveries together, and refuses a commit from a stale read', async () => {
    expect(await store.loadAll()).toEqual([]);
    const first = [firing('checkout', 'page', ['pd'])];
    expect(await store.commit([change('checkout', null, first, [delivery('checkout', 'pd', 'trigger')])], T0)).toEqual([true]);
    const [stored] = await store.loadAll();
    expect(stored.slo).toBe('checkout');
    expect(stored.states).toEqual(first);

    // A second replica read "nothing stored" too: its plan is refused and records nothing.
    expect(await store.commit([change('checkout', null, first, [delivery('checkout', 'pd', 'trigger')])], T0)).toEqual([false]);
    expect((await store.pending()).map((d) => d.action)).toEqual(['trigger']);

    // With the version it read, the change applies.
    const resolved = [inactiveState('checkout', 'burn-rate', 'page')];
    expect(await store.commit([change('checkout', stored.version, resolved, [delivery('checkout', 'pd', 'resolve')])], T0)).toEqual([true]);
    expect(await store.loadAll()).toEqual([]); // all inactive: nothing kept
    expect((await store.pending()).map((d) => d.action)).toEqual(['trigger', 'resolve']);
  });

  it('of two replicas committing the same transition at once, exactly one wins', async () => {
    const plan = () => change('checkout', null, [firing('checkout', 'page', ['pd'])], [delivery('checkout', 'pd', 'trigger')]);
    const results = await Promise.all([store.commit([plan()], T0), store.commit([plan()], T0)]);
    expect(results.flat().filter(Boolean)).toHaveLength(1);
    expect(await store.pending()).toHaveLength(1);
  });

  it('applies each change of a batch on its own', async () => {
    await store.commit([change('a', null, [firing('a')])], T0);
    const results = await store.commit([change('a', null, [firing('a')]), change('b', null, [firing('b')])], T0);
    expect(results).toEqual([false, true]);
    expect((await store.loadAll()).map((s) => s.slo).sort()).toEqual(['a', 'b']);
  });

  it('sends a lane in order: the resolve waits until its trigger is done', async () => {
    const trigger = delivery('checkout', 'pd', 'trigger');
    const resolve = delivery('checkout', 'pd', 'resolve');
    await store.commit([change('checkout', null, [firing('checkout')], [trigger, resolve])], T0);
    const [claim] = await claimAt(store, T0);
    expect(claim.delivery.id).toBe(trigger.id);
    expect(await claimAt(store, T0 + 1)).toEqual([]); // the lane is busy
    expect(await store.complete(claim, T0 + 2)).toBe(true);
    const [next] = await claimAt(store, T0 + 2);
    expect(next.delivery.id).toBe(resolve.id);
    expect(await store.complete(next, T0 + 3)).toBe(true);
    expect(await claimAt(store, T0 + 100_000)).toEqual([]);
    expect(await store.pending()).toEqual([]);
  });

  it('claims different lanes in parallel, at most `max` at a time', async () => {
    await store.commit(
      [change('checkout', null, [firing('checkout')], [delivery('checkout', 'pd', 'trigger'), delivery('checkout', 'slack', 'trigger')])],
      T0,
    );
    expect(await claimAt(store, T0, {}, 1)).toHaveLength(1);
    expect(await claimAt(store, T0, {}, 10)).toHaveLength(1);
  });

  it('a retried delivery stays at the head, counts its attempts and is due again at retryAt', async () => {
    const trigger = delivery('checkout', 'pd', 'trigger');
    await store.commit([change('checkout', null, [firing('checkout')], [trigger, delivery('checkout', 'pd', 'resolve')])], T0);
    const [claim] = await claimAt(store, T0);
    expect(await store.retry(claim, { retryAtMs: T0 + 5_000, attempts: 1, lastError: 'HTTP 500' })).toBe(true);
    expect(await claimAt(store, T0 + 4_999)).toEqual([]);
    const [again] = await claimAt(store, T0 + 5_000);
    expect(again.delivery).toMatchObject({ id: trigger.id, attempts: 1, lastError: 'HTTP 500' });
  });

  it('a claim whose sender died is due again when its lease runs out; the dead claim can no longer complete', async () => {
    await store.commit([change('checkout', null, [firing('checkout')], [delivery('checkout', 'pd', 'trigger')])], T0);
    const [dead] = await claimAt(store, T0);
    expect(await claimAt(store, T0 + 29_999)).toEqual([]);
    const [taken] = await claimAt(store, T0 + 30_000);
    expect(taken.delivery.id).toBe(dead.delivery.id);
    expect(await store.complete(dead, T0 + 30_001)).toBe(false);
    expect(await store.retry(dead, { retryAtMs: T0, attempts: 9, lastError: 'x' })).toBe(false);
    expect(await store.complete(taken, T0 + 30_002)).toBe(true);
    expect(await store.pending()).toEqual([]);
  });

  it('paces a receiver: one send per interval across all its lanes', async () => {
    await store.commit(
      [
        change('a', null, [firing('a')], [delivery('a', 'slack', 'trigger')]),
        change('b', null, [firing('b')], [delivery('b', 'slack', 'trigger')]),
        change('c', null, [firing('c')], [delivery('c', 'pd', 'trigger')]),
      ],
      T0,
    );
    const pacing = { slack: 1_000 };
    const first = await claimAt(store, T0, pacing);
    expect(first.map((c) => c.delivery.receiver).sort()).toEqual(['pd', 'slack']);
    expect(await claimAt(store, T0 + 999, pacing)).toEqual([]);
    const second = await claimAt(store, T0 + 1_000, pacing);
    expect(second.map((c) => c.delivery.receiver)).toEqual(['slack']);
    expect(second[0].delivery.message.dedupKey).not.toBe(first.find((c) => c.delivery.receiver === 'slack')?.delivery.message.dedupKey);
  });

  it("a receiver's pause (429 Retry-After) holds back all of its lanes, not other receivers'", async () => {
    await store.commit(
      [
        change('a', null, [firing('a')], [delivery('a', 'slack', 'trigger')]),
        change('b', null, [firing('b')], [delivery('b', 'slack', 'trigger')]),
        change('c', null, [firing('c')], [delivery('c', 'pd', 'trigger')]),
      ],
      T0,
    );
    const claims = await claimAt(store, T0, {}, 1);
    const slackClaim = claims[0].delivery.receiver === 'slack' ? claims[0] : (await claimAt(store, T0, {}, 3)).find((c) => c.delivery.receiver === 'slack')!;
    await store.retry(slackClaim, { retryAtMs: T0 + 1_000, attempts: 1, lastError: 'HTTP 429', receiverPausedUntilMs: T0 + 7_000 });
    const during = await claimAt(store, T0 + 6_999, {}, 10);
    expect(during.every((c) => c.delivery.receiver !== 'slack')).toBe(true);
    const after = await claimAt(store, T0 + 7_000, {}, 10);
    expect(after.map((c) => c.delivery.receiver)).toContain('slack');
  });

  it('keeps what the SLO is with its states, and answers states stored without it as before', async () => {
    const about = { service: 'checkout', team: 'payments', objective: 99.9, window: '30d', runbook: 'https://wiki.example/runbooks/checkout' };
    const states = [firing('checkout', 'page', ['pd'])];
    await store.commit([{ ...change('checkout', null, states), about }, change('legacy', null, [firing('legacy')])], T0);
    const stored = new Map((await store.loadAll()).map((s) => [s.slo, s]));
    expect(stored.get('checkout')).toMatchObject({ states, about });
    expect(stored.get('checkout')?.unreadable).toBeUndefined();
    expect(stored.get('legacy')?.about).toBeUndefined();
    expect(stored.get('legacy')?.states).toEqual([firing('legacy')]);
    // the version read (with what the SLO is) is the one to compare-and-set against
    expect(await store.commit([change('checkout', stored.get('checkout')!.version, [inactiveState('checkout', 'burn-rate', 'page')])], T0)).toEqual([true]);
  });

  it('keeps notifications as recorded: the message snapshot comes back unchanged', async () => {
    const d = delivery('checkout', 'pd', 'trigger');
    await store.commit([change('checkout', null, [firing('checkout')], [d])], T0);
    const [claim] = await claimAt(store, T0);
    expect(claim.delivery).toEqual(d);
  });
});

describe('alert store in Redis', () => {
  it('survives a restart: a new store on the same Redis sees states and pending notifications', async () => {
    const prefix = `alert-restart-${process.pid}:`;
    const before = new RedisAlertStore(await connect(), prefix);
    const d = delivery('checkout', 'pd', 'trigger');
    await before.commit([change('checkout', null, [firing('checkout', 'page', ['pd'])], [d])], T0);
    const after = new RedisAlertStore(await connect(), prefix);
    expect((await after.loadAll())[0].states[0].notifiedReceivers).toEqual(['pd']);
    const [claim] = await claimAt(after, T0);
    expect(claim.delivery.id).toBe(d.id);
  });

  it('two replicas never claim the same notification', async () => {
    const prefix = `alert-replicas-${process.pid}:`;
    const a = new RedisAlertStore(await connect(), prefix);
    const b = new RedisAlertStore(await connect(), prefix);
    const deliveries = Array.from({ length: 20 }, (_, i) => delivery(`slo-${i}`, 'pd', 'trigger'));
    await a.commit(
      deliveries.map((d) => change(d.message.slo, null, [firing(d.message.slo)], [d])),
      T0,
    );
    const [fromA, fromB] = await Promise.all([claimAt(a, T0, {}, 20), claimAt(b, T0, {}, 20)]);
    const ids = [...fromA, ...fromB].map((c) => c.delivery.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('answers a malformed value as unreadable, naming the key, and every other SLO as usual (SPEC §12)', async () => {
    const prefix = `alert-malformed-${process.pid}:`;
    const client = await connect();
    const store = new RedisAlertStore(client, prefix);
    await store.commit([change('good', null, [firing('good', 'page', ['pd'])])], T0);
    await client.hset(`${prefix}alerts:state`, 'not-json', '[{"slo": "not-json"', 'wrong-shape', '{"page": "firing"}', 'other-slo', JSON.stringify([firing('elsewhere')]));

    const stored = new Map((await store.loadAll()).map((s) => [s.slo, s]));

    expect(stored.get('good')).toMatchObject({ states: [firing('good', 'page', ['pd'])] });
    expect(stored.get('good')?.unreadable).toBeUndefined();
    for (const slo of ['not-json', 'wrong-shape', 'other-slo']) {
      expect(stored.get(slo)).toMatchObject({ slo, states: [], unreadable: expect.stringContaining(`Redis hash "${prefix}alerts:state" field "${slo}"`) });
    }
    expect(stored.get('wrong-shape')?.unreadable).toMatch(/not a list of alert states/);
    expect(stored.get('other-slo')?.unreadable).toMatch(/slo is "elsewhere"/);
    // its version is the malformed value: a commit expecting "nothing stored" is refused
    expect(await store.commit([change('not-json', null, [firing('not-json')])], T0)).toEqual([false]);
    expect(await client.hget(`${prefix}alerts:state`, 'not-json')).toBe('[{"slo": "not-json"');
  });

  it('answers StateUnavailableError while Redis is down', async () => {
    const own = await startRedis(); // a server of its own: the suite's keeps serving the other tests
    const client = new Redis(own.url, redisOptions());
    try {
      await waitForRedis(client, 5_000);
      const store = new RedisAlertStore(client, 'down:');
      await own.stop();
      await expect(store.loadAll()).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(claimAt(store, T0)).rejects.toBeInstanceOf(StateUnavailableError);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});
