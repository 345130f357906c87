import { ManualClock } from '../../src/common/clock';
import type { ConfigHolder } from '../../src/config/config-holder';
import { AlertingService, AlertStepIncompleteError } from '../../src/alerting/alerting.service';
import { AlertQueryService } from '../../src/alerting/alert-query.service';
import { inactiveState, type AlertState } from '../../src/alerting/domain/alert-state';
import type { SloAlertChange, StoredSloAlerts } from '../../src/alerting/ports/alert-state.repository';
import { SilenceService } from '../../src/alerting/silences/silence.service';
import type { EvaluatedCycle } from '../../src/slo/evaluation.service';
import type { SloEvaluationRecord } from '../../src/slo/ports/evaluation.repository';
import type { NotificationMessage } from '../../src/notifiers/ports/notification-message';
import { MemoryAlertStore } from '../../src/store/memory/memory-alert-store';
import { MemoryEvaluationRepository } from '../../src/store/memory/memory-evaluation.repository';
import { MemoryPolicyStateRepository } from '../../src/store/memory/memory-policy-state.repository';
import { budgetNumbers, configHolder, evaluatedRecord, HOUR, loadYamlConfig, MINUTE, quietNestLogs, RecordingDeliveryTrigger, SECOND, T0 } from './support';
import { incidentIdOf } from '../../src/common/incident-id';
import type { OpenIncidentsReader } from '../../src/alerting/ports/open-incidents';

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

  /** SLOs whose stored value reads as malformed (as a Redis value written by hand would) */
  readonly malformed = new Set<string>();

  override async loadAll(): Promise<StoredSloAlerts[]> {
    const stored = await super.loadAll();
    const readable = stored.filter((s) => !this.malformed.has(s.slo));
    const broken = [...this.malformed].map((slo) => ({ slo, states: [], version: '{"oops', unreadable: `malformed alert state at test hash field "${slo}": Unexpected end of JSON input` }));
    return [...readable, ...broken];
  }
}

describe('AlertingService', () => {
  quietNestLogs();

  let clock: ManualClock;
  let config: ConfigHolder;
  let store: RacingAlertStore;
  let evaluations: MemoryEvaluationRepository;
  let policyState: MemoryPolicyStateRepository;
  let silences: SilenceService;
  let trigger: RecordingDeliveryTrigger;
  let alerting: AlertingService;
  let seen: Set<string>;

  const replica = (nudge: RecordingDeliveryTrigger): AlertingService => {
    const service = new AlertingService(config, clock, store, silences, nudge, evaluations);
    service.onModuleInit();
    return service;
  };

  beforeEach(() => {
    clock = new ManualClock(T0);
    config = configHolder(alertingYaml());
    store = new RacingAlertStore();
    evaluations = new MemoryEvaluationRepository();
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

  /** Runs the alerting step of a cycle at `nowMs` (the clock moved there first), its records saved as the evaluation step does. */
  async function runCycle(nowMs: number, changed: Record<string, Partial<SloEvaluationRecord>> = {}, service = alerting) {
    clock.set(nowMs);
    const evaluated = cycle(nowMs, changed);
    await evaluations.saveAll([...evaluated.records]);
    return service.afterEvaluation(evaluated);
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

  describe('an SLO the config no longer has, at start-up (SPEC §2)', () => {
    /** The service stopped, checkout-availability left the config, the service starts again: a new replica on the same state. */
    function restartWithoutCheckout(nudge = trigger): AlertingService {
      config = configHolder(alertingYaml({ withCheckout: false }));
      return replica(nudge);
    }

    it('resolves its alerts, to every receiver told, once no replica has evaluated it for 3 intervals; lists them as removed until then', async () => {
      await runCycle(T0, pageHeld);
      await recorded();
      const restarted = restartWithoutCheckout();
      const query = new AlertQueryService(config, clock, store, evaluations, silences);

      // 30 s after checkout's last evaluation (the default interval): another replica may still evaluate it
      const waiting = await runCycle(T0 + 30 * SECOND, {}, restarted);
      expect(waiting).toMatchObject({ removedWaiting: 1, notifications: 0 });
      expect(await recorded()).toEqual([]);
      expect(await query.firing()).toEqual([
        expect.objectContaining({ slo: 'checkout-availability', service: 'checkout', severity: 'page', removed: true, silenced: false }),
      ]);

      const resolved = await runCycle(T0 + 90 * SECOND, {}, restarted);
      expect(resolved).toMatchObject({ removedResolved: 1, notifications: 2 });
      expect(resolved.removedWaiting).toBeUndefined();
      expect(await recorded()).toEqual([`resolve pd ${CHECKOUT_PAGE}`, `resolve slack ${CHECKOUT_PAGE}`]);
      const resolve = (await store.pending()).find((d) => d.action === 'resolve' && d.receiver === 'pd');
      expect(resolve?.message).toMatchObject({
        slo: 'checkout-availability',
        service: 'checkout',
        objective: 99.9,
        window: '30d',
        severity: 'page',
        rule: null,
        burnRates: null,
        zone: 'unknown',
        since: new Date(T0).toISOString(),
        at: new Date(T0 + 90 * SECOND).toISOString(),
        budgetUrl: '',
        description: expect.stringMatching(/^SLO removed from the config.*14\.4× over 1h and 5m/),
      });
      expect(await firing('checkout-availability')).toEqual([]);
      expect(await query.firing()).toEqual([]);

      expect(await runCycle(T0 + 120 * SECOND, {}, restarted)).toMatchObject({ notifications: 0 });
      expect(await recorded()).toEqual([]);
    });

    it('of several replicas starting together, one records the resolves (compare-and-set)', async () => {
      await runCycle(T0, pageHeld);
      await recorded();
      const otherTrigger = new RecordingDeliveryTrigger();
      const a = restartWithoutCheckout();
      const b = replica(otherTrigger);
      // the other replica reads, resolves and commits between this one's read and its commit
      store.beforeNextCommit = () => runCycle(T0 + 90 * SECOND, {}, b);

      const report = await runCycle(T0 + 90 * SECOND, {}, a);

      expect(report).toMatchObject({ notifications: 0, conflicts: 1 });
      expect(await recorded()).toEqual([`resolve pd ${CHECKOUT_PAGE}`, `resolve slack ${CHECKOUT_PAGE}`]);
      expect(otherTrigger.kicks).toBe(1);
    });

    it('resolves states stored without what the SLO was (before that was kept), saying what is unknown', async () => {
      const told = (slo: string): AlertState[] => [
        { ...inactiveState(slo, 'burn-rate', 'page'), state: 'firing', since: T0, rule: PAGE_RULE, notifiedReceivers: ['pd'], lastNotifiedAt: { pd: T0 } },
      ];
      await store.commit([{ slo: 'legacy-slo', expected: null, states: told('legacy-slo'), deliveries: [] }], T0);

      await runCycle(T0 + MINUTE);

      expect(await recorded()).toEqual(['resolve pd slo-engine/legacy-slo/page']);
      const [resolve] = await store.pending();
      expect(resolve.message).toMatchObject({ slo: 'legacy-slo', service: '(unknown)', window: '(unknown)', team: null, runbook: null });
      expect((resolve.message as NotificationMessage).description).toMatch(/config is no longer known/);
    });

    it('keeps what the SLO is with its firing alerts, and adds it to states stored before it was kept', async () => {
      const firingPage: AlertState[] = [
        { ...inactiveState('checkout-availability', 'burn-rate', 'page'), state: 'firing', since: T0, rule: PAGE_RULE, notifiedReceivers: ['pd', 'slack'], lastNotifiedAt: { pd: T0, slack: T0 } },
      ];
      await store.commit([{ slo: 'checkout-availability', expected: null, states: firingPage, deliveries: [] }], T0);
      expect((await store.loadAll())[0].about).toBeUndefined();

      await runCycle(T0 + 30 * SECOND, pageHeld);

      expect(await recorded()).toEqual([]);
      const [stored] = await store.loadAll();
      expect(stored.about).toEqual({ service: 'checkout', team: null, objective: 99.9, window: '30d', runbook: null });
      expect(await firing('checkout-availability')).toEqual(['burn-rate/page told: pd,slack']);
      expect(await runCycle(T0 + 60 * SECOND, pageHeld)).toMatchObject({ transitions: 0, notifications: 0, conflicts: 0 });
    });
  });

  describe('a malformed stored alert state (SPEC §12)', () => {
    it('fails its SLO alone, naming the key: every other SLO is alerted and committed, and the step counts as failed', async () => {
      store.malformed.add('checkout-availability');

      const step = runCycle(T0, { ...pageHeld, 'search-availability': { rulesHeld: [PAGE_RULE] } });

      await expect(step).rejects.toBeInstanceOf(AlertStepIncompleteError);
      const error = (await step.catch((e: unknown) => e)) as AlertStepIncompleteError;
      expect(error.message).toMatch(/^alerting could not run for 1 SLO \(checkout-availability: malformed alert state at test hash field "checkout-availability"/);
      expect(error.failures.map((f) => f.slo)).toEqual(['checkout-availability']);
      expect(error.report).toMatchObject({ transitions: 1, notifications: 2 });
      expect(await recorded()).toEqual(['trigger pd slo-engine/search-availability/page', 'trigger slack slo-engine/search-availability/page']);
      expect(trigger.kicks).toBe(1);

      store.malformed.clear(); // repaired: the value deleted
      await runCycle(T0 + 30 * SECOND, { ...pageHeld, 'search-availability': { rulesHeld: [PAGE_RULE] } });
      expect(await recorded()).toEqual([`trigger pd ${CHECKOUT_PAGE}`, `trigger slack ${CHECKOUT_PAGE}`]);
    });

    it('of an SLO the config no longer has: reported, never committed over', async () => {
      store.malformed.add('gone-slo');
      await expect(runCycle(T0)).rejects.toThrow(/gone-slo: malformed alert state/);
      expect(await recorded()).toEqual([]);
    });
  });

  describe('pages name their incident (SPEC §13)', () => {
    /** the incidents room's port, answering what a test sets (or failing) */
    class FakeOpenIncidents implements OpenIncidentsReader {
      open = new Map<string, string>();
      failing = false;
      async openIncidentIds(): Promise<ReadonlyMap<string, string>> {
        if (this.failing) throw new Error('incidents unreadable');
        return new Map(this.open);
      }
    }

    let incidents: FakeOpenIncidents;
    let withIncidents: AlertingService;
    beforeEach(() => {
      incidents = new FakeOpenIncidents();
      withIncidents = new AlertingService(config, clock, store, silences, trigger, evaluations, incidents);
      withIncidents.onModuleInit();
    });

    const run = (nowMs: number, changed: Record<string, Partial<SloEvaluationRecord>> = {}) => runCycle(nowMs, changed, withIncidents);
    const page = (remaining: number) => ({ rulesHeld: [PAGE_RULE], numbers: budgetNumbers(remaining) });
    const messages = async (receiver = 'pd') => (await store.pending()).filter((d) => d.receiver === receiver).map((d) => d.message as NotificationMessage);
    const pageState = async () => (await store.loadAll()).find((s) => s.slo === 'checkout-availability')?.states.find((s) => s.severity === 'page' && s.kind === 'burn-rate');

    it('without an incidents room, a page opens the incident incidentIdOf(service, now), and its resolve says how long and what it cost', async () => {
      await run(T0, { 'checkout-availability': page(0.9) });
      const id = incidentIdOf('checkout', T0);
      const [fired] = await messages();
      expect(fired.incident).toEqual({ id, url: `http://localhost:8080/incidents/${id}` });
      expect(await pageState()).toMatchObject({ incidentId: id, remainingAtFire: 0.9 });

      await run(T0 + 42 * MINUTE, { 'checkout-availability': { numbers: budgetNumbers(0.869) } });
      const [, resolved] = await messages();
      expect(resolved).toMatchObject({ action: 'resolve', incident: { id } });
      expect(resolved.resolution?.lastedSeconds).toBe(42 * 60);
      expect(resolved.resolution?.budgetCost).toBeCloseTo(0.031, 10);
    });

    it("joins the service's open incident, and its resolve names the same one whatever is open by then", async () => {
      incidents.open.set('checkout', 'inc-open');
      await run(T0, { 'checkout-availability': page(0.5) });
      expect((await messages()).map((m) => m.incident?.id)).toEqual(['inc-open']);
      incidents.open.clear();
      await run(T0 + MINUTE, { 'checkout-availability': { numbers: budgetNumbers(0.5) } });
      expect((await messages('slack')).map((m) => `${m.action} ${m.incident?.id}`)).toEqual(['trigger inc-open', 'resolve inc-open']);
    });

    it('names no incident on tickets', async () => {
      await run(T0, { 'checkout-availability': { rulesHeld: [TICKET_RULE], numbers: budgetNumbers(0.5) } });
      const [ticket] = await messages('slack');
      expect(ticket.severity).toBe('ticket');
      expect(ticket).not.toHaveProperty('incident');
    });

    it('pages without naming an incident while the open incidents cannot be read', async () => {
      incidents.failing = true;
      const report = await run(T0, { 'checkout-availability': page(0.9) });
      expect(report).toMatchObject({ transitions: 1, notifications: 2 });
      const [fired] = await messages();
      expect(fired).not.toHaveProperty('incident');
      expect(await pageState()).not.toHaveProperty('incidentId');
      // readable again: the incident the incidents room opened meanwhile is named from then on
      incidents.failing = false;
      incidents.open.set('checkout', 'inc-late');
      await run(T0 + MINUTE, { 'checkout-availability': { numbers: budgetNumbers(0.88) } });
      const [, resolved] = await messages();
      expect(resolved).toMatchObject({ action: 'resolve', incident: { id: 'inc-late' }, resolution: { lastedSeconds: 60 } });
      expect(resolved.resolution?.budgetCost).toBeCloseTo(0.02, 10);
    });

    it("a removed SLO's page resolve names its incident and how long it lasted, not its cost", async () => {
      await run(T0, { 'checkout-availability': page(0.9) });
      await config.replace(loadYamlConfig(alertingYaml({ withCheckout: false })));
      const [, resolved] = await messages();
      expect(resolved).toMatchObject({ action: 'resolve', incident: { id: incidentIdOf('checkout', T0) }, resolution: { budgetCost: null } });
    });
  });
});
