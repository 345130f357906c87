import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
import { describeStateLoss, STATE_INTEGRITY, StateIntegrity, type StateLoss } from '../common/state-integrity';
import { SloQueryService } from '../slo/slo-query.service';
import { sloStanding, type BudgetObject, type SloStanding } from '../slo/budget-view';
import type { SloConfig } from '../config/app-config';
import { decideGate, freezeCovers, GateOutcome, overrideActive, type OverduePostmortem } from './domain/gate-policy';
import { OVERDUE_POSTMORTEMS, OverduePostmortemsReader } from './ports/overdue-postmortems';
import { CHANGE_TYPES, type ChangeType } from './domain/gate-matrix';
import { DecisionRecord, DeployRecord, Freeze, Override, POLICY_STATE, PolicyStateRepository } from './ports/policy-state.repository';
import { CHANGE_EVENTS, ChangeEventSender } from '../notifiers/ports/change-events';
import { deployChangeEvent } from './change-events';
import { GateDecisionCounters } from './gate-decision-counters';

export interface GateRequest {
  service: string;
  changeType: ChangeType;
  version?: string;
  environment?: string;
  requestedBy?: string;
}

export interface GateResponse {
  decision: 'allow' | 'deny';
  service: string;
  zone: GateOutcome['zone'];
  changeType: ChangeType;
  reasons: string[];
  warnings: string[];
  slos: Array<{ slo: string; zone: GateOutcome['zone']; remaining: number | null }>;
  decisionId: string;
  evaluatedAt: string | null;
}

export interface DeployView extends Omit<DeployRecord, 'slos'> {
  slos: Array<{ slo: string; remainingAtDeploy: number | null; remainingNow: number | null; consumedSince: number | null }>;
}

export interface ServiceBudget {
  service: string;
  zone: GateOutcome['zone'];
  /** what the gate would answer now, for each change type */
  gate: Record<ChangeType, 'allow' | 'deny'>;
  /** the reasons it would give, for each change type */
  gateReasons: Record<ChangeType, string[]>;
  slos: BudgetObject[];
  deploys: DeployView[];
}

export const DEPLOYS_SHOWN = 10;

/**
 * The deploy gate (SPEC §7): answers from the latest evaluations and the freeze/override state,
 * never from the metrics source; every decision is audited before it is answered.
 */
@Injectable()
export class DeployGateService {
  private readonly logger = new Logger('DeployGate');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly budgets: SloQueryService,
    @Inject(POLICY_STATE) private readonly state: PolicyStateRepository,
    @Inject(CHANGE_EVENTS) private readonly changeEvents: ChangeEventSender,
    private readonly counters: GateDecisionCounters,
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
    @Optional() @Inject(OVERDUE_POSTMORTEMS) private readonly postmortems: OverduePostmortemsReader | null = null,
  ) {}

  /** The service's overdue postmortems when `policy.postmortems.gate` is on (SPEC §7); none otherwise. */
  private overduePostmortems(service: string, nowMs: number): Promise<OverduePostmortem[]> {
    if (!this.config.current.policy.postmortems.gate || !this.postmortems) return Promise.resolve([]);
    return this.postmortems.overdueOf(service, nowMs);
  }

  async decide(request: GateRequest, tokenName: string): Promise<GateResponse> {
    const nowMs = this.clock.now();
    const slosOfService = this.slosOrThrow(request.service);
    // One read of the shared state (with Redis: one round trip): evaluations, freezes, overrides and
    // the integrity check; never cached, so a freeze created on another replica applies now.
    const postmortemsOn = this.config.current.policy.postmortems.gate && this.postmortems !== null;
    const [inputs, overdue] = await Promise.all([
      this.state.gateInputs(sloIdsOf(slosOfService), nowMs),
      postmortemsOn ? this.overduePostmortems(request.service, nowMs) : NO_POSTMORTEMS,
    ]);
    const config = this.config.current;
    const standingsAt = this.clock.now();
    const standings = slosOfService.map((slo, i) => sloStanding(slo, inputs.evaluations[i], config, standingsAt));
    const { outcome, freezeIds, overrideId } = this.evaluate(request.service, request.changeType, nowMs, standings, inputs.freezes, inputs.overrides, inputs.loss, overdue);
    const decisionId = randomUUID();
    const at = new Date(nowMs).toISOString();
    const slos = outcome.slos.map((s) => ({ slo: s.slo, zone: s.zone, remaining: s.remaining }));
    const record: DecisionRecord = {
      decisionId,
      at,
      service: request.service,
      changeType: request.changeType,
      version: request.version ?? null,
      environment: request.environment ?? null,
      requestedBy: request.requestedBy ?? null,
      token: tokenName,
      decision: outcome.decision,
      zone: outcome.zone,
      reasons: outcome.reasons,
      warnings: outcome.warnings,
      slos,
      overrideId,
      freezeIds,
    };
    const deploy: DeployRecord | null =
      outcome.decision === 'allow' && request.version
        ? {
            decisionId,
            at,
            service: request.service,
            version: request.version,
            changeType: request.changeType,
            environment: request.environment ?? null,
            requestedBy: request.requestedBy ?? null,
            slos: slos.map((s) => ({ slo: s.slo, remaining: s.remaining })),
          }
        : null;
    // Audited before answered: a decision that cannot be recorded is not given (503). The audit
    // entry and the deploy marker are written together (with Redis: one script, all or nothing).
    await this.state.recordDecision(record, deploy);
    if (deploy) this.changeEvents.publish(deployChangeEvent(record));
    this.counters.increment(request.service, outcome.decision);
    this.logger.log(
      { decision: { decisionId, service: request.service, changeType: request.changeType, decision: outcome.decision, zone: outcome.zone, tokenName } },
      'deploy gate decision',
    );
    return {
      decision: outcome.decision,
      service: request.service,
      zone: outcome.zone,
      changeType: request.changeType,
      reasons: outcome.reasons,
      warnings: outcome.warnings,
      slos,
      decisionId,
      evaluatedAt: oldestEvaluation(standings),
    };
  }

  async serviceBudget(service: string): Promise<ServiceBudget> {
    const nowMs = this.clock.now();
    const [budgets, freezes, overrides, loss, overdue] = await Promise.all([
      this.budgets.budgets(this.slosOrThrow(service)),
      this.state.listFreezes(),
      this.state.listOverrides(),
      this.integrity.check(nowMs),
      this.overduePostmortems(service, nowMs),
    ]);
    const standings = budgets.map((b) => ({ slo: b.slo, zone: b.zone, remaining: b.budget.remaining }));
    // A read: the gate's evaluation for every change type, nothing recorded or audited.
    const outcomes = CHANGE_TYPES.map((changeType) => this.evaluate(service, changeType, nowMs, standings, freezes, overrides, loss, overdue).outcome);
    const gate = Object.fromEntries(CHANGE_TYPES.map((changeType, i) => [changeType, outcomes[i].decision])) as ServiceBudget['gate'];
    const gateReasons = Object.fromEntries(CHANGE_TYPES.map((changeType, i) => [changeType, outcomes[i].reasons])) as ServiceBudget['gateReasons'];
    const deploys = await this.state.listDeploys(service, DEPLOYS_SHOWN);
    const remainingNow = new Map(budgets.map((b) => [b.slo, b.budget.remaining]));
    return {
      service,
      zone: outcomes[0].zone, // the worst SLO zone, whatever the change type
      gate,
      gateReasons,
      slos: budgets,
      deploys: deploys.map((deploy) => ({
        ...deploy,
        slos: deploy.slos.map((s) => {
          const now = remainingNow.get(s.slo) ?? null;
          return {
            slo: s.slo,
            remainingAtDeploy: s.remaining,
            remainingNow: now,
            consumedSince: s.remaining === null || now === null ? null : s.remaining - now,
          };
        }),
      })),
    };
  }

  private slosOrThrow(service: string) {
    const slos = this.config.slosOfService(service);
    if (slos.length === 0) throw new NotFoundError(`unknown service "${service}"`);
    return slos;
  }

  private evaluate(
    service: string,
    changeType: ChangeType,
    nowMs: number,
    slos: ReadonlyArray<Pick<SloStanding, 'slo' | 'zone' | 'remaining'>>,
    freezes: readonly Freeze[],
    overrides: readonly Override[],
    loss: StateLoss | null,
    overduePostmortems: readonly OverduePostmortem[],
  ) {
    const config = this.config.current;
    const covering = freezes.filter((f) => freezeCovers(f, service, nowMs));
    const active = overrides.filter((o) => overrideActive(o, service, nowMs));
    const outcome = decideGate({
      service,
      changeType,
      slos,
      freezes: covering,
      overrides: active,
      onUnknown: config.policy.onUnknown,
      thresholds: config.policy.zones,
      stateLoss: loss ? describeStateLoss(loss) : null,
      overduePostmortems,
    });
    return { outcome, freezeIds: covering.map((f) => f.id), overrideId: active[0]?.id ?? null };
  }
}

const NO_POSTMORTEMS: OverduePostmortem[] = [];

/** The ids of a service's SLOs, kept per (immutable) list of the config: the gate asks for them on every decision. */
const sloIdsCache = new WeakMap<readonly SloConfig[], string[]>();
function sloIdsOf(slos: readonly SloConfig[]): string[] {
  let ids = sloIdsCache.get(slos);
  if (!ids) sloIdsCache.set(slos, (ids = slos.map((slo) => slo.id)));
  return ids;
}

/** The decision rests on the oldest evaluation among the service's SLOs (null if one never ran). */
function oldestEvaluation(standings: readonly SloStanding[]): string | null {
  let oldest = Infinity;
  for (const s of standings) {
    if (s.evaluatedAtMs === null) return null;
    oldest = Math.min(oldest, s.evaluatedAtMs);
  }
  return Number.isFinite(oldest) ? new Date(oldest).toISOString() : null;
}
