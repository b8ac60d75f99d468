import { clockIn } from "./time";
import { plural } from "./words";

/**
 * Typed domain errors. Domain functions throw these; `app/http/errors.server.ts` is the one place
 * that maps them to HTTP statuses for both the pages and the JSON API.
 *
 * Every code a DomainError may carry. The status table in app/http/errors.server.ts is a
 * `Record<ErrorCode, number>`, so a new code without a status fails the typecheck, and a new
 * class must use one of these codes. tests/unit/errors.test.ts lists every class and its status.
 */
export type ErrorCode =
  | "VALIDATION_FAILED"
  | "INVALID_CREDENTIALS"
  | "UNAUTHENTICATED"
  | "IDEMPOTENCY_MISMATCH"
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "SEATS_UNAVAILABLE"
  | "HOLD_EXPIRED"
  | "CONFLICT"
  | "PAYMENT_DECLINED";

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    // An answer, not a bug: no stack trace is captured (in a rush, most holds end in one).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = new.target.name;
  }
}

/** Input that breaks a rule; `fieldErrors` names the fields, for forms. */
export class ValidationFailed extends DomainError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    readonly fieldErrors: Record<string, string>,
    message = Object.values(fieldErrors).join("; ") || "Some fields need attention",
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

/** No valid credentials came with the request (an API call without a good token). */
export class Unauthenticated extends DomainError {
  readonly code = "UNAUTHENTICATED";
}

/** A payment key already used for a different request: the same key must come with the same body. */
export class IdempotencyMismatch extends DomainError {
  readonly code = "IDEMPOTENCY_MISMATCH";
  constructor() {
    super("This payment key was already used with a different card: use a new key for a new payment");
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

/**
 * A real conflict: some of the seats are held or sold. Nothing was held. Seats the caller holds
 * themselves (`yours`) are said to be theirs, never "just taken".
 */
export class SeatsUnavailable extends DomainError {
  readonly code = "SEATS_UNAVAILABLE";
  constructor(
    readonly labels: string[],
    readonly yours: string[] = [],
  ) {
    const others = labels.filter((label) => !yours.includes(label));
    const parts = [
      others.length ? `${listLabels(others)} ${plural(others.length, "was", "were")} just taken` : "",
      yours.length ? `you already hold ${listLabels(yours)} in another hold` : "",
    ].filter(Boolean);
    const sentence = parts.join(" and ");
    super(
      `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)} — nothing was held`,
      yours.length ? { seats: labels, yours } : { seats: labels },
    );
  }
}

/**
 * The hold ran out before it was paid for; its seats may already be someone else's. Given the
 * venue's time zone, the message says when it ended on the venue's clock.
 */
export class HoldExpired extends DomainError {
  readonly code = "HOLD_EXPIRED";
  constructor(
    readonly expiredAt: Date,
    timeZone?: string,
  ) {
    super(
      timeZone
        ? `Your hold ended at ${clockIn(expiredAt, timeZone)} and the seats were released`
        : "Your hold has ended and the seats were released",
      { expiredAt: expiredAt.toISOString() },
    );
  }
}

/** The request clashes with the state of things (e.g. paying a released hold). */
export class Conflict extends DomainError {
  readonly code = "CONFLICT";
}

export class PaymentDeclined extends DomainError {
  readonly code = "PAYMENT_DECLINED";
  constructor() {
    super("Your card was declined. Nothing was charged; your seats stay held until the hold ends.");
  }
}

/** "A1", "A1 and A2", "A1, A2 and A3". */
export function listLabels(labels: string[]): string {
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}
