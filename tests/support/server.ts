import { afterAll, beforeAll } from "vitest";
import { createLogger } from "~/logger.server";
import { type RunningServer, startServer } from "~/server/start.server";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

/** Env for a server on a free port, quiet, on the given database. */
export function serverEnv(databaseUrl: string | undefined, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SESSION_SECRET: TEST_SECRET,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...extra,
  };
}

/** Starts the whole server (the same code as `npm start`) for one test file. Needs `npm run build`. */
export function useServer(env: () => Record<string, string>) {
  const handle = {} as RunningServer;
  beforeAll(async () => {
    Object.assign(handle, await startServer({ env: env(), logger: createLogger("silent") }));
  });
  afterAll(async () => {
    await handle.close?.();
  });
  return handle;
}
