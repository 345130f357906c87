import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Scope } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { SCOPE_METADATA } from './require-scope.decorator';
import { authenticate } from './authenticate';

export type AuthenticatedRequest = FastifyRequest & { tokenName?: string; authenticatedScope?: Scope };

/**
 * Applies `authenticate` (SPEC §5) to every route that declares a scope with @RequireScope. The
 * `onRequest` hook (`auth.hook.ts`) has normally done it before the body was read; the guard checks
 * again only a request the hook did not authenticate for that scope (belt and braces).
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
    if (request.authenticatedScope === scope) return true;
    const name = authenticate(this.config.current.auth, request.headers.authorization, scope);
    if (name !== null) request.tokenName = name;
    request.authenticatedScope = scope;
    return true;
  }
}
