/**
 * Typed domain errors. Domain functions throw these; `app/http/errors.server.ts` is the one place
 * that maps them to HTTP statuses for both the pages and the JSON API.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule; `fieldErrors` names the fields, for forms. */
export class ValidationFailed extends DomainError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    readonly fieldErrors: Record<string, string>,
    message = "Some fields need attention",
  ) {
    super(message, { fields: fieldErrors });
  }
}

export class InvalidCredentials extends DomainError {
  readonly code = "INVALID_CREDENTIALS";
  constructor() {
    // The same words whether the email is unknown or the password wrong: no account enumeration.
    super("Invalid email or password");
  }
}

export class NotFound extends DomainError {
  readonly code = "NOT_FOUND";
}

export class Forbidden extends DomainError {
  readonly code = "FORBIDDEN";
}

export class RateLimited extends DomainError {
  readonly code = "RATE_LIMITED";
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts. Please wait ${retryAfterSeconds} seconds and try again.`, {
      retryAfterSeconds,
    });
  }
}
