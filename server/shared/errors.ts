/**
 * The one family of refusals a service throws. Services know no HTTP: the error middleware
 * (server/shared/web/errors.ts) maps each kind to a status once; the command line prints the message.
 */
export type RefusalKind = 'not-found' | 'conflict' | 'invalid' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Something asked for does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('not-found', message, details);
  }
}

/** The request is fine but the state of things refuses it: a closed wave, the last administrator (HTTP 409). */
export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, details);
  }
}

/** The input breaks a rule (HTTP 422). */
export class InvalidError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid', message, details);
  }
}

/** The caller may not do this (HTTP 403). */
export class ForbiddenError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('forbidden', message, details);
  }
}
