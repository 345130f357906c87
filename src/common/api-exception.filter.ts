import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, DomainErrorCode, ProblemDetail } from './domain-error';

const STATUS_OF: Record<DomainErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'state-unavailable': 503,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: ProblemDetail[];
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

export function errorBody(status: number, message: string, details: ProblemDetail[] = []): ErrorBody {
  return { statusCode: status, error: reasonPhrase(status), message, details };
}

/** Every error leaves as `{statusCode, error, message, details}` (SPEC §5). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      this.logger.error({ err: exception instanceof Error ? exception.message : String(exception) }, 'request failed');
    }
    sendError(reply, body);
  }
}

/**
 * Sends an error body as JSON, whatever content type the route had set for its success answer
 * (`/metrics` sets text/plain: an object sent as text/plain is a serialization error, a 500).
 */
export function sendError(reply: FastifyReply, body: ErrorBody): void {
  if (body.statusCode === 503) reply.header('Retry-After', '5');
  void reply.status(body.statusCode).header('Content-Type', 'application/json; charset=utf-8').send(body);
}

/** The SPEC §5 error body (and status) of any exception: domain errors, HTTP errors, Fastify's own. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    return errorBody(STATUS_OF[exception.code], exception.message, exception.details);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const failed = healthFailures(response);
    if (failed) return errorBody(status, `not ready: ${failed.map((d) => d.path).join(', ')}`, failed);
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? [(response as { message: unknown }).message].flat().join('; ')
        : exception.message;
    // Fastify's own errors reach here as HttpExceptions (Nest maps them): 415 names the header
    if (status === 415) return errorBody(415, String(message), [{ path: 'headers.content-type', message: 'must be application/json' }]);
    if (status === 413) return errorBody(413, 'request body exceeds 5 MiB');
    return errorBody(status, String(message));
  }
  return fastifyErrorBody(exception) ?? errorBody(500, 'internal error');
}

/**
 * Fastify's own errors (body too large, bad JSON, bad content type, bad URL, a path parameter over
 * the router's limit) carry a statusCode and a code; a 4xx among them becomes the error shape, with
 * a detail naming what was wrong (the body, the content type, the URL) where the client can fix it.
 */
function fastifyErrorBody(exception: unknown): ErrorBody | null {
  const { statusCode, code, message } = (exception ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : 'bad request';
  // SPEC §5: a path segment longer than 256 characters names nothing: 404 (Fastify would say 414).
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return errorBody(404, 'not found: a path segment is longer than 256 characters');
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null;
  if (statusCode === 413) return errorBody(413, 'request body exceeds 5 MiB');
  if (code === 'FST_ERR_BAD_URL') return errorBody(400, 'invalid URL', [{ path: 'url', message: 'not a valid URL component' }]);
  if (statusCode === 415) return errorBody(415, text, [{ path: 'headers.content-type', message: 'must be application/json' }]);
  if (statusCode === 400) return errorBody(400, 'invalid request body', [{ path: 'body', message: text }]);
  return errorBody(statusCode, text);
}

/** Terminus' failure body (`{status: 'error', error: {name: {status, message}}}`) as details. */
function healthFailures(response: unknown): ProblemDetail[] | null {
  if (typeof response !== 'object' || response === null) return null;
  const { status, error } = response as { status?: unknown; error?: unknown };
  if (status !== 'error' || typeof error !== 'object' || error === null) return null;
  return Object.entries(error as Record<string, { message?: unknown }>).map(([path, value]) => ({
    path,
    message: typeof value?.message === 'string' ? value.message : 'down',
  }));
}
