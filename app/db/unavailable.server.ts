/**
 * "The database cannot be reached just now" — told apart from every other failure, so that it is
 * answered 503 with Retry-After (pages, the API, /readyz) instead of a 500, and the app carries
 * on by itself when PostgreSQL is back (postgres.js opens new connections on the next query).
 *
 * What counts: the connection could not be opened, was refused, reset or closed, timed out
 * (DB_CONNECT_TIMEOUT_SECONDS), or PostgreSQL said it is shutting down, starting up or crashed
 * (SQLSTATE class 08, 57P01–57P03), or a statement ran past DB_STATEMENT_TIMEOUT_MS (57014).
 * Tested by tests/integration/outage.test.ts, which stops PostgreSQL under load.
 */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "57014"]);

/**
 * Refused before any work: no connection came free within DB_ACQUIRE_TIMEOUT_MS, or the request
 * had already been answered (the 503 watchdog, http.server.ts) or left by its client when its
 * change was about to be sent. Nothing was stored; answered 503 with Retry-After like an outage.
 */
export class DatabaseBusy extends Error {
  readonly code = "HOLDFAST_BUSY";
  constructor(message = "no database connection came free in time") {
    super(message);
    this.name = "DatabaseBusy";
  }
}

export const UNAVAILABLE_MESSAGE =
  "Holdfast cannot reach its database just now. Please try again in a few seconds; if you were holding seats or paying, your bookings will show whether it went through.";
export const BUSY_MESSAGE = "Holdfast is too busy to answer just now, so nothing was done. Please try again in a few seconds.";
export const RETRY_AFTER_SECONDS = 5;

/** What a 503 says: busy (nothing was done) or out of reach. */
export const unavailableMessageOf = (error: unknown) => (isDatabaseBusy(error) ? BUSY_MESSAGE : UNAVAILABLE_MESSAGE);
const isDatabaseBusy = (error: unknown) => (error as { code?: unknown } | null)?.code === "HOLDFAST_BUSY";

export function isDatabaseUnavailable(error: unknown): boolean {
  if (isDatabaseBusy(error)) return true;
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08")) return true;
  }
  return false;
}
