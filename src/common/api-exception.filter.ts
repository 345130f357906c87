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
    if (body.statusCode === 503) reply.header('Retry-After', '5');
    void reply.status(body.statusCode).send(body);
  }
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
    return errorBody(status, String(message));
  }
  // Fastify's own errors (body too large, bad JSON, bad content type) carry a statusCode.
  const statusCode = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = statusCode === 413 ? 'request body exceeds 5 MiB' : (exception as Error).message;
    return errorBody(statusCode, message);
  }
  return errorBody(500, 'internal error');
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
