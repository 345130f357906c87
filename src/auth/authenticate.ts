import type { AppConfig, Scope } from '../config/app-config';
import { DomainError } from '../common/domain-error';
import { bearerToken, matchToken } from './token-matcher';

/**
 * SPEC §5 auth for one request: missing or unknown token → 401; token without the scope → 403;
 * with `auth.publicRead`, read needs no token, but a token that is sent must still be valid.
 * Returns the token's name, or null for an anonymous public read.
 */
export function authenticate(auth: AppConfig['auth'], authorization: string | undefined, scope: Scope): string | null {
  const presented = bearerToken(authorization);
  if (presented === null) {
    if (scope === 'read' && auth.publicRead) return null;
    throw new DomainError('unauthenticated', 'missing bearer token');
  }
  if (presented === undefined) throw new DomainError('unauthenticated', 'malformed Authorization header');
  const token = matchToken(auth.tokens, presented);
  if (!token) throw new DomainError('unauthenticated', 'unknown token');
  if (!token.scopes.includes(scope)) throw new DomainError('forbidden', `token "${token.name}" lacks the "${scope}" scope`);
  return token.name;
}
