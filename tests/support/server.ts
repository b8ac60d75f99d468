import { afterAll, beforeAll } from "vitest";
import { createLogger, type Logger } from "~/logger.server";
import { type RunningServer, startServer } from "~/server/start.server";
import { TEST_MAIL_DIR } from "./process";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

/** Env for a server on a free port, quiet, on the given database. */
export function serverEnv(databaseUrl: string | undefined, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SESSION_SECRET: TEST_SECRET,
    // E-mails (app/events/) into a folder of this test process's, never the project's .data.
    MAIL_DIR: TEST_MAIL_DIR,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...extra,
  };
}

/** Starts the whole server (the same code as `npm start`) for one test file. Needs `npm run build`. */
export function useServer(env: () => Record<string, string>, options: { logger?: Logger } = {}) {
  const handle = {} as RunningServer;
  beforeAll(async () => {
    Object.assign(handle, await startServer({ env: env(), logger: options.logger ?? createLogger("silent") }));
  });
  afterAll(async () => {
    await handle.close?.();
  });
  return handle;
}

/** A logger that keeps its lines (parsed) for a test to read. */
export function capturingLogger(level: "error" | "info" | "debug" = "debug") {
  const raw: string[] = [];
  const logger = createLogger(level, { destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    /** Everything written, as it was written. */
    text: () => raw.join(""),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string; level: string }),
  };
}
