import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { apiRef, apiSchema, type Assert, type Equal } from './api-schema';
import type { ErrorBody } from './api-exception.filter';

/** The error shape of SPEC §5, as `ApiExceptionFilter` writes every error. */
export const ApiErrorDetailSchema = apiSchema(
  'ApiErrorDetail',
  z
    .object({
      path: z.string().openapi({ example: 'events[3].good' }),
      message: z.string().openapi({ example: 'good (1001) must not exceed total (1000)' }),
    })
    .strict(),
);

export const ApiErrorSchema = apiSchema(
  'ApiError',
  z
    .object({
      statusCode: z.number().int().openapi({ example: 400 }),
      error: z.string().openapi({ example: 'Bad Request' }),
      message: z.string().openapi({ example: 'invalid events' }),
      details: z.array(ApiErrorDetailSchema).describe('one entry per problem (validation errors); empty otherwise'),
    })
    .strict(),
);
type _ErrorBody = Assert<Equal<z.infer<typeof ApiErrorSchema>, ErrorBody>>;

const WHAT: Record<number, string> = {
  400: 'invalid input: one `details` entry per problem, with its path',
  401: 'no token, or an unknown one',
  403: 'the token lacks the scope',
  404: 'not found',
  409: 'conflict',
  413: 'request body over 5 MiB',
  503: 'state store (Redis) unavailable; retry after Retry-After',
};

/**
 * Documents error responses with the error shape: `ApiErrors(401, 403, [404, 'unknown SLO'])`.
 * Always `application/json`, whatever the operation produces on success (`/metrics`: text).
 */
export function ApiErrors(...statuses: Array<number | [number, string]>): MethodDecorator {
  return applyDecorators(
    ...statuses.map((entry) => {
      const [status, description] = Array.isArray(entry) ? entry : [entry, WHAT[entry] ?? 'error'];
      return ApiResponse({ status, description, content: { 'application/json': { schema: apiRef(ApiErrorSchema) } } });
    }),
  );
}
