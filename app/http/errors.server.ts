import { json } from "@remix-run/node";
import { DomainError, Forbidden, NotFound, RateLimited, ValidationFailed, InvalidCredentials } from "~/domain/errors";

/** The one place domain errors become HTTP statuses, for the pages and the JSON API alike. */
export function statusOf(error: DomainError): number {
  if (error instanceof ValidationFailed || error instanceof InvalidCredentials) return 400;
  if (error instanceof NotFound) return 404;
  if (error instanceof Forbidden) return 403;
  if (error instanceof RateLimited) return 429;
  return statusByCode[error.code] ?? 400;
}

/** Codes of errors defined by later modules (bookings) map here too, by their code. */
const statusByCode: Record<string, number> = {
  SEATS_UNAVAILABLE: 409,
  HOLD_EXPIRED: 410,
  CONFLICT: 409,
  PAYMENT_DECLINED: 402,
};

export function headersOf(error: DomainError): HeadersInit {
  return error instanceof RateLimited ? { "Retry-After": String(error.retryAfterSeconds) } : {};
}

/** The JSON API's single error shape: { error: { code, message, details? } }. */
export function apiError(status: number, code: string, message: string, details?: unknown, headers?: HeadersInit) {
  return json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status, headers });
}

export function apiErrorFrom(error: DomainError) {
  return apiError(statusOf(error), error.code, error.message, error.details, headersOf(error));
}
