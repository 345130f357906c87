import type { AdminAuditEntry } from '../../common/admin-audit';
import type { Silence, SilenceRepository } from '../../alerting/silences/silence';
import {
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  Override,
  PolicyStateRepository,
} from '../../policies/ports/policy-state.repository';
import type { ApiCorrection, CorrectionRepository } from '../../policies/ports/correction.repository';
import { CappedList } from './capped-list';

/**
 * Policy state in process. Freezes, overrides, silences, corrections and admin changes are copied and frozen
 * once when stored and handed out as they are (no per-read copies); decisions and deploys, appended
 * on every gate request and rarely read, are kept as JSON strings (cheaper than a frozen copy).
 */
export class MemoryPolicyStateRepository implements PolicyStateRepository, SilenceRepository, CorrectionRepository {
  private readonly freezes = new Map<string, Freeze>();
  private readonly overrides = new Map<string, Override>();
  private readonly silences = new Map<string, Silence>();
  private readonly corrections = new Map<string, ApiCorrection>();
  /** decisions and deploys are kept as JSON (one stringify per gate request, parsed when listed) */
  private readonly decisions = new CappedList<string>(AUDIT_LIMITS.decisions);
  private readonly decisionsByService = new Map<string, CappedList<string>>();
  private readonly adminChanges = new CappedList<AdminAuditEntry>(AUDIT_LIMITS.adminChanges);
  private readonly deploys = new Map<string, CappedList<string>>();

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
    const stored = JSON.stringify(decision);
    this.decisions.push(stored);
    listFor(this.decisionsByService, decision.service, AUDIT_LIMITS.decisionsPerService).push(stored);
  }
  async listDecisions(query: { service?: string; limit: number }): Promise<DecisionRecord[]> {
    const source = query.service === undefined ? this.decisions : this.decisionsByService.get(query.service);
    return (source?.newest(query.limit) ?? []).map((json) => JSON.parse(json) as DecisionRecord);
  }
  async appendAdminChange(entry: AdminAuditEntry): Promise<void> {
    this.adminChanges.push(frozenCopy(entry));
  }
  async listAdminChanges(limit: number): Promise<AdminAuditEntry[]> {
    return this.adminChanges.newest(limit);
  }
  async recordDeploy(deploy: DeployRecord): Promise<void> {
    listFor(this.deploys, deploy.service, AUDIT_LIMITS.deploysPerService).push(JSON.stringify(deploy));
  }
  async listDeploys(service: string, limit: number): Promise<DeployRecord[]> {
    return (this.deploys.get(service)?.newest(limit) ?? []).map((json) => JSON.parse(json) as DeployRecord);
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
