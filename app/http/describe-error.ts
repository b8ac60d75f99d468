/**
 * One line about an error for the server log. Database errors from Drizzle carry the query's
 * parameters in their message (a password hash, an email): only the database's own code and
 * message are logged.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const query = error as Error & { query?: unknown; params?: unknown; cause?: unknown };
  if (query.query !== undefined && query.params !== undefined) {
    const cause = query.cause as { code?: string; message?: string } | undefined;
    return `database error${cause?.code ? ` ${cause.code}` : ""}: ${cause?.message ?? "query failed"}`;
  }
  return `${error.name}: ${error.message}`;
}
