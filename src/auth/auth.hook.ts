import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { ConfigHolder } from '../config/config-holder';
import type { AuthenticatedRequest } from './auth.guard';
import { authenticate } from './authenticate';
import { routeScope } from './require-scope.decorator';

/**
 * Fastify `onRequest` hook: the token is checked before the body is read (SPEC §5 "bad input is
 * refused before it costs anything"): a request without a valid token for the route's scope is
 * answered 401/403 and its body is never parsed. The scope comes from the route's @RequireScope.
 */
export function authOnRequest(config: ConfigHolder) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const scope = routeScope(request);
    if (!scope) return done();
    try {
      const name = authenticate(config.current.auth, request.headers.authorization, scope);
      const authenticated = request as AuthenticatedRequest;
      if (name !== null) authenticated.tokenName = name;
      authenticated.authenticatedScope = scope;
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}
