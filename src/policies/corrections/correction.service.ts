import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ADMIN_AUDIT, AdminAuditEntry, AdminAuditLog } from '../../common/admin-audit';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError, NotFoundError, ProblemDetail, ValidationError } from '../../common/domain-error';
import type { CorrectionSpec } from '../../config/app-config';
import { ConfigHolder } from '../../config/config-holder';
import type { Correction } from '../../slo/domain/corrections';
import type { CorrectionsReader } from '../../slo/ports/corrections';
import { ApiCorrection, CORRECTION_REPOSITORY, CorrectionRepository, MAX_API_CORRECTIONS } from '../ports/correction.repository';
import { configuredCorrection, correctionView, CorrectionView } from './correction-view';

/**
 * Corrections (SPEC §4, §5): planned maintenance taken out of the budget. Those of the config are
 * listed with `source: config` and cannot be deleted; those created through the API (admin scope)
 * are stored with the policy state, audited with the token's name, and never expire (a past one
 * still changes history). Also the `CORRECTIONS` port the evaluation reads every correction through.
 */
@Injectable()
export class CorrectionService implements CorrectionsReader {
  private readonly logger = new Logger('Corrections');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORRECTION_REPOSITORY) private readonly state: CorrectionRepository,
    @Inject(ADMIN_AUDIT) private readonly auditLog: AdminAuditLog,
  ) {}

  /** Every correction in force: the config's (in config order), then the API's, oldest first. */
  async all(): Promise<Correction[]> {
    const stored = await this.state.listCorrections();
    return [...this.config.current.corrections.map(configuredCorrection), ...stored.sort(oldestFirst)];
  }

  async list(): Promise<CorrectionView[]> {
    return (await this.all()).map(correctionView);
  }

  /** `spec` as parsed by `CorrectionInputSchema` (the shape checked); here what needs the config and the state. */
  async create(spec: CorrectionSpec, actor: string): Promise<CorrectionView> {
    const problems = [...this.targetProblems(spec)];
    if (problems.length > 0) throw new ValidationError('invalid correction', problems);
    const stored = await this.state.listCorrections();
    if (stored.length >= MAX_API_CORRECTIONS) {
      throw new DomainError('conflict', `at most ${MAX_API_CORRECTIONS} corrections can be created through the API: delete some first`);
    }
    const correction: ApiCorrection = {
      id: randomUUID(),
      ...(spec.slo !== undefined ? { slo: spec.slo } : { service: spec.service }),
      startMs: spec.startMs,
      durationMs: spec.durationMs,
      repeat: spec.repeat,
      reason: spec.reason,
      source: 'api',
      createdAtMs: this.clock.now(),
      createdBy: actor,
    };
    await this.state.saveCorrection(correction);
    const view = correctionView(correction);
    await this.audit('correction.create', actor, view);
    return view;
  }

  async delete(id: string, actor: string): Promise<void> {
    if (this.config.current.corrections.some((c) => c.id === id)) {
      throw new DomainError('conflict', `correction "${id}" comes from the config: remove it there (and reload)`);
    }
    const removed = await this.state.deleteCorrection(id);
    if (!removed) throw new NotFoundError(`unknown correction "${id}"`);
    await this.audit('correction.delete', actor, correctionView(removed));
  }

  private *targetProblems(spec: CorrectionSpec): Generator<ProblemDetail> {
    if (spec.slo !== undefined && !this.config.slo(spec.slo)) {
      yield { path: 'slo', message: `unknown SLO "${spec.slo}"` };
    }
    if (spec.service !== undefined && spec.service !== '*' && this.config.slosOfService(spec.service).length === 0) {
      yield { path: 'service', message: `unknown service "${spec.service}" (use a configured service or "*")` };
    }
  }

  /** The audit entry's service: the correction's ("*" included), or its SLO's ('' when that SLO is no longer configured). */
  private async audit(action: AdminAuditEntry['action'], actor: string, c: CorrectionView): Promise<void> {
    const service = c.service ?? (c.slo !== null ? (this.config.slo(c.slo)?.service ?? '') : '');
    const details = { slo: c.slo, service: c.service, start: c.start, end: c.end, duration: c.duration, repeat: c.repeat, reason: c.reason };
    const entry: AdminAuditEntry = { at: new Date(this.clock.now()).toISOString(), actor, action, id: c.id, service, details };
    await this.auditLog.appendAdminChange(entry);
    this.logger.log({ audit: entry }, action);
  }
}

function oldestFirst(a: ApiCorrection, b: ApiCorrection): number {
  return a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
