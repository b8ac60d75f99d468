import type { DomainError, ErrorCode } from "~/domain/errors";

/**
 * The one table from domain error codes to HTTP statuses, for the pages and the JSON API alike.
 * A `Record` over every code: a code without a status here fails the typecheck.
 */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  // The log-in form re-renders with "Invalid email or password"; the API's token request is refused.
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  IDEMPOTENCY_MISMATCH: 422,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SEATS_UNAVAILABLE: 409,
  HOLD_EXPIRED: 410,
  CONFLICT: 409,
  PAYMENT_DECLINED: 402,
};

/** By code, not by class: the process entry and the app build may each hold a copy of the classes. */
export function statusOf(error: Pick<DomainError, "code">): number {
  return STATUS_OF_CODE[error.code];
}

/** Headers an error answer carries: Retry-After for a rate limit. */
export function headersOf(error: Pick<DomainError, "details">): Record<string, string> {
  const retryAfter = error.details?.retryAfterSeconds;
  return typeof retryAfter === "number" ? { "Retry-After": String(retryAfter) } : {};
}
