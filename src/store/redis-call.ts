import { StateUnavailableError } from '../common/domain-error';

/**
 * Runs a Redis operation; any failure (connection down, timeout, refused command) becomes a
 * StateUnavailableError, so callers answer 503 instead of reading "no data" as "healthy".
 */
export async function redisCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StateUnavailableError(`state store unavailable (${what}): ${reason}`);
  }
}
