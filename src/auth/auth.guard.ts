import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Scope } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { DomainError } from '../common/domain-error';
import { SCOPE_METADATA } from './require-scope.decorator';
import { bearerToken, matchToken } from './token-matcher';

export type AuthenticatedRequest = FastifyRequest & { tokenName?: string };

/**
 * SPEC §5 auth: missing or unknown token → 401; token without the scope → 403; with
 * `auth.publicRead`, read routes need no token, but a token that is sent must still be valid.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: ConfigHolder,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = this.config.current.auth;
    const presented = bearerToken(request.headers.authorization);
    if (presented === null) {
      if (scope === 'read' && auth.publicRead) return true;
      throw new DomainError('unauthenticated', 'missing bearer token');
    }
    if (presented === undefined) throw new DomainError('unauthenticated', 'malformed Authorization header');
    const token = matchToken(auth.tokens, presented);
    if (!token) throw new DomainError('unauthenticated', 'unknown token');
    if (!token.scopes.includes(scope)) {
      throw new DomainError('forbidden', `token "${token.name}" lacks the "${scope}" scope`);
    }
    request.tokenName = token.name;
    return true;
  }
}
