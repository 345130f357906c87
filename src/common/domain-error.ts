/**
 * Errors the services raise, each with a code; `ApiExceptionFilter` maps codes to HTTP statuses in
 * one place, so services never throw HTTP exceptions.
 */
export type DomainErrorCode =
  | 'validation' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'state-unavailable'; // 503

export interface ProblemDetail {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: ProblemDetail[]) {
    super('validation', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not-found', message);
  }
}

/** The backing state (Redis) cannot be read or written: never treat as "no data". */
export class StateUnavailableError extends DomainError {
  constructor(message = 'state store unavailable') {
    super('state-unavailable', message);
  }
}
