import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { SloConfig } from '../../config/app-config';
import { ConfigHolder } from '../../config/config-holder';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError, ValidationError } from '../../common/domain-error';
import { retentionMs } from '../../slo/slo-evaluator';
import { EVENT_STORE, EventStore } from './event-store';
import {
  IDEMPOTENCY_PENDING_TTL_MS,
  IDEMPOTENCY_REPOSITORY,
  IDEMPOTENCY_TTL_MS,
  IdempotencyRepository,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from './idempotency';
import { type IngestValidation, validateIngest } from './ingest-request';

const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

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
    if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      // every problem at once: the header's and the body's
      const validation = this.validate(body);
      throw new ValidationError(validation.ok ? 'invalid Idempotency-Key' : 'invalid events', [
        { path: 'headers.idempotency-key', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters` },
        ...(validation.ok ? [] : validation.details),
      ]);
    }
    // The body is at most 5 MiB and 32 levels deep (checked before parsing): JSON.stringify cannot overflow.
    const fingerprint = createHash('sha256').update(JSON.stringify(body) ?? '').digest('hex');
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

  private validate(body: unknown): IngestValidation {
    return validateIngest(
      body,
      (id) => this.config.slo(id),
      (slo) => this.longestWindowOf(slo),
      this.clock.now(),
    );
  }

  private async storeBatch(body: unknown): Promise<IngestResult> {
    const validation = this.validate(body);
    if (!validation.ok) throw new ValidationError('invalid events', validation.details);
    const increments = validation.increments;
    await this.store.add(increments);
    this.logger.debug({ accepted: validation.increments.length }, 'events stored');
    return { accepted: validation.increments.length };
  }

  private longestWindowOf(slo: SloConfig): number {
    let longest = this.longestWindow.get(slo);
    if (longest === undefined) {
      longest = retentionMs(slo);
      this.longestWindow.set(slo, longest);
    }
    return longest;
  }
}
