import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { NotFoundError, ValidationError } from '../common/domain-error';
import type { AdminAuditEntry } from '../common/admin-audit';
import { Freeze, Override, POLICY_STATE, PolicyStateRepository } from './ports/policy-state.repository';
import { CHANGE_EVENTS, ChangeEventSender } from '../notifiers/ports/change-events';
import { overrideChangeEvent } from './change-events';

export interface FreezeInput {
  service: string;
  startMs: number;
  endMs: number;
  reason: string;
}

export interface OverrideInput {
  service: string;
  reason: string;
  expiresAtMs: number;
  approvedBy: string;
}

/** Overrides bypass the error-budget policy; they may last at most this long. */
export const MAX_OVERRIDE_MS = 7 * 86_400_000;

/** Freeze windows and overrides (admin scope), each change audited with the token's name. */
@Injectable()
export class PolicyAdminService {
  private readonly logger = new Logger('PolicyAdmin');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(POLICY_STATE) private readonly state: PolicyStateRepository,
    @Inject(CHANGE_EVENTS) private readonly changeEvents: ChangeEventSender,
  ) {}

  async createFreeze(input: FreezeInput, actor: string): Promise<Freeze> {
    const problems = [];
    if (input.service !== '*' && !this.serviceExists(input.service)) {
      problems.push({ path: 'service', message: `unknown service "${input.service}" (use a configured service or "*")` });
    }
    if (input.endMs <= input.startMs) problems.push({ path: 'end', message: 'must be after start' });
    if (input.endMs <= this.clock.now()) problems.push({ path: 'end', message: 'is in the past' });
    if (problems.length > 0) throw new ValidationError('invalid freeze', problems);
    const freeze: Freeze = {
      id: randomUUID(),
      service: input.service,
      start: new Date(input.startMs).toISOString(),
      end: new Date(input.endMs).toISOString(),
      reason: input.reason,
      createdBy: actor,
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    await this.state.saveFreeze(freeze);
    await this.audit('freeze.create', actor, freeze.id, freeze.service, { start: freeze.start, end: freeze.end, reason: freeze.reason });
    return freeze;
  }

  /** Freezes not yet ended (ended ones are dropped as they are read). */
  async listFreezes(): Promise<Freeze[]> {
    const now = this.clock.now();
    const all = await this.state.listFreezes();
    const ended = all.filter((f) => Date.parse(f.end) <= now);
    await Promise.all(ended.map((f) => this.state.deleteFreeze(f.id)));
    return all.filter((f) => Date.parse(f.end) > now).sort((a, b) => a.start.localeCompare(b.start));
  }

  async deleteFreeze(id: string, actor: string): Promise<void> {
    const removed = await this.state.deleteFreeze(id);
    if (!removed) throw new NotFoundError(`unknown freeze "${id}"`);
    await this.audit('freeze.delete', actor, id, removed.service, { reason: removed.reason, end: removed.end });
  }

  async createOverride(input: OverrideInput, actor: string): Promise<Override> {
    const now = this.clock.now();
    const problems = [];
    if (!this.serviceExists(input.service)) problems.push({ path: 'service', message: `unknown service "${input.service}"` });
    if (input.expiresAtMs <= now) problems.push({ path: 'expiresAt', message: 'is in the past' });
    else if (input.expiresAtMs - now > MAX_OVERRIDE_MS) problems.push({ path: 'expiresAt', message: 'is more than 7 days ahead' });
    if (problems.length > 0) throw new ValidationError('invalid override', problems);
    const override: Override = {
      id: randomUUID(),
      service: input.service,
      reason: input.reason,
      expiresAt: new Date(input.expiresAtMs).toISOString(),
      approvedBy: input.approvedBy,
      createdBy: actor,
      createdAt: new Date(now).toISOString(),
    };
    await this.state.saveOverride(override);
    await this.audit('override.create', actor, override.id, override.service, {
      reason: override.reason,
      expiresAt: override.expiresAt,
      approvedBy: override.approvedBy,
    });
    this.changeEvents.publish(overrideChangeEvent(override));
    return override;
  }

  /** Overrides not yet expired (expired ones are dropped as they are read). */
  async listOverrides(): Promise<Override[]> {
    const now = this.clock.now();
    const all = await this.state.listOverrides();
    const expired = all.filter((o) => Date.parse(o.expiresAt) <= now);
    await Promise.all(expired.map((o) => this.state.deleteOverride(o.id)));
    return all.filter((o) => Date.parse(o.expiresAt) > now).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async deleteOverride(id: string, actor: string): Promise<void> {
    const removed = await this.state.deleteOverride(id);
    if (!removed) throw new NotFoundError(`unknown override "${id}"`);
    await this.audit('override.delete', actor, id, removed.service, { reason: removed.reason });
  }

  listChanges(limit: number): Promise<AdminAuditEntry[]> {
    return this.state.listAdminChanges(limit);
  }

  private serviceExists(service: string): boolean {
    return this.config.slosOfService(service).length > 0;
  }

  private async audit(action: AdminAuditEntry['action'], actor: string, id: string, service: string, details: Record<string, unknown>) {
    const entry: AdminAuditEntry = { at: new Date(this.clock.now()).toISOString(), actor, action, id, service, details };
    await this.state.appendAdminChange(entry);
    this.logger.log({ audit: entry }, action);
  }
}
