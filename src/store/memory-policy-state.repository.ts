import {
  AdminAuditEntry,
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  Override,
  PolicyStateRepository,
} from '../policies/policy-state';

/** Newest-first list capped at `limit` entries. */
function pushCapped<T>(list: T[], item: T, limit: number): void {
  list.unshift(structuredClone(item));
  if (list.length > limit) list.length = limit;
}

export class MemoryPolicyStateRepository implements PolicyStateRepository {
  private readonly freezes = new Map<string, Freeze>();
  private readonly overrides = new Map<string, Override>();
  private readonly decisions: DecisionRecord[] = [];
  private readonly decisionsByService = new Map<string, DecisionRecord[]>();
  private readonly adminChanges: AdminAuditEntry[] = [];
  private readonly deploys = new Map<string, DeployRecord[]>();

  async saveFreeze(freeze: Freeze): Promise<void> {
    this.freezes.set(freeze.id, structuredClone(freeze));
  }
  async listFreezes(): Promise<Freeze[]> {
    return [...this.freezes.values()].map((f) => structuredClone(f));
  }
  async deleteFreeze(id: string): Promise<Freeze | null> {
    const found = this.freezes.get(id) ?? null;
    this.freezes.delete(id);
    return found;
  }
  async saveOverride(override: Override): Promise<void> {
    this.overrides.set(override.id, structuredClone(override));
  }
  async listOverrides(): Promise<Override[]> {
    return [...this.overrides.values()].map((o) => structuredClone(o));
  }
  async deleteOverride(id: string): Promise<Override | null> {
    const found = this.overrides.get(id) ?? null;
    this.overrides.delete(id);
    return found;
  }
  async appendDecision(decision: DecisionRecord): Promise<void> {
    pushCapped(this.decisions, decision, AUDIT_LIMITS.decisions);
    let own = this.decisionsByService.get(decision.service);
    if (!own) this.decisionsByService.set(decision.service, (own = []));
    pushCapped(own, decision, AUDIT_LIMITS.decisionsPerService);
  }
  async listDecisions(query: { service?: string; limit: number }): Promise<DecisionRecord[]> {
    const source = query.service === undefined ? this.decisions : (this.decisionsByService.get(query.service) ?? []);
    return source.slice(0, query.limit).map((d) => structuredClone(d));
  }
  async appendAdminChange(entry: AdminAuditEntry): Promise<void> {
    pushCapped(this.adminChanges, entry, AUDIT_LIMITS.adminChanges);
  }
  async listAdminChanges(limit: number): Promise<AdminAuditEntry[]> {
    return this.adminChanges.slice(0, limit).map((e) => structuredClone(e));
  }
  async recordDeploy(deploy: DeployRecord): Promise<void> {
    let own = this.deploys.get(deploy.service);
    if (!own) this.deploys.set(deploy.service, (own = []));
    pushCapped(own, deploy, AUDIT_LIMITS.deploysPerService);
  }
  async listDeploys(service: string, limit: number): Promise<DeployRecord[]> {
    return (this.deploys.get(service) ?? []).slice(0, limit).map((d) => structuredClone(d));
  }
}
