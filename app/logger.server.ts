import type { Config } from "~/config.server";

/**
 * The one logger and its line format: `<ISO time> <level> <message>`. Every log line in the app
 * goes through here, so no caller formats a line by hand and no error object is ever printed as
 * `[object Object]`. Secrets are never passed to it; errors are reduced by `describeError`.
 */
export interface Logger {
  /** Always written, whatever LOG_LEVEL says: a server that hides its own failures cannot be run. */
  error(message: string, error?: unknown): void;
  info(message: string): void;
  debug(message: string): void;
}

export type LogLevel = Config["logLevel"];
const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, info: 2, debug: 3 };

export function formatLogLine(level: "error" | "info" | "debug", message: string, at: Date = new Date()): string {
  return `${at.toISOString()} ${level.padEnd(5)} ${message}`;
}

export function createLogger(level: LogLevel): Logger {
  const at = ORDER[level];
  return {
    error: (message, error) => console.error(formatLogLine("error", error === undefined ? message : `${message}: ${describeError(error)}`)),
    info: (message) => {
      if (at >= ORDER.info) console.log(formatLogLine("info", message));
    },
    debug: (message) => {
      if (at >= ORDER.debug) console.log(formatLogLine("debug", message));
    },
  };
}

/**
 * One line about an error. Database errors from Drizzle carry the query's parameters in their
 * message (a password hash, an email): only the database's own code and message are kept.
 * Domain errors say their code; Remix error responses their status and text; anything else its
 * class and message, or its JSON.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const query = error as Error & { query?: unknown; params?: unknown; cause?: unknown; code?: unknown };
    if (query.query !== undefined && query.params !== undefined) {
      const cause = query.cause as { code?: string; message?: string } | undefined;
      return `database error${cause?.code ? ` ${cause.code}` : ""}: ${cause?.message ?? "query failed"}`;
    }
    if (typeof query.code === "string") return `${error.name} ${query.code}: ${error.message}`;
    return `${error.name}: ${error.message}`;
  }
  if (error instanceof Response) return `response ${error.status}${error.statusText ? ` ${error.statusText}` : ""}`;
  if (error && typeof error === "object") {
    const response = error as { status?: unknown; statusText?: unknown; data?: unknown };
    if (typeof response.status === "number") {
      const data = typeof response.data === "string" ? `: ${response.data}` : "";
      return `error response ${response.status}${response.statusText ? ` ${String(response.statusText)}` : ""}${data}`;
    }
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}
