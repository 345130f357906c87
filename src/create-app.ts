import { ServiceUnavailableException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCompress from '@fastify/compress';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions } from './app.module';
import { authOnRequest } from './auth/auth.hook';
import { routeScope } from './auth/require-scope.decorator';
import { errorBody, sendError, toErrorBody } from './common/api-exception.filter';
import { apiComponents } from './common/api-schema';
import { ValidationError } from './common/domain-error';
import { jsonNestedDeeperThan, MAX_JSON_DEPTH } from './common/parse-input';
import { Readiness } from './cycle/readiness';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
const COMPRESS_THRESHOLD_BYTES = 2048;
/** SPEC §5: a path segment longer than this is a 404 (in the error shape). */
export const MAX_PATH_PARAM_LENGTH = 256;

/** Builds the Nest application on Fastify (also used by e2e tests and the bench). */
export async function createApp(options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // requests that arrive while closing are refused by our own hook, in the error shape
    return503OnClosing: false,
    // errors the router raises before any hook (a bad URL, a path parameter over the limit)
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => sendError(reply, toErrorBody(error)),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    bodyParser: false, // ours below: JSON only, depth-checked, and only after authentication
  });
  app.useLogger(app.get(Logger));
  // answers over 2 KiB (lists, history, the board's data, /metrics) gzipped for clients that take it;
  // the gate's small answers are never worth it. Brotli left out: its CPU cost is not worth it here.
  await app.register(fastifyCompress, { global: true, threshold: COMPRESS_THRESHOLD_BYTES, encodings: ['gzip', 'deflate'] });
  const readiness = app.get(Readiness);
  installRequestPipeline(app.getHttpAdapter().getInstance(), options, () => readiness.shuttingDown);
  const cors = options.config.current.server.corsOrigins;
  if (cors.length > 0) app.enableCors({ origin: cors, allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'] });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('slo-engine')
      .setDescription('SLO evaluation, error budgets, burn-rate alerts and the deploy gate. Errors: {statusCode, error, message, details[]}.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  // The shapes come from the zod schemas (src/**/*-api.schema.ts) the controllers point at with apiRef().
  const schemas = { ...document.components?.schemas };
  for (const [name, schema] of Object.entries(apiComponents())) {
    if (name in schemas) throw new Error(`OpenAPI component "${name}" is defined twice`);
    schemas[name] = schema;
  }
  document.components = { ...document.components, schemas };
  document.openapi = '3.1.0';
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  return app;
}

/**
 * SPEC §5 "bad input is refused before it costs anything", and §12 SIGTERM, in the order Fastify
 * runs them for each request:
 * 1. `onRequest`: after SIGTERM every new request is answered 503 (error shape, `Connection: close`);
 * 2. `onRequest`: the token is checked for the route's scope — a refused request's body is never read;
 * 3. parsing: `application/json` only (anything else with a body: 415), nesting deeper than 32
 *    levels refused (400) by a scan of the bytes before JSON.parse; `__proto__`/`constructor.prototype`
 *    keys refused (400) as Fastify's default parser does;
 * 4. `onSend`: a gate decision finished after SIGTERM is not answered (503): a gate decision is
 *    never answered after SIGTERM.
 */
function installRequestPipeline(fastify: FastifyInstance, options: AppOptions, shuttingDown: () => boolean): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!shuttingDown()) return done();
    void reply.header('Connection', 'close');
    done(new ServiceUnavailableException('shutting down: not taking new requests'));
  });
  fastify.addHook('onRequest', authOnRequest(options.config));
  // a route may raise its own body limit with @RouteConfig({ bodyLimit }) (the state import: 256 MiB)
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
  });

  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (jsonNestedDeeperThan(body as Buffer)) {
      done(new ValidationError('invalid request body', [{ path: 'body', message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` }]), undefined);
      return;
    }
    // secure-json-parse reads a Buffer as well; its refusals (empty, not JSON, __proto__) become 400s with a detail
    void parseJson(request, body as unknown as string, (error, value) =>
      error ? done(new ValidationError('invalid request body', [{ path: 'body', message: error.message }]), undefined) : done(null, value),
    );
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!shuttingDown() || routeScope(request) !== 'gate' || reply.statusCode >= 400) return done(null, payload);
    void reply.code(503).header('Connection', 'close').header('Retry-After', '5').header('Content-Type', 'application/json; charset=utf-8');
    done(null, JSON.stringify(errorBody(503, 'shutting down: ask again (another replica)')));
  });
}
