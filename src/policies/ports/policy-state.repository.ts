import type { ChangeType } from '../domain/gate-matrix';
import type { Zone } from '../../slo/domain/zones';
import type { AdminAuditLog } from '../../common/admin-audit';
import type { StateLoss } from '../../common/state-integrity';
import type { SloEvaluationRecord } from '../../slo/ports/evaluation.repository';

/** A freeze window: denies every change but rollback and security for a service (or '*'). */
export interface Freeze {
  id: string;
  service: string;
  start: string;
  end: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

/** Lets every change of a service pass until it expires. */
export interface Override {
  id: string;
  service: string;
  reason: string;
  expiresAt: string;
  approvedBy: string;
  createdBy: string;
  createdAt: string;
}

/** One deploy-gate decision, as written to the audit log. */
export interface DecisionRecord {
  decisionId: string;
  at: string;
  service: string;
  changeType: ChangeType;
  version: string | null;
  environment: string | null;
  requestedBy: string | null;
  /** the name of the token that asked (never the token) */
  token: string;
  decision: 'allow' | 'deny';
  zone: Zone;
  reasons: string[];
  warnings: string[];
  slos: Array<{ slo: string; zone: Zone; remaining: number | null }>;
  overrideId: string | null;
  freezeIds: string[];
}

/** An allowed change with a version: a deploy marker, with the budget of each SLO at that moment. */
export interface DeployRecord {
  decisionId: string;
  at: string;
  service: string;
  version: string;
  changeType: ChangeType;
  environment: string | null;
  requestedBy: string | null;
  slos: Array<{ slo: string; remaining: number | null }>;
}

/** Retention of the audit lists (newest kept; documented in docs/deploy-gate.md). */
export const AUDIT_LIMITS = {
  decisions: 10_000,
  decisionsPerService: 1_000,
  adminChanges: 10_000,
  deploysPerService: 20,
} as const;

/** Everything a deploy-gate decision reads, read together (with Redis: one round trip). */
export interface GateInputs {
  /** the latest evaluation of each SLO asked for, in the same order (null: never evaluated) */
  evaluations: Array<SloEvaluationRecord | null>;
  freezes: Freeze[];
  overrides: Override[];
  /** the state loss not yet accepted (SPEC §12), as StateIntegrity.check answers it */
  loss: StateLoss | null;
}

/** Freezes, overrides, the decision audit and deploy markers; its adapters also keep the admin audit log. */
export interface PolicyStateRepository extends AdminAuditLog {
  saveFreeze(freeze: Freeze): Promise<void>;
  listFreezes(): Promise<Freeze[]>;
  deleteFreeze(id: string): Promise<Freeze | null>;
  saveOverride(override: Override): Promise<void>;
  listOverrides(): Promise<Override[]>;
  deleteOverride(id: string): Promise<Override | null>;
  appendDecision(decision: DecisionRecord): Promise<void>;
  /** newest first */
  listDecisions(query: { service?: string; limit: number }): Promise<DecisionRecord[]>;
  recordDeploy(deploy: DeployRecord): Promise<void>;
  /** newest first */
  listDeploys(service: string, limit: number): Promise<DeployRecord[]>;
  /**
   * The deploy gate's reads (SPEC §7): the latest evaluations of these SLOs, every freeze and
   * override, and the state-integrity check (which may record a loss it detects), read now from
   * the shared state (never cached: a freeze created on another replica applies to the next
   * decision). Rejects with StateUnavailableError when the state cannot be read.
   */
  gateInputs(sloIds: readonly string[], nowMs: number): Promise<GateInputs>;
  /**
   * The deploy gate's writes, all or nothing: the decision into the audit (overall and per service)
   * and, for an allowed change with a version, its deploy marker. The gate answers only once this
   * resolves (audited before answered).
   */
  recordDecision(decision: DecisionRecord, deploy: DeployRecord | null): Promise<void>;
}

export const POLICY_STATE = Symbol('POLICY_STATE');
