import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { extendZodWithOpenApi, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { timestampSchema } from './parse-input';

/**
 * One source of truth for the HTTP API's shapes: zod schemas validate requests and describe
 * responses, and the OpenAPI document (`GET /docs-json`) is generated from them. Controllers point
 * at the schemas with `apiRef(...)` / `ApiZodQuery(...)`; `create-app.ts` merges `apiComponents()`
 * into the document. Response schemas are strict (undocumented fields fail the OpenAPI e2e test)
 * and each sits next to a compile-time check that it is the type the code returns.
 */
extendZodWithOpenApi(z);

const registered = new Map<string, z.ZodTypeAny>();

/** Names `schema` as the OpenAPI component `name` and registers it; use the returned schema everywhere (validation too). */
export function apiSchema<S extends z.ZodTypeAny>(name: string, schema: S): S {
  if (registered.has(name)) throw new Error(`API schema "${name}" is registered twice`);
  const named = schema.openapi(name);
  registered.set(name, named);
  return named;
}

function componentName(schema: z.ZodTypeAny): string {
  const name = schema._def.openapi?._internal?.refId;
  if (name === undefined || registered.get(name) !== schema) {
    throw new Error('apiRef: the schema was not registered with apiSchema(name, schema)');
  }
  return name;
}

/** `{ $ref }` to a registered schema, for `@ApiOkResponse({ schema })`, `@ApiBody({ schema })`… */
export function apiRef(schema: z.ZodTypeAny): { $ref: string } {
  return { $ref: `#/components/schemas/${componentName(schema)}` };
}

/** The components of every registered schema, as OpenAPI 3.1 (JSON Schema 2020-12) objects. */
export function apiComponents(): Record<string, object> {
  const { components } = new OpenApiGeneratorV31([...registered.values()]).generateComponents();
  return withoutRepeatedAlternatives(components?.schemas ?? {}) as Record<string, object>;
}

/** Drops repeated members of `anyOf` (zod-to-openapi writes `{type: null}` twice for `nullableRef`). */
function withoutRepeatedAlternatives(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRepeatedAlternatives);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const mapped = withoutRepeatedAlternatives(value);
    out[key] =
      key === 'anyOf' && Array.isArray(mapped)
        ? mapped.filter((item, i) => mapped.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === i)
        : mapped;
  }
  return out;
}

/**
 * `@ApiQuery` for each key of a `z.object` query schema (name, required, description from
 * `.describe()`, schema), generated from the schema the controller parses the query with.
 */
export function ApiZodQuery(schema: z.AnyZodObject): MethodDecorator {
  const { paths } = new OpenApiGeneratorV31([
    { type: 'route', route: { method: 'get', path: '/', request: { query: schema }, responses: {} } },
  ]).generateDocument({ openapi: '3.1.0', info: { title: '', version: '' } });
  const parameters = (paths?.['/']?.get?.parameters ?? []) as Array<{
    name: string;
    required?: boolean;
    description?: string;
    schema?: object;
  }>;
  return applyDecorators(
    ...parameters.map((p) => ApiQuery({ name: p.name, required: p.required ?? false, description: p.description, schema: p.schema ?? {} })),
  );
}

/**
 * Compiles only when A and B are the same type (each assignable to the other, same optional
 * keys): `type _ = Assert<Equal<z.infer<typeof Schema>, Interface>>`.
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
export type Assert<T extends true> = T;

/** A timestamp as responses carry it: ISO-8601 UTC with `Z` (SPEC §5). */
export const isoTimestamp = z.string().datetime().openapi({ example: '2026-11-21T10:00:00.000Z' });

/** A timestamp as requests must give it: ISO-8601 with `Z` or an offset (parsed to epoch ms). */
export const requestTimestamp = timestampSchema
  .describe('ISO-8601 with Z or an offset')
  .openapi({ type: 'string', format: 'date-time', example: '2026-11-21T10:00:00Z' });

/**
 * A registered (component) schema or null. zod-to-openapi 7 writes `registered.nullable()` as
 * `allOf: [{$ref}, {type: [object, null]}]`, which refuses null; this is `anyOf: [{$ref}, {type: null}]`.
 */
export const nullableRef = <S extends z.ZodTypeAny>(schema: S) => z.union([schema, z.null()]);
