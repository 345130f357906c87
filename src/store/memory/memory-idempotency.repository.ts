import type { Clock } from '../../common/clock';
import type { ClaimResult, IdempotencyRepository, StoredResponse } from '../../sources/events/idempotency';

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
  expiresAtMs: number;
}

export class MemoryIdempotencyRepository implements IdempotencyRepository {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<ClaimResult> {
    const now = this.clock.now();
    this.evictExpired(now);
    const existing = this.entries.get(key);
    if (!existing) {
      this.entries.set(key, { fingerprint, response: null, expiresAtMs: now + pendingTtlMs });
      return { state: 'claimed' };
    }
    if (existing.response) {
      return { state: 'completed', fingerprint: existing.fingerprint, response: structuredClone(existing.response) };
    }
    return { state: 'pending', fingerprint: existing.fingerprint };
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    this.entries.set(key, { fingerprint, response: structuredClone(response), expiresAtMs: this.clock.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private evictExpired(now: number): void {
    // Map iteration is insertion-ordered, close enough to expiry order to stop early.
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs > now) break;
      this.entries.delete(key);
    }
  }
}
