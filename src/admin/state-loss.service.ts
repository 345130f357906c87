import { Inject, Injectable, Logger } from '@nestjs/common';
import { ADMIN_AUDIT, AdminAuditLog } from '../common/admin-audit';
import { CLOCK, Clock } from '../common/clock';
import { STATE_INTEGRITY, StateIntegrity } from '../common/state-integrity';

export interface AcceptedLoss {
  accepted: { lostAt: string; reason: string } | null;
}

/**
 * SPEC §12: an admin acknowledges a detected loss of the shared state (having restored what they
 * could: freezes, overrides, silences), so the deploy gate answers from the state again and the
 * heartbeat resumes. Audited with the token's name.
 */
@Injectable()
export class StateLossService {
  private readonly logger = new Logger('StateLoss');

  constructor(
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
    @Inject(ADMIN_AUDIT) private readonly audit: AdminAuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async accept(actor: string): Promise<AcceptedLoss> {
    const loss = await this.integrity.acceptLoss();
    const accepted = loss ? { lostAt: new Date(loss.lostAtMs).toISOString(), reason: loss.reason } : null;
    const entry = {
      at: new Date(this.clock.now()).toISOString(),
      actor,
      action: 'state.accept-loss' as const,
      id: accepted ? `loss-${loss!.lostAtMs}` : 'none',
      service: '*',
      details: { accepted },
    };
    await this.audit.appendAdminChange(entry);
    if (accepted) this.logger.warn({ audit: entry }, 'state loss accepted: the deploy gate answers from the state again');
    else this.logger.log({ audit: entry }, 'state loss accepted: none was recorded');
    return { accepted };
  }
}
