import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConfigHolder } from '../../config/config-holder';
import { CLOCK, Clock } from '../../common/clock';
import { NotFoundError, ProblemDetail, ValidationError } from '../../common/domain-error';
import { ADMIN_AUDIT, AdminAuditEntry, AdminAuditLog } from '../../common/admin-audit';
import { Silence, SILENCE_REPOSITORY, SilenceRepository } from './silence';
import { silenceActive } from '../domain/silence-match';

export interface SilenceInput {
  /** exactly one of slo / service */
  slo?: string;
  service?: string;
  untilMs: number;
  reason: string;
}

/**
 * A silence may last at most this long: one forgotten after an incident must not hide pages for
 * ever. Longer quiet periods are a config change (routes), or a new silence once this one ends.
 */
export const MAX_SILENCE_MS = 30 * 86_400_000;

/**
 * Silences (SPEC §5, §6; admin scope): they mute notifications of one SLO or of every SLO of a
 * service until `until`, never evaluation. Each change is audited with the token's name.
 */
@Injectable()
export class SilenceService {
  private readonly logger = new Logger('Silences');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SILENCE_REPOSITORY) private readonly state: SilenceRepository,
    @Inject(ADMIN_AUDIT) private readonly auditLog: AdminAuditLog,
  ) {}

  async create(input: SilenceInput, actor: string): Promise<Silence> {
    const now = this.clock.now();
    const problems = [...this.targetProblems(input)];
    if (input.untilMs <= now) problems.push({ path: 'until', message: 'must be in the future' });
    else if (input.untilMs - now > MAX_SILENCE_MS) problems.push({ path: 'until', message: 'is more than 30 days ahead' });
    if (input.reason.trim() === '') problems.push({ path: 'reason', message: 'must not be empty' });
    if (problems.length > 0) throw new ValidationError('invalid silence', problems);
    const silence: Silence = {
      id: randomUUID(),
      slo: input.slo ?? null,
      service: input.service ?? null,
      until: new Date(input.untilMs).toISOString(),
      reason: input.reason,
      createdBy: actor,
      createdAt: new Date(now).toISOString(),
    };
    await this.state.saveSilence(silence);
    await this.audit('silence.create', actor, silence, { slo: silence.slo, service: silence.service, until: silence.until, reason: silence.reason });
    return silence;
  }

  /** Silences not yet ended, oldest first (ended ones are dropped as they are read). */
  async list(): Promise<Silence[]> {
    return this.readNotEnded(this.clock.now());
  }

  /**
   * Silences in force at `nowMs` (`createdAt ≤ now < until`), for the delivery side to match alerts
   * against with `silenceCovers`. Ended ones are dropped by the service's own clock, so a caller
   * asking about a past instant never deletes a silence still in force now.
   */
  async activeSilences(nowMs: number): Promise<Silence[]> {
    const notEnded = await this.readNotEnded(this.clock.now());
    return notEnded.filter((s) => silenceActive(s, nowMs));
  }

  async delete(id: string, actor: string): Promise<void> {
    const removed = await this.state.deleteSilence(id);
    if (!removed) throw new NotFoundError(`unknown silence "${id}"`);
    await this.audit('silence.delete', actor, removed, { slo: removed.slo, service: removed.service, until: removed.until, reason: removed.reason });
  }

  private *targetProblems(input: SilenceInput): Generator<ProblemDetail> {
    if (input.slo === undefined && input.service === undefined) {
      yield { path: 'slo', message: 'give either slo or service' };
    } else if (input.slo !== undefined && input.service !== undefined) {
      yield { path: 'service', message: 'give either slo or service, not both' };
    } else if (input.slo !== undefined && !this.config.slo(input.slo)) {
      yield { path: 'slo', message: `unknown SLO "${input.slo}"` };
    } else if (input.service !== undefined && this.config.slosOfService(input.service).length === 0) {
      yield { path: 'service', message: `unknown service "${input.service}"` };
    }
  }

  private async readNotEnded(now: number): Promise<Silence[]> {
    const all = await this.state.listSilences();
    const ended = all.filter((s) => Date.parse(s.until) <= now);
    await Promise.all(ended.map((s) => this.state.deleteSilence(s.id)));
    return all
      .filter((s) => Date.parse(s.until) > now)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** The audit entry's service: the silence's, or its SLO's ('' when that SLO is no longer configured). */
  private async audit(action: AdminAuditEntry['action'], actor: string, silence: Silence, details: Record<string, unknown>): Promise<void> {
    const service = silence.service ?? (silence.slo !== null ? (this.config.slo(silence.slo)?.service ?? '') : '');
    const entry: AdminAuditEntry = { at: new Date(this.clock.now()).toISOString(), actor, action, id: silence.id, service, details };
    await this.auditLog.appendAdminChange(entry);
    this.logger.log({ audit: entry }, action);
  }
}
