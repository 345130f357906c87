import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { SloConfig } from '../../config/app-config';
import { ConfigHolder } from '../../config/config-holder';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError, ValidationError } from '../../common/domain-error';
import { storeWindowsMs } from '../../slo/slo-evaluator';
import { EVENT_STORE, EventStore } from './event-store';
import {
  IDEMPOTENCY_PENDING_TTL_MS,
  IDEMPOTENCY_REPOSITORY,
  IDEMPOTENCY_TTL_MS,
  IdempotencyRepository,
} from './idempotency';
import { validateIngest } from './ingest-request';

export interface IngestResult {
  accepted: number;
}

/** POST /v1/events: validate the whole batch, then store it atomically (idempotently with a key). */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly longestWindow = new WeakMap<SloConfig, number>();

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IDEMPOTENCY_REPOSITORY) private readonly idempotency: IdempotencyRepository,
  ) {}

  async ingest(body: unknown, idempotencyKey?: string): Promise<IngestResult> {
    if (idempotencyKey === undefined) return this.storeBatch(body);
    if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new ValidationError('invalid Idempotency-Key', [
        { path: 'headers.idempotency-key', message: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const claim = await this.idempotency.claim(idempotencyKey, fingerprint, IDEMPOTENCY_PENDING_TTL_MS);
    if (claim.state !== 'claimed') {
      if (claim.fingerprint !== fingerprint) {
        throw new DomainError('conflict', 'Idempotency-Key already used with a different body');
      }
      if (claim.state === 'pending') throw new DomainError('conflict', 'a request with this Idempotency-Key is in progress');
      return claim.response.body as IngestResult;
    }
    try {
      const result = await this.storeBatch(body);
      await this.idempotency.complete(idempotencyKey, fingerprint, { statusCode: 202, body: result }, IDEMPOTENCY_TTL_MS);
      return result;
    } catch (error) {
      await this.idempotency.release(idempotencyKey).catch(() => undefined);
      throw error;
    }
  }

  private async storeBatch(body: unknown): Promise<IngestResult> {
    const validation = validateIngest(
      body,
      (id) => this.config.slo(id),
      (slo) => this.longestWindowOf(slo),
      this.clock.now(),
    );
    if (!validation.ok) throw new ValidationError('invalid events', validation.details);
    const increments = validation.increments;
    await this.store.add(increments);
    this.logger.debug({ accepted: validation.increments.length }, 'events stored');
    return { accepted: validation.increments.length };
  }

  private longestWindowOf(slo: SloConfig): number {
    let longest = this.longestWindow.get(slo);
    if (longest === undefined) {
      longest = Math.max(...storeWindowsMs(slo));
      this.longestWindow.set(slo, longest);
    }
    return longest;
  }
}
