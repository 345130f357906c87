import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions } from './app.module';
import { apiComponents } from './common/api-schema';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Builds the Nest application on Fastify (also used by e2e tests and the bench). */
export async function createApp(options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, routerOptions: { maxParamLength: 256 } });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
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
