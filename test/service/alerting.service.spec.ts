import { ManualClock } from '../../src/common/clock';
import type { ConfigHolder } from '../../src/config/config-holder';
import { AlertingService } from '../../src/alerting/alerting.service';
import type { SloAlertChange } from '../../src/alerting/ports/alert-state.repository';
import { SilenceService } from '../../src/alerting/silences/silence.service';
import type { EvaluatedCycle } from '../../src/slo/evaluation.service';
import type { SloEvaluationRecord } from '../../src/slo/ports/evaluation.repository';
import { MemoryAlertStore } from '../../src/store/memory/memory-alert-store';
import { MemoryPolicyStateRepository } from '../../src/store/memory/memory-policy-state.repository';
import { configHolder, evaluatedRecord, HOUR, loadYamlConfig, MINUTE, quietNestLogs, RecordingDeliveryTrigger, SECOND, T0 } from './support';

/**
 * The alerting step of a cycle (SPEC §4, §6) as a service: from evaluation records to alert states
 * and outbox deliveries, on the in-memory alert store and policy state. Assertions read what was
 * stored and recorded, and whether delivery was nudged.
 */
const PAGE_RULE = 'page:14.4:1h:5m';
const TICKET_RULE = 'ticket:6:6h:30m';
const CHECKOUT_PAGE = 'slo-engine/checkout-availability/page';

function alertingYaml(options: { withCheckout?: boolean; pageNotifies?: string } = {}): string {
  const checkout = `  - id: checkout-availability
    service: checkout
    objective: 99.9
    window: 30d
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 14.4, long: 1h, short: 5m }
        - { severity: ticket, burnRate: 6, long: 6h, short: 30m }
`;
  return `slos:
${options.withCheckout === false ? '' : checkout}  - id: search-availability
    service: search
    objective: 99.5
    window: 28d
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 14.4, long: 1h, short: 5m }
notifiers:
  pd: { type: pagerduty, routingKey: "R0UT1NGKEY0123456789012345678901", url: "https://events.pagerduty.example/v2/enqueue" }
  slack: { type: slack, webhookUrl: "https://hooks.slack.example/services/T000/B000/XXXX" }
routes:
  - match: { severity: page }
    notify: ${options.pageNotifies ?? '[pd, slack]'}
  - match: { severity: ticket }
    notify: [slack]
`;
}

/** A store where "another replica" can commit between this replica's read and its commit. */
class RacingAlertStore extends MemoryAlertStore {
  /** runs once, just before the next commit */
  beforeNextCommit: (() => Promise<unknown>) | null = null;

  override async commit(changes: readonly SloAlertChange[], nowMs: number): Promise<boolean[]> {
    const other = this.beforeNextCommit;
    this.beforeNextCommit = null;
    if (other) await other();
    return super.commit(changes, nowMs);
  }
}

describe('AlertingService', () => {
  quietNestLogs();

  let clock: ManualClock;
  let config: ConfigHolder;
  let store: RacingAlertStore;
  let policyState: MemoryPolicyStateRepository;
  let silences: SilenceService;
  let trigger: RecordingDeliveryTrigger;
  let alerting: AlertingService;
  let seen: Set<string>;

  const replica = (nudge: RecordingDeliveryTrigger): AlertingService => {
    const service = new AlertingService(config, clock, store, silences, nudge);
    service.onModuleInit();
    return service;
  };

  beforeEach(() => {
    clock = new ManualClock(T0);
    config = configHolder(alertingYaml());
    store = new RacingAlertStore();
    policyState = new MemoryPolicyStateRepository();
    silences = new SilenceService(config, clock, policyState, policyState);
    trigger = new RecordingDeliveryTrigger();
    alerting = replica(trigger);
    seen = new Set();
  });

  /** One cycle at `nowMs`: every configured SLO evaluated then, with these fields of its record changed. */
  function cycle(nowMs: number, changed: Record<string, Partial<SloEvaluationRecord>> = {}): EvaluatedCycle {
    const slos = config.current.slos;
    return { nowMs, slos, records: slos.map((slo) => ({ ...evaluatedRecord(slo.id, nowMs), ...changed[slo.id] })) };
  }

  /** Runs the alerting step of a cycle at `nowMs` (the clock moved there first). */
  async function runCycle(nowMs: number, changed: Record<string, Partial<SloEvaluationRecord>> = {}, service = alerting) {
    clock.set(nowMs);
    return service.afterEvaluation(cycle(nowMs, changed));
  }

  /** What the outbox gained since the last look, as `action receiver dedupKey`. */
  async function recorded(): Promise<string[]> {
    const fresh = (await store.pending()).filter((d) => !seen.has(d.id));
    for (const d of fresh) seen.add(d.id);
    return fresh.map((d) => `${d.action} ${d.receiver} ${d.message.dedupKey}`).sort();
  }

  /** The stored firing alerts of an SLO, as `kind/severity told: receivers`. */
  async function firing(slo: string): Promise<string[]> {
    const entry = (await store.loadAll()).find((s) => s.slo === slo);
    return (entry?.states ?? []).filter((s) => s.state === 'firing').map((s) => `${s.kind}/${s.severity} told: ${s.notifiedReceivers.join(',')}`);
  }

  const pageHeld = { 'checkout-availability': { rulesHeld: [PAGE_RULE] } };

  it('fires a page once when a record shows its rule held: one delivery per routed receiver, delivery nudged', async () => {
    const report = await runCycle(T0, pageHeld);

    expect(await recorded()).toEqual([`trigger pd ${CHECKOUT_PAGE}`, `trigger slack ${CHECKOUT_PAGE}`]);
    expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: pd,slack']);
    expect(await firing('search-availability')).toEqual([]);
    expect(trigger.kicks).toBe(1);
    expect(report).toMatchObject({ transitions: 1, notifications: 2, conflicts: 0 });

    const [delivery] = (await store.pending()).filter((d) => d.receiver === 'pd');
    expect(delivery).toMatchObject({ lane: `pd/checkout-availability/page`, attempts: 0, createdAtMs: T0 });
    expect(delivery.message).toMatchObject({ slo: 'checkout-availability', service: 'checkout', action: 'trigger', rule: { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' } });
  });

  it('records nothing for a second identical cycle', async () => {
    await runCycle(T0, pageHeld);
    await recorded();

    const report = await runCycle(T0 + 30 * SECOND, pageHeld);

    expect(await recorded()).toEqual([]);
    expect(trigger.kicks).toBe(1);
    expect(report).toMatchObject({ transitions: 0, notifications: 0 });
    expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: pd,slack']);
  });

  it('resolves to exactly the receivers told of the trigger, even after the routes changed', async () => {
    await runCycle(T0, pageHeld);
    await recorded();
    await config.replace(loadYamlConfig(alertingYaml({ pageNotifies: '[slack]' })));

    await runCycle(T0 + 10 * MINUTE);

    expect(await recorded()).toEqual([`resolve pd ${CHECKOUT_PAGE}`, `resolve slack ${CHECKOUT_PAGE}`]);
    expect(await firing('checkout-availability')).toEqual([]);
    expect(trigger.kicks).toBe(2);
  });

  it('tells nobody of a ticket its page inhibits, so its resolve goes to nobody either', async () => {
    await runCycle(T0, { 'checkout-availability': { rulesHeld: [PAGE_RULE, TICKET_RULE] } });
    expect(await recorded()).toEqual([`trigger pd ${CHECKOUT_PAGE}`, `trigger slack ${CHECKOUT_PAGE}`]);
    expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: pd,slack', 'burn-rate/ticket told: ']);

    await runCycle(T0 + 10 * MINUTE);

    expect(await recorded()).toEqual([`resolve pd ${CHECKOUT_PAGE}`, `resolve slack ${CHECKOUT_PAGE}`]);
  });

  it('records no trigger for a silenced SLO, but its alert fires; the trigger follows when the silence ends', async () => {
    await silences.create({ slo: 'checkout-availability', untilMs: T0 + HOUR, reason: 'maintenance' }, 'sre');

    await runCycle(T0, pageHeld);

    expect(await recorded()).toEqual([]);
    expect(trigger.kicks).toBe(0);
    expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: ']);

    await runCycle(T0 + HOUR, pageHeld);

    expect(await recorded()).toEqual([`trigger pd ${CHECKOUT_PAGE}`, `trigger slack ${CHECKOUT_PAGE}`]);
    expect(trigger.kicks).toBe(1);
  });

  it('records nothing twice when another replica commits the same transition first (compare-and-set)', async () => {
    const otherTrigger = new RecordingDeliveryTrigger();
    const other = replica(otherTrigger);
    // this replica has read the stored states; the other one evaluates and commits before it does
    store.beforeNextCommit = () => runCycle(T0, pageHeld, other);

    const report = await runCycle(T0, pageHeld);

    expect(report).toMatchObject({ notifications: 0, conflicts: 1 });
    expect(await recorded()).toEqual([`trigger pd ${CHECKOUT_PAGE}`, `trigger slack ${CHECKOUT_PAGE}`]);
    expect(otherTrigger.kicks).toBe(1);
    expect(trigger.kicks).toBe(0);
    expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: pd,slack']);

    // the next cycle reads what the other replica stored: nothing new
    await runCycle(T0 + 30 * SECOND, pageHeld);
    expect(await recorded()).toEqual([]);
  });

  it('records the source-unavailable ticket at the 3rd consecutive failed evaluation, and its resolve at the next success', async () => {
    const failed = (n: number): Record<string, Partial<SloEvaluationRecord>> => ({
      'checkout-availability': {
        evaluatedAtMs: T0 - 30 * SECOND,
        consecutiveFailures: n,
        lastError: 'prometheus: connect ECONNREFUSED',
      },
    });
    const source = 'slo-engine/checkout-availability/source';

    await runCycle(T0, failed(1));
    expect(await recorded()).toEqual([]);
    await runCycle(T0 + 30 * SECOND, failed(2));
    expect(await recorded()).toEqual([]);
    expect(trigger.kicks).toBe(0);

    await runCycle(T0 + 60 * SECOND, failed(3));
    expect(await recorded()).toEqual([`trigger slack ${source}`]);
    expect(await firing('checkout-availability')).toEqual(['source-unavailable/ticket told: slack']);
    const [ticket] = await store.pending();
    expect(ticket.message).toMatchObject({ alertKind: 'source-unavailable', severity: 'ticket', lastError: 'prometheus: connect ECONNREFUSED' });
    expect(trigger.kicks).toBe(1);

    await runCycle(T0 + 90 * SECOND, failed(4));
    expect(await recorded()).toEqual([]);

    await runCycle(T0 + 120 * SECOND);
    expect(await recorded()).toEqual([`resolve slack ${source}`]);
  });

  it('resolves the alerts of an SLO a config reload removed, and forgets them', async () => {
    await runCycle(T0, { ...pageHeld, 'search-availability': { rulesHeld: [PAGE_RULE] } });
    await recorded();
    clock.set(T0 + MINUTE);

    await config.replace(loadYamlConfig(alertingYaml({ withCheckout: false })));

    expect(await recorded()).toEqual([`resolve pd ${CHECKOUT_PAGE}`, `resolve slack ${CHECKOUT_PAGE}`]);
    expect((await store.loadAll()).map((s) => s.slo)).toEqual(['search-availability']);
    const resolve = (await store.pending()).find((d) => d.action === 'resolve');
    expect(resolve?.message).toMatchObject({ slo: 'checkout-availability', service: 'checkout', at: new Date(T0 + MINUTE).toISOString() });
    expect(trigger.kicks).toBe(2);

    // the remaining SLO carries on as before
    await runCycle(T0 + 2 * MINUTE, { 'search-availability': { rulesHeld: [PAGE_RULE] } });
    expect(await recorded()).toEqual([]);
  });
});
