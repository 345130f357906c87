import type { StateIntegrity, StateLoss } from '../../src/common/state-integrity';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/common/clock';
import { NotFoundError, StateUnavailableError } from '../../src/common/domain-error';
import type { ConfigHolder } from '../../src/config/config-holder';
import { DeployGateService, type GateRequest } from '../../src/policies/deploy-gate.service';
import { GateDecisionCounters } from '../../src/policies/gate-decision-counters';
import type { DecisionRecord, Freeze, Override } from '../../src/policies/ports/policy-state.repository';
import type { FiringAlertsReader } from '../../src/slo/ports/firing-alerts';
import { SloQueryService } from '../../src/slo/slo-query.service';
import { MemoryEvaluationRepository } from '../../src/store/memory/memory-evaluation.repository';
import { MemoryPolicyStateRepository } from '../../src/store/memory/memory-policy-state.repository';
import { gateConfig, GOOD_FOR_ZONE } from '../helpers/gate-config';
import { configHolder, evaluatedRecord, HOUR, MINUTE, quietNestLogs, RecordingChangeEventSender, T0 } from './support';

/**
 * The deploy gate (SPEC §7) as a service: decisions from seeded evaluation records and the
 * freeze/override state in memory; what it answers, what it audits, and which deploys it marks and
 * announces as change events. The whole zone × change-type matrix is tested in the domain specs.
 */
/** remaining budget per zone-* service (objective 99%: as the good counts of GOOD_FOR_ZONE give it) */
const REMAINING: Record<keyof typeof GOOD_FOR_ZONE, number> = { normal: 1, caution: 0.4, freeze: 0.1, exhausted: -1 };
const iso = (ms: number) => new Date(ms).toISOString();

/** A policy state whose audit log cannot be written (Redis down, in production). */
class AuditDownPolicyState extends MemoryPolicyStateRepository {
  override async recordDecision(): Promise<void> {
    throw new StateUnavailableError('state store unavailable: Redis does not answer');
  }
}

describe('DeployGateService', () => {
  quietNestLogs();

  let clock: ManualClock;
  let config: ConfigHolder;
  let evaluations: MemoryEvaluationRepository;
  let state: MemoryPolicyStateRepository;
  let changeEvents: RecordingChangeEventSender;
  let counters: GateDecisionCounters;
  let gate: DeployGateService;

  const noFiringAlerts: FiringAlertsReader = { firingBySlo: async () => new Map() };
  /** The shared state's loss as the store would report it (none unless a test sets one). */
  let loss: StateLoss | null;
  const integrity: StateIntegrity = {
    check: async () => loss,
    acceptLoss: async () => {
      const accepted = loss;
      loss = null;
      return accepted;
    },
  };

  function gateOn(policyState: MemoryPolicyStateRepository): DeployGateService {
    const budgets = new SloQueryService(config, clock, evaluations, noFiringAlerts, integrity);
    return new DeployGateService(config, clock, budgets, policyState, changeEvents, counters, integrity);
  }

  /** Every zone-* service evaluated at `atMs` into its zone; zone-unknown never evaluated. */
  async function seedEvaluations(atMs: number): Promise<void> {
    await evaluations.saveAll(Object.entries(REMAINING).map(([zone, remaining]) => evaluatedRecord(`${zone}-slo`, atMs, { remaining })));
  }

  beforeEach(async () => {
    clock = new ManualClock(T0);
    config = configHolder(gateConfig());
    evaluations = new MemoryEvaluationRepository();
    state = new MemoryPolicyStateRepository(evaluations, integrity);
    changeEvents = new RecordingChangeEventSender();
    counters = new GateDecisionCounters(new Registry());
    loss = null;
    gate = gateOn(state);
    await seedEvaluations(T0);
  });

  const decide = (request: Partial<GateRequest> & { service: string }) => gate.decide({ changeType: 'feature', ...request }, 'ci');
  const lastDecision = async (): Promise<DecisionRecord | undefined> => (await state.listDecisions({ limit: 1 }))[0];

  it.each<[string, GateRequest['changeType'], 'allow' | 'deny', string]>([
    ['zone-normal', 'feature', 'allow', 'normal'],
    ['zone-caution', 'feature', 'allow', 'caution'],
    ['zone-caution', 'db-migration', 'deny', 'caution'],
    ['zone-freeze', 'feature', 'deny', 'freeze'],
    ['zone-freeze', 'fix', 'allow', 'freeze'],
    ['zone-exhausted', 'fix', 'deny', 'exhausted'],
    ['zone-exhausted', 'rollback', 'allow', 'exhausted'],
    ['zone-unknown', 'feature', 'deny', 'unknown'],
    ['zone-unknown', 'security', 'allow', 'unknown'],
  ])('%s, %s change: %s (%s zone)', async (service, changeType, decision, zone) => {
    const answer = await decide({ service, changeType });

    expect(answer).toMatchObject({ decision, zone, service, changeType });
    expect(answer.reasons.length).toBeGreaterThan(0);
    const name = service.replace('zone-', '');
    expect(answer.slos).toEqual([{ slo: `${name}-slo`, zone, remaining: name in REMAINING ? REMAINING[name as keyof typeof REMAINING] : null }]);
    expect(await lastDecision()).toMatchObject({ decisionId: answer.decisionId, decision, zone, service, changeType, token: 'ci' });
    expect(await counters.value(service, decision)).toBe(1);
  });

  it('warns of the caution zone when it lets a feature through', async () => {
    const answer = await decide({ service: 'zone-caution' });
    expect(answer.decision).toBe('allow');
    expect(answer.warnings).toEqual([expect.stringMatching(/^caution zone: .*caution-slo: 40% of the error budget left/)]);
  });

  it('denies a feature during a freeze of the service, but lets a rollback through', async () => {
    const freeze: Freeze = { id: 'freeze-1', service: 'zone-normal', start: iso(T0 - HOUR), end: iso(T0 + HOUR), reason: 'Black Friday', createdBy: 'sre', createdAt: iso(T0 - HOUR) };
    await state.saveFreeze(freeze);

    const feature = await decide({ service: 'zone-normal', changeType: 'feature', version: '1.4.2' });
    expect(feature.decision).toBe('deny');
    expect(feature.reasons.join('\n')).toContain('freeze freeze-1 (Black Friday)');
    expect(await lastDecision()).toMatchObject({ decision: 'deny', freezeIds: ['freeze-1'] });

    const rollback = await decide({ service: 'zone-normal', changeType: 'rollback', version: '1.4.1' });
    expect(rollback.decision).toBe('allow');
    expect(await lastDecision()).toMatchObject({ decision: 'allow', changeType: 'rollback', freezeIds: ['freeze-1'] });

    // a freeze of another service does not concern this one
    expect((await decide({ service: 'zone-caution' })).decision).toBe('allow');
  });

  it('allows any change of a service under an active override, until it expires', async () => {
    const override: Override = {
      id: 'override-1',
      service: 'zone-exhausted',
      reason: 'incident 4411 hotfix',
      expiresAt: iso(T0 + HOUR),
      approvedBy: 'jane.doe',
      createdBy: 'sre',
      createdAt: iso(T0),
    };
    await state.saveOverride(override);

    const answer = await decide({ service: 'zone-exhausted', changeType: 'feature' });
    expect(answer.decision).toBe('allow');
    expect(answer.reasons[0]).toContain('override override-1 approved by jane.doe');
    expect(await lastDecision()).toMatchObject({ decision: 'allow', overrideId: 'override-1' });

    clock.set(T0 + HOUR);
    await seedEvaluations(T0 + HOUR); // still exhausted, freshly evaluated
    expect((await decide({ service: 'zone-exhausted', changeType: 'feature' })).decision).toBe('deny');
    expect(await lastDecision()).toMatchObject({ decision: 'deny', overrideId: null });
  });

  it('denies all but rollback and security while a state loss is not accepted, whatever overrides and budgets say', async () => {
    await state.saveOverride({ id: 'override-2', service: 'zone-normal', reason: 'r', expiresAt: iso(T0 + HOUR), approvedBy: 'a', createdBy: 'sre', createdAt: iso(T0) });
    expect((await decide({ service: 'zone-normal', changeType: 'feature' })).decision).toBe('allow');

    loss = { lostAtMs: T0 - MINUTE, reason: 'the state marker vanished' };
    for (const changeType of ['feature', 'fix', 'db-migration', 'infra'] as const) {
      const answer = await decide({ service: 'zone-normal', changeType, version: '9.9.9' });
      expect([changeType, answer.decision]).toEqual([changeType, 'deny']);
      expect(answer.reasons).toEqual([expect.stringContaining(`shared state lost at ${iso(T0 - MINUTE)} (the state marker vanished)`)]);
    }
    for (const changeType of ['rollback', 'security'] as const) {
      expect((await decide({ service: 'zone-normal', changeType })).decision).toBe('allow');
    }
    expect(changeEvents.events).toEqual([]); // no deploy went through
    expect((await gate.serviceBudget('zone-normal')).gate.feature).toBe('deny');
    expect((await gate.serviceBudget('zone-normal')).slos.every((b) => b.stateLostAt === iso(T0 - MINUTE))).toBe(true);

    await integrity.acceptLoss();
    expect((await decide({ service: 'zone-normal', changeType: 'feature' })).decision).toBe('allow');
    expect((await gate.serviceBudget('zone-normal')).slos.every((b) => b.stateLostAt === undefined)).toBe(true);
  });

  it('audits each decision before answering it, and answers none it cannot audit', async () => {
    const answer = await decide({ service: 'zone-normal', version: '1.4.2', environment: 'prod', requestedBy: 'pipeline-7' });
    expect(await state.listDecisions({ limit: 10 })).toEqual([
      {
        decisionId: answer.decisionId,
        at: iso(T0),
        service: 'zone-normal',
        changeType: 'feature',
        version: '1.4.2',
        environment: 'prod',
        requestedBy: 'pipeline-7',
        token: 'ci',
        decision: 'allow',
        zone: 'normal',
        reasons: answer.reasons,
        warnings: [],
        slos: answer.slos,
        overrideId: null,
        freezeIds: [],
      },
    ]);

    const auditDown = new AuditDownPolicyState(evaluations, integrity);
    const unaudited = gateOn(auditDown);
    await expect(unaudited.decide({ service: 'zone-normal', changeType: 'feature', version: '1.4.3' }, 'ci')).rejects.toBeInstanceOf(StateUnavailableError);
    expect(await auditDown.listDeploys('zone-normal', 10)).toEqual([]);
    expect(changeEvents.events).toHaveLength(1); // the first, audited decision's only
  });

  it('marks a deploy and sends a change event only for an allowed change with a version', async () => {
    const allowed = await decide({ service: 'zone-normal', changeType: 'feature', version: '1.4.2', environment: 'prod', requestedBy: 'pipeline-7' });
    await decide({ service: 'zone-normal', changeType: 'feature' }); // allowed, no version
    await decide({ service: 'zone-exhausted', changeType: 'feature', version: '9.9.9' }); // denied

    expect(await state.listDeploys('zone-normal', 10)).toEqual([
      {
        decisionId: allowed.decisionId,
        at: iso(T0),
        service: 'zone-normal',
        version: '1.4.2',
        changeType: 'feature',
        environment: 'prod',
        requestedBy: 'pipeline-7',
        slos: [{ slo: 'normal-slo', remaining: 1 }],
      },
    ]);
    expect(await state.listDeploys('zone-exhausted', 10)).toEqual([]);
    expect(changeEvents.events).toHaveLength(1);
    const [event] = changeEvents.events;
    expect(event.summary).toContain('zone-normal 1.4.2');
    expect(event.timestamp).toBe(iso(T0));
    expect(event.customDetails).toMatchObject({ service: 'zone-normal', version: '1.4.2', changeType: 'feature', decisionId: allowed.decisionId });

    // the service's budget view lists the deploy with the budget spent since
    await evaluations.saveAll([evaluatedRecord('normal-slo', T0, { remaining: 0.9 })]);
    const budget = await gate.serviceBudget('zone-normal');
    expect(budget.deploys).toEqual([expect.objectContaining({ version: '1.4.2', slos: [{ slo: 'normal-slo', remainingAtDeploy: 1, remainingNow: 0.9, consumedSince: expect.closeTo(0.1, 10) }] })]);
  });

  it('answers NotFoundError for an unknown service, and audits nothing', async () => {
    await expect(decide({ service: 'zone-nowhere', version: '1.0.0' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(gate.serviceBudget('zone-nowhere')).rejects.toBeInstanceOf(NotFoundError);
    expect(await state.listDecisions({ limit: 10 })).toEqual([]);
    expect(changeEvents.events).toEqual([]);
  });
});
