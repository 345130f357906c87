import type { Clock } from '../../common/clock';
import {
  IDEMPOTENCY_MAX_KEYS,
  type ClaimResult,
  type IdempotencyRepository,
  type StoredResponse,
} from '../../sources/events/idempotency';

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
  expiresAtMs: number;
}

/**
 * Idempotency keys in process memory, bounded (SPEC §5): each is kept until it expires or until
 * `maxKeys` newer keys have been claimed. The map's insertion order is the order keys were claimed
 * (completing a claim keeps its place), so the oldest key is always the first one.
 */
export class MemoryIdempotencyRepository implements IdempotencyRepository {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = IDEMPOTENCY_MAX_KEYS,
  ) {}

  /** keys held now (expired ones not yet dropped included) */
  get size(): number {
    return this.entries.size;
  }

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<ClaimResult> {
    const now = this.clock.now();
    this.evictExpired(now);
    const existing = this.entries.get(key);
    if (existing && existing.expiresAtMs > now) {
      if (existing.response) {
        return { state: 'completed', fingerprint: existing.fingerprint, response: structuredClone(existing.response) };
      }
      return { state: 'pending', fingerprint: existing.fingerprint };
    }
    this.entries.delete(key); // an expired entry further back: the new claim is the newest key
    this.remember(key, { fingerprint, response: null, expiresAtMs: now + pendingTtlMs });
    return { state: 'claimed' };
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    this.remember(key, { fingerprint, response: structuredClone(response), expiresAtMs: this.clock.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Sets the entry (a key already held keeps its place) and forgets the oldest keys beyond the bound. */
  private remember(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(oldest);
    }
  }

  private evictExpired(now: number): void {
    // Claim order is close to expiry order: stop at the first live entry (the count bound covers the rest).
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs > now) break;
      this.entries.delete(key);
    }
  }
}
