import type { IncomingMessage } from "node:http";
import pino, { type DestinationStream } from "pino";
import type { Config } from "~/config.server";

/**
 * The one logger. Every log line in the app goes through here: one JSON object per line (pino),
 * with `time`, `level` and `msg`, and `reqId` on every line written on behalf of a request: code
 * on a request's path logs through the request's logger (`context.log` in loaders and actions,
 * `forRequest` elsewhere), never the process's. No caller formats a line by hand, no error
 * object is printed as `[object Object]`, and secrets are never passed to it: errors are reduced
 * by `describeError`, and fields named like a secret are censored all the same (`REDACTED`).
 *
 * Why pino: JSON lines with a bound context and redaction are what it does, at a cost of a few
 * microseconds a line.
 *
 * Writes are asynchronous: a slow reader of the log (a pipe nobody drains quickly, a stalled
 * collector) must never stall the server. Synchronous writes did, in the outage test: a request
 * waited for the pipe to the test's own process. Lines wait in memory while a write is under way
 * (so under load they go out many at a time); on exit pino writes what is waiting; only a
 * `kill -9` can lose the last few milliseconds. Past `LOG_BUFFER_BYTES` waiting, lines are dropped
 * and counted (`logStats.droppedLines`, in /metrics), never held without bound.
 */
export interface Logger {
  /** Always written, whatever LOG_LEVEL says: a server that hides its own failures cannot be run. */
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  /** The same log, each line with this request's id (`reqId`). Costs nothing until it writes. */
  forRequest(requestId: string): Logger;
}

export type LogLevel = Config["logLevel"];
export type LogFormat = Config["logFormat"];

/**
 * A request's id lives on the request itself, given by the HTTP layer when it arrives. Passed
 * explicitly rather than through AsyncLocalStorage: on Node 20 that installs promise hooks that
 * cost every promise of every request. The first version had them (and wildcard redaction):
 * +0.07 ms of server CPU per API hold against the commit before logs; this one, +0.03 ms.
 */
const REQUEST_ID = Symbol("holdfast.requestId");
type WithRequestId = IncomingMessage & { [REQUEST_ID]?: string };
export const setRequestId = (req: IncomingMessage, id: string) => {
  (req as WithRequestId)[REQUEST_ID] = id;
};
export const requestIdOf = (req: IncomingMessage): string | undefined => (req as WithRequestId)[REQUEST_ID];

/** Fields that never reach a log with their value, wherever a caller puts them. */
export const REDACTED = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "card",
  "cardNumber",
  "token",
  "cookie",
  "authorization",
  "headers",
  "body",
  "sessionId",
  "secret",
];
// Top-level fields only: wildcard paths (`*.password`) walk every line (2% of the server's CPU in
// the benchmark's profile), for fields this code never nests.

export interface LoggerOptions {
  /** `json` (default): one object per line; `text`: `<time> <level> [<reqId>] <msg> key=value`, for reading by eye. */
  format?: LogFormat;
  /** Where lines go: standard output (default), a file path (appended), or a stream. */
  destination?: string | DestinationStream;
}

const NO_FIELDS = Object.freeze({});

/** How much may wait for a slow reader before lines are dropped. */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;
/** Lines dropped because the log's reader was too slow (see LOG_BUFFER_BYTES). */
export const logStats = { droppedLines: 0 };

function destinationOf(dest: string | number): DestinationStream {
  const stream = pino.destination({ dest, sync: false, append: true, mkdir: true, maxLength: LOG_BUFFER_BYTES });
  stream.on("drop", () => {
    logStats.droppedLines++;
  });
  return stream;
}

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const target = typeof options.destination === "object" ? options.destination : destinationOf(options.destination ?? 1);
  const stream = options.format === "text" ? textStream(target) : target;
  const root = pino(
    {
      // Errors are written whatever the level: "silent" keeps them (see Logger.error).
      level: level === "silent" ? "error" : level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED, censor: "[redacted]" },
    },
    stream,
  );
  const write = (bound: Record<string, unknown> | undefined): Logger => {
    const merge = (fields: Record<string, unknown> | undefined) => (bound ? { ...bound, ...fields } : (fields ?? NO_FIELDS));
    return {
      error: (message, error, fields) => root.error(merge(error === undefined ? fields : { ...fields, ...errorFields(error) }), message),
      info: (message, fields) => root.info(merge(fields), message),
      debug: (message, fields) => {
        if (root.isLevelEnabled("debug")) root.debug(merge(fields), message);
      },
      forRequest: (requestId) => write({ ...bound, reqId: requestId }),
    };
  };
  return write(undefined);
}

/** An error as log fields: one safe line (`err`), and where the fault was for errors of our own code (`stack`). */
function errorFields(error: unknown): Record<string, unknown> {
  const err = describeError(error);
  if (!(error instanceof Error) || isQueryError(error) || (error as { code?: unknown }).code !== undefined) return { err };
  // The frames only: the first line is the message, already in `err`.
  const stack = error.stack?.split("\n").slice(1).join("\n").trim();
  return stack ? { err, stack } : { err };
}

/** Re-writes pino's JSON lines as text, for LOG_FORMAT=text and the command-line scripts. */
function textStream(target: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const { time, level, msg, reqId, pid: _pid, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const extra = Object.entries(rest)
        .map(([key, value]) => `${key}=${typeof value === "string" && !/\s/.test(value) ? value : JSON.stringify(value)}`)
        .join(" ");
      target.write(
        `${formatLogLine(level as string, String(msg ?? ""), time as string, reqId as string | undefined)}${extra ? ` ${extra}` : ""}\n`,
      );
    },
  };
}

export function formatLogLine(level: string, message: string, at: Date | string = new Date(), reqId?: string): string {
  const time = typeof at === "string" ? at : at.toISOString();
  return `${time} ${level.padEnd(5)} ${reqId ? `[${reqId}] ` : ""}${message}`;
}

const isQueryError = (error: Error) => {
  const query = error as Error & { query?: unknown; params?: unknown };
  return query.query !== undefined && query.params !== undefined;
};

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
