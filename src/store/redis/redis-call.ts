import { StateUnavailableError } from '../../common/domain-error';

/**
 * Runs a Redis operation; any failure (connection down, timeout, refused command) becomes a
 * StateUnavailableError, so callers answer 503 instead of reading "no data" as "healthy".
 */
export async function redisCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw stateUnavailable(what, error);
  }
}

/** The error a failed Redis operation becomes (already one: kept as it is). */
export function stateUnavailable(what: string, error: unknown): StateUnavailableError {
  if (error instanceof StateUnavailableError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StateUnavailableError(`state store unavailable (${what}): ${reason}`);
}
