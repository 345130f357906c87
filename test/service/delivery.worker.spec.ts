import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/common/clock';
import type { ConfigHolder } from '../../src/config/config-holder';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { NotificationCounters } from '../../src/notifiers/delivery/notification-counters';
import { retryDelayMs } from '../../src/notifiers/domain/delivery-policy';
import { laneOf, type Delivery } from '../../src/notifiers/ports/outbox';
import type { NotificationAction } from '../../src/notifiers/ports/notification-message';
import { MemoryAlertStore } from '../../src/store/memory/memory-alert-store';
import { burnRateMessage } from '../helpers/notification-messages';
import { configHolder, HOUR, quietNestLogs, ScriptedDrivers, SECOND, T0 } from './support';

/**
 * The delivery worker (SPEC §6) draining the in-memory outbox through scripted drivers: what is
 * sent when, what stays in the outbox, and what `slo_engine_notifications_total` counts.
 */
const CONFIG = `slos:
  - { id: checkout-availability, service: checkout, objective: 99.9, window: 30d, sli: { source: events } }
  - { id: search-availability, service: search, objective: 99.5, window: 28d, sli: { source: events } }
notifiers:
  pd: { type: pagerduty, routingKey: "R0UT1NGKEY0123456789012345678901", url: "https://events.pagerduty.example/v2/enqueue" }
  slack: { type: slack, webhookUrl: "https://hooks.slack.example/services/T000/B000/XXXX" }
routes:
  - match: { severity: page }
    notify: [pd, slack]
`;

describe('DeliveryWorker', () => {
  quietNestLogs();

  let clock: ManualClock;
  let config: ConfigHolder;
  let outbox: MemoryAlertStore;
  let drivers: ScriptedDrivers;
  let counters: NotificationCounters;
  let worker: DeliveryWorker;

  beforeEach(() => {
    clock = new ManualClock(T0);
    config = configHolder(CONFIG);
    outbox = new MemoryAlertStore();
    drivers = new ScriptedDrivers(() => clock.now());
    counters = new NotificationCounters(new Registry());
    worker = new DeliveryWorker(config, clock, outbox, drivers, counters);
    worker.random = () => 0; // no jitter: the shortest backoff
  });

  /** Records one notification in the outbox now, as alerting does (with an alert-state commit). */
  async function record(receiver: string, action: NotificationAction, slo = 'checkout-availability'): Promise<Delivery> {
    const alertKey = `${slo}/page`;
    const delivery: Delivery = {
      id: randomUUID(),
      lane: laneOf(receiver, alertKey),
      receiver,
      alertKey,
      action,
      message: burnRateMessage({ slo, action, dedupKey: `slo-engine/${alertKey}` }),
      createdAtMs: clock.now(),
      attempts: 0,
      lastError: null,
    };
    const [applied] = await outbox.commit([{ slo: `outbox-only-${delivery.id}`, expected: null, states: [], deliveries: [delivery] }], clock.now());
    expect(applied).toBe(true);
    return delivery;
  }

  /** What was sent, as `+seconds receiver action slo`. */
  const sent = (): string[] => drivers.sent.map((s) => `+${(s.atMs - T0) / SECOND}s ${s.receiver} ${s.action} ${s.dedupKey.split('/')[1]}`);
  const pending = async (): Promise<string[]> => (await outbox.pending()).map((d) => `${d.receiver} ${d.action} ${d.message.dedupKey.split('/')[1]} attempts=${d.attempts}`);
  const count = async (receiver: string) => ({
    delivered: await counters.value(receiver, 'delivered'),
    retried: await counters.value(receiver, 'retried'),
    failed: await counters.value(receiver, 'failed'),
  });

  it('sends a due notification; delivered, it leaves the outbox and is counted', async () => {
    await record('pd', 'trigger');

    expect(await worker.drain()).toEqual({ delivered: 1, retried: 0, failed: 0 });

    expect(sent()).toEqual(['+0s pd trigger checkout-availability']);
    expect(await pending()).toEqual([]);
    expect(await count('pd')).toEqual({ delivered: 1, retried: 0, failed: 0 });
  });

  it('keeps a notification to retry with backoff: nothing is sent before its time, it is sent after', async () => {
    const delayMs = retryDelayMs(1, 0);
    drivers.script('pd', { outcome: 'retry', reason: 'HTTP 503' });
    await record('pd', 'trigger');

    await worker.drain();
    expect(await pending()).toEqual(['pd trigger checkout-availability attempts=1']);
    expect((await outbox.pending())[0].lastError).toBe('HTTP 503');
    expect(await count('pd')).toEqual({ delivered: 0, retried: 1, failed: 0 });

    clock.advance(delayMs - 1);
    await worker.drain();
    expect(sent()).toHaveLength(1);

    clock.advance(1);
    await worker.drain();
    expect(sent()).toEqual(['+0s pd trigger checkout-availability', `+${delayMs / SECOND}s pd trigger checkout-availability`]);
    expect(await pending()).toEqual([]);
    expect(await count('pd')).toEqual({ delivered: 1, retried: 1, failed: 0 });
  });

  it('keeps a lane in order: a resolve is never sent before its trigger, even while the trigger is retried', async () => {
    drivers.script('pd', { outcome: 'retry', reason: 'HTTP 500' }, { outcome: 'retry', reason: 'HTTP 500' });
    await record('pd', 'trigger');
    clock.advance(SECOND);
    await record('pd', 'resolve');

    await worker.drain();
    clock.advance(HOUR); // long past every backoff: both would be due if lanes did not keep order
    await worker.drain();
    expect(drivers.sent.map((s) => s.action)).toEqual(['trigger', 'trigger']);
    expect(await pending()).toEqual(['pd trigger checkout-availability attempts=2', 'pd resolve checkout-availability attempts=0']);

    clock.advance(HOUR);
    await worker.drain();
    expect(drivers.sent.map((s) => s.action)).toEqual(['trigger', 'trigger', 'trigger', 'resolve']);
    expect(await pending()).toEqual([]);
  });

  it('does not retry a permanent failure, and counts it failed', async () => {
    drivers.script('pd', { outcome: 'failed', reason: 'HTTP 400: Event object is invalid' });
    await record('pd', 'trigger');

    expect(await worker.drain()).toEqual({ delivered: 0, retried: 0, failed: 1 });
    clock.advance(HOUR);
    await worker.drain();

    expect(sent()).toEqual(['+0s pd trigger checkout-availability']);
    expect(await pending()).toEqual([]);
    expect(await count('pd')).toEqual({ delivered: 0, retried: 0, failed: 1 });
  });

  it('gives up a notification not delivered within 24 h, without sending it again', async () => {
    drivers.script('pd', { outcome: 'retry', reason: 'HTTP 503' });
    await record('pd', 'trigger');
    await worker.drain();

    clock.advance(24 * HOUR);
    expect(await worker.drain()).toEqual({ delivered: 0, retried: 0, failed: 1 });

    expect(drivers.sent).toHaveLength(1);
    expect(await pending()).toEqual([]);
    expect(await count('pd')).toEqual({ delivered: 0, retried: 1, failed: 1 });
  });

  it('paces one Slack receiver to one message per second (PagerDuty is not paced)', async () => {
    await record('slack', 'trigger', 'checkout-availability');
    await record('slack', 'trigger', 'search-availability');
    await record('pd', 'trigger', 'checkout-availability');
    await record('pd', 'trigger', 'search-availability');

    await worker.drain();
    expect(sent().filter((s) => s.includes('slack'))).toHaveLength(1);
    expect(sent().filter((s) => s.includes(' pd '))).toEqual(['+0s pd trigger checkout-availability', '+0s pd trigger search-availability']);

    clock.advance(SECOND - 1);
    await worker.drain();
    expect(sent().filter((s) => s.includes('slack'))).toHaveLength(1);

    clock.advance(1);
    await worker.drain();
    const slackTimes = drivers.sent.filter((s) => s.receiver === 'slack').map((s) => s.atMs - T0);
    expect(slackTimes).toEqual([0, SECOND]);
    expect(await pending()).toEqual([]);
  });

  it('pauses every lane of a receiver that answered 429 with Retry-After, and no other receiver', async () => {
    drivers.script('pd', { outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 30 * SECOND });
    await record('pd', 'trigger', 'checkout-availability');
    await worker.drain();

    clock.advance(SECOND);
    await record('pd', 'trigger', 'search-availability'); // another alert, same receiver
    await record('slack', 'trigger', 'search-availability');
    await worker.drain();
    expect(sent()).toEqual(['+0s pd trigger checkout-availability', '+1s slack trigger search-availability']);

    clock.set(T0 + 30 * SECOND - 1);
    await worker.drain();
    expect(drivers.sent).toHaveLength(2);

    clock.set(T0 + 30 * SECOND);
    await worker.drain();
    expect(sent().slice(2).sort()).toEqual(['+30s pd trigger checkout-availability', '+30s pd trigger search-availability']);
    expect(await pending()).toEqual([]);
    expect(await count('pd')).toEqual({ delivered: 2, retried: 1, failed: 0 });
  });
});
