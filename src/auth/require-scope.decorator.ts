import { SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';
import type { Scope } from '../config/app-config';

export const SCOPE_METADATA = 'slo-engine:scope';

/**
 * The scope a route needs; routes without it are public (health, docs, the board shell). The scope
 * also goes into the Fastify route's `config` (merged with a `@RouteConfig` written below it), so
 * that the token is checked in the `onRequest` hook (`auth.hook.ts`), before the body is read
 * (SPEC §5) — a Nest guard would run after parsing. A `@RouteConfig` written above it would replace
 * the whole config, scope included: put `@RequireScope` above.
 */
export const RequireScope =
  (scope: Scope): MethodDecorator =>
  (target, key, descriptor) => {
    SetMetadata(SCOPE_METADATA, scope)(target, key, descriptor);
    const handler = descriptor.value as object;
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined) ?? {};
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, scope }, handler);
    return descriptor;
  };

/** The scope the matched route declared with @RequireScope, if any. */
export function routeScope(request: FastifyRequest): Scope | undefined {
  const config = request.routeOptions?.config as { scope?: Scope } | undefined;
  return config?.scope;
}
