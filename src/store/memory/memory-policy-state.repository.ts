import type { AdminAuditEntry } from '../../common/admin-audit';
import type { Silence, SilenceRepository } from '../../alerting/silences/silence';
import {
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  GateInputs,
  Override,
  PolicyStateRepository,
} from '../../policies/ports/policy-state.repository';
import type { ApiCorrection, CorrectionRepository } from '../../policies/ports/correction.repository';
import type { EvaluationRepository } from '../../slo/ports/evaluation.repository';
import type { StateIntegrity } from '../../common/state-integrity';
import { CappedList } from './capped-list';
import { MemoryEvaluationRepository } from './memory-evaluation.repository';
import { MemoryStateIntegrity } from './memory-state-integrity';

/**
 * Policy state in process. Everything stored is deeply frozen and handed out as it is (no per-read
 * copies): freezes, overrides, silences, corrections, admin changes and imported decisions are
 * copied once when stored; the gate's own decisions and deploy markers (`recordDecision`, one per
 * request) are frozen in place, not copied — the gate hands them over and never changes them (its
 * answer shares their arrays, frozen too).
 */
export class MemoryPolicyStateRepository implements PolicyStateRepository, SilenceRepository, CorrectionRepository {
  private readonly freezes = new Map<string, Freeze>();
  private readonly overrides = new Map<string, Override>();
  private readonly silences = new Map<string, Silence>();
  private readonly corrections = new Map<string, ApiCorrection>();
  private readonly decisions = new CappedList<DecisionRecord>(AUDIT_LIMITS.decisions);
  private readonly decisionsByService = new Map<string, CappedList<DecisionRecord>>();
  private readonly adminChanges = new CappedList<AdminAuditEntry>(AUDIT_LIMITS.adminChanges);
  private readonly deploys = new Map<string, CappedList<DeployRecord>>();

  /** `evaluations` and `integrity`: the ones the gate reads with the freezes and overrides (the app's own) */
  constructor(
    private readonly evaluations: EvaluationRepository = new MemoryEvaluationRepository(),
    private readonly integrity: StateIntegrity = new MemoryStateIntegrity(),
  ) {}

  async gateInputs(sloIds: readonly string[], nowMs: number): Promise<GateInputs> {
    const [evaluations, loss] = await Promise.all([this.evaluations.getMany(sloIds), this.integrity.check(nowMs)]);
    return { evaluations, freezes: [...this.freezes.values()], overrides: [...this.overrides.values()], loss };
  }

  /** Takes the records over: they are frozen in place (cheaper than a copy or JSON on every request). */
  async recordDecision(decision: DecisionRecord, deploy: DeployRecord | null): Promise<void> {
    this.storeDecision(deepFreeze(decision));
    if (deploy) this.storeDeploy(deepFreeze(deploy));
  }
  private storeDecision(decision: DecisionRecord): void {
    this.decisions.push(decision);
    listFor(this.decisionsByService, decision.service, AUDIT_LIMITS.decisionsPerService).push(decision);
  }
  private storeDeploy(deploy: DeployRecord): void {
    listFor(this.deploys, deploy.service, AUDIT_LIMITS.deploysPerService).push(deploy);
  }

  async saveFreeze(freeze: Freeze): Promise<void> {
    this.freezes.set(freeze.id, frozenCopy(freeze));
  }
  async listFreezes(): Promise<Freeze[]> {
    return [...this.freezes.values()];
  }
  async deleteFreeze(id: string): Promise<Freeze | null> {
    const found = this.freezes.get(id) ?? null;
    this.freezes.delete(id);
    return found;
  }
  async saveOverride(override: Override): Promise<void> {
    this.overrides.set(override.id, frozenCopy(override));
  }
  async listOverrides(): Promise<Override[]> {
    return [...this.overrides.values()];
  }
  async deleteOverride(id: string): Promise<Override | null> {
    const found = this.overrides.get(id) ?? null;
    this.overrides.delete(id);
    return found;
  }
  async saveSilence(silence: Silence): Promise<void> {
    this.silences.set(silence.id, frozenCopy(silence));
  }
  async listSilences(): Promise<Silence[]> {
    return [...this.silences.values()];
  }
  async deleteSilence(id: string): Promise<Silence | null> {
    const found = this.silences.get(id) ?? null;
    this.silences.delete(id);
    return found;
  }
  async saveCorrection(correction: ApiCorrection): Promise<void> {
    this.corrections.set(correction.id, frozenCopy(correction));
  }
  async listCorrections(): Promise<ApiCorrection[]> {
    return [...this.corrections.values()];
  }
  async deleteCorrection(id: string): Promise<ApiCorrection | null> {
    const found = this.corrections.get(id) ?? null;
    this.corrections.delete(id);
    return found;
  }
  async appendDecision(decision: DecisionRecord): Promise<void> {
    this.storeDecision(frozenCopy(decision));
  }
  async listDecisions(query: { service?: string; limit: number }): Promise<DecisionRecord[]> {
    const source = query.service === undefined ? this.decisions : this.decisionsByService.get(query.service);
    return source?.newest(query.limit) ?? [];
  }
  async appendAdminChange(entry: AdminAuditEntry): Promise<void> {
    this.adminChanges.push(frozenCopy(entry));
  }
  async listAdminChanges(limit: number): Promise<AdminAuditEntry[]> {
    return this.adminChanges.newest(limit);
  }
  async recordDeploy(deploy: DeployRecord): Promise<void> {
    this.storeDeploy(frozenCopy(deploy));
  }
  async listDeploys(service: string, limit: number): Promise<DeployRecord[]> {
    return this.deploys.get(service)?.newest(limit) ?? [];
  }
}

function listFor<T>(lists: Map<string, CappedList<T>>, key: string, limit: number): CappedList<T> {
  let list = lists.get(key);
  if (!list) lists.set(key, (list = new CappedList<T>(limit)));
  return list;
}

/** A deep copy, deeply frozen (JSON data only): what was audited cannot change afterwards. */
function frozenCopy<T>(value: T): T {
  return deepFreeze(JSON.parse(JSON.stringify(value)) as T);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
