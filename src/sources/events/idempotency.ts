/**
 * `Idempotency-Key` support for ingest: a repeat within the retention answers as the first did and
 * stores nothing; the same key with a different body is a conflict.
 */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export type ClaimResult =
  | { state: 'claimed' }
  | { state: 'completed'; fingerprint: string; response: StoredResponse }
  | { state: 'pending'; fingerprint: string };

export interface IdempotencyRepository {
  /**
   * Claims the key for a request with this body fingerprint, or tells what the key already holds.
   * A new key counts as the newest: the keys claimed more than `IDEMPOTENCY_MAX_KEYS` claims ago
   * (repeats of a remembered key do not count) are forgotten.
   */
  claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<ClaimResult>;
  /** Records the answer of a claimed key, kept for `ttlMs`. */
  complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Gives a claim back when the request failed without effect, so the client may retry. */
  release(key: string): Promise<void>;
}

export const IDEMPOTENCY_REPOSITORY = Symbol('IDEMPOTENCY_REPOSITORY');

/**
 * SPEC §5: a key is remembered for 24 h or until 100,000 newer keys have been seen, whichever comes
 * first, so memory stays bounded whatever clients send (at most 100,000 keys of at most 200
 * characters: a few tens of MB, memory or Redis). An unfinished claim expires after a minute.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const IDEMPOTENCY_PENDING_TTL_MS = 60_000;
export const IDEMPOTENCY_MAX_KEYS = 100_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
