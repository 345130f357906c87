import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenConfig } from '../config/app-config';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Finds the configured token equal to `presented`, comparing fixed-length digests in constant time
 * and always walking every token, so timing reveals neither which token nor how much matched.
 */
export function matchToken(tokens: readonly TokenConfig[], presented: string): TokenConfig | null {
  const presentedDigest = digest(presented);
  const digests = configuredDigests(tokens);
  let found: TokenConfig | null = null;
  for (let i = 0; i < tokens.length; i++) {
    if (timingSafeEqual(digests[i], presentedDigest) && found === null) found = tokens[i];
  }
  return found;
}

/** The configured tokens' digests, computed once per config (a reload gives a new list), not per request. */
const digestsCache = new WeakMap<readonly TokenConfig[], Buffer[]>();
function configuredDigests(tokens: readonly TokenConfig[]): Buffer[] {
  let digests = digestsCache.get(tokens);
  if (!digests) digestsCache.set(tokens, (digests = tokens.map((token) => digest(token.token))));
  return digests;
}

/** The token of an `Authorization: Bearer TOKEN` header; null when absent, undefined when malformed. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined || header === '') return null;
  const match = /^Bearer\s+(\S{1,4096})\s*$/i.exec(header);
  return match ? match[1] : undefined;
}
